package models

import "time"

// UserStatus is where a user stands in the lifecycle invited → active ⇄ inactive → deleted.
type UserStatus string

const (
	StatusInvited  UserStatus = "invited"
	StatusActive   UserStatus = "active"
	StatusInactive UserStatus = "inactive"
	StatusDeleted  UserStatus = "deleted"
)

// ListedStatuses are the statuses with a tab in User Management, in tab order.
var ListedStatuses = []UserStatus{StatusActive, StatusInactive, StatusInvited}

// Role is what a user may do in their account.
type Role string

const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleGroupAdmin Role = "group_admin"
	RoleManager    Role = "manager"
	RoleSupport    Role = "support"
	RoleFinance    Role = "finance"
	RoleMember     Role = "member"
)

// Roles lists every role, most rights first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleGroupAdmin, RoleManager, RoleSupport, RoleFinance, RoleMember}

// Label is the role's name as people read it.
func (r Role) Label() string {
	switch r {
	case RoleOwner:
		return "Owner"
	case RoleAdmin:
		return "Admin"
	case RoleGroupAdmin:
		return "Group administrator"
	case RoleManager:
		return "Manager"
	case RoleSupport:
		return "Support"
	case RoleFinance:
		return "Finance"
	case RoleMember:
		return "Member"
	}
	return string(r)
}

// ParseRole returns the role named s, or false when s names none.
func ParseRole(s string) (Role, bool) {
	for _, r := range Roles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Account is a customer company; every other row belongs to exactly one.
type Account struct {
	ID                   int64
	Name                 string
	ImpersonationEnabled bool
	// ImpersonationMinutes is how long an impersonation lasts before it ends by itself.
	ImpersonationMinutes int
	DeletionGraceDays    int
	// TimeZone is the IANA name (Europe/Berlin) in which the account's people enter and read
	// dates and times, such as a leave date; see Location.
	TimeZone  string `gorm:"default:UTC"`
	CreatedAt time.Time
}

// Location is the account's time zone, UTC when none is set or the name is unknown.
func (a *Account) Location() *time.Location {
	if a == nil || a.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Plan is a subscription plan with a purchased number of seats.
type Plan struct {
	ID             int64
	AccountID      int64
	Name           string
	SeatsPurchased int
	PriceCents     int64
	Currency       string
	CreatedAt      time.Time
}

// User is a person in an account. Email is nil once the user has been anonymised.
type User struct {
	ID            int64
	AccountID     int64
	Email         *string
	Name          string
	Phone         string
	PictureURL    string
	Role          Role
	Status        UserStatus
	PlanID        *int64
	ManagerID     *int64
	PasswordHash  string
	InvitedByID   *int64
	LastSignInAt  *time.Time
	DeactivatedAt *time.Time
	// DeletionMode, DeletionDueAt and DeletionRequestedByID are set while a deletion waits out
	// its grace period (see ScheduleDeletion); DeletionMode stays on a deleted row.
	DeletionMode          *string
	DeletionDueAt         *time.Time
	DeletionRequestedByID *int64
	// DormancyExempt keeps the dormancy policy away from the user; DormancyWarnedAt is when it
	// last warned them; ActivatedAt is when they last became active (a trigger stamps it), the
	// start of the dormancy clock for someone who has not signed in since.
	DormancyExempt   bool
	DormancyWarnedAt *time.Time
	ActivatedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// EmailAddress is the user's e-mail, or "" when it has been erased.
func (u *User) EmailAddress() string {
	if u.Email == nil {
		return ""
	}
	return *u.Email
}

// Group is a set of users administered by its owner.
type Group struct {
	ID        int64
	AccountID int64
	Name      string
	OwnerID   int64
	CreatedAt time.Time
}

// GroupMember puts a user in a group.
type GroupMember struct {
	GroupID   int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
	AccountID int64
	CreatedAt time.Time
}

// Record is a piece of work a user owns in the wider product: a deal, a contact, a PIN…
type Record struct {
	ID          int64
	AccountID   int64
	Kind        string
	Title       string
	IsOpen      bool
	OwnerID     int64
	CreatedByID int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// HandedOverAt and HandedOverFromID are the record's last hand-over, nil until it has one.
	HandedOverAt     *time.Time
	HandedOverFromID *int64
}

// RecordKinds are the kinds of owned records the wider product has, in display order.
var RecordKinds = []string{"deal", "contact", "lead", "activity", "pin", "request"}

// RecordOwnershipChange is one line of a record's ownership history, which is never lost.
type RecordOwnershipChange struct {
	ID          int64
	AccountID   int64
	RecordID    int64
	FromUserID  *int64
	ToUserID    int64
	ChangedByID *int64
	Reason      string
	ChangedAt   time.Time
}

// Activity is something a user did in the wider product; it feeds team statistics.
type Activity struct {
	ID         int64
	AccountID  int64
	UserID     int64
	Kind       string
	RecordID   *int64
	OccurredAt time.Time
}

// Activity kinds counted by team statistics.
const (
	ActivityRecordCreated = "record_created"
	ActivityDealWon       = "deal_won"
	ActivityComment       = "comment"
)

// AuditEvent is an append-only line of who did what to whom. RealActorID is set when the actor
// was being impersonated.
type AuditEvent struct {
	ID           int64
	AccountID    int64
	ActorID      *int64
	RealActorID  *int64
	Action       string
	TargetUserID *int64
	Details      string
	// ProvisioningTokenID names the provisioning token that acted, instead of ActorID.
	ProvisioningTokenID *int64
	// SystemActor names the background rule that acted, instead of ActorID (SystemDormancy).
	SystemActor *string
	// IP is written to audit_event_ips with the event (see AuditEvent.AfterCreate), where erasing
	// a user can delete it without changing the append-only log; reading an event does not fill it.
	IP        string `gorm:"->"`
	CreatedAt time.Time
}

// UserSession is one signed-in browser or device; the cookie holds only its ID.
type UserSession struct {
	ID         string
	AccountID  int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	IP         string
	UserAgent  string
	// ImpersonationID points at the impersonation the session runs under, if any.
	ImpersonationID *int64
}

// SignInFailure is kept for a while to rate-limit guessing.
type SignInFailure struct {
	ID       int64
	Email    string
	IP       string
	FailedAt time.Time
}

// AppSetting is a process-wide key/value, such as the generated session secret.
type AppSetting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

// Invitation is the link an invited user accepts; only the token's hash is stored.
type Invitation struct {
	ID          int64
	AccountID   int64
	UserID      int64
	TokenHash   string
	InvitedByID *int64
	SentAt      time.Time
	RemindedAt  *time.Time
	Reminders   int
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	RevokedAt   *time.Time
}

// SeatLedgerEntry records one change to a plan's seats when it happened.
type SeatLedgerEntry struct {
	ID              int64
	AccountID       int64
	PlanID          int64
	UserID          *int64
	InUseChange     int
	ReservedChange  int
	PurchasedChange int
	Reason          string
	ActorID         *int64
	ChangedAt       time.Time
}

// TableName keeps the ledger's table name singular, as the product speaks of "the seat ledger".
func (SeatLedgerEntry) TableName() string { return "seat_ledger" }

// OutboxMessage is an e-mail written with the change that caused it and delivered afterwards.
type OutboxMessage struct {
	ID        int64
	AccountID int64
	ToAddress string
	Subject   string
	Body      string
	ActionURL string
	CreatedAt time.Time
	SentAt    *time.Time
	Attempts  int
	LastError string
}
