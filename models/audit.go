package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// Audit actions, as stored and filtered on.
const (
	AuditSignedIn           = "user.signed_in"
	AuditAccountCreated     = "account.created"
	AuditUserInvited        = "user.invited"
	AuditInvitationReminded = "invitation.reminded"
	AuditInvitationRevoked  = "invitation.revoked"
	AuditInvitationAccepted = "invitation.accepted"
	AuditUserDeactivated    = "user.deactivated"
	AuditUserReactivated    = "user.reactivated"
	// AuditPasswordResetRequested is a reset link sent, by an admin or asked for from the sign-in page.
	AuditPasswordResetRequested = "user.password_reset_requested"
	// AuditPasswordReset is a new password chosen through a reset link.
	AuditPasswordReset = "user.password_reset"
	// AuditPrivacyEdited says what a privacy edit changed, never the personal data itself.
	AuditPrivacyEdited = "user.privacy_edited"
	// AuditAccountTransferred says what moved to whom when a user's account was transferred:
	// IDs and counts only.
	AuditAccountTransferred = "user.account_transferred"
	// AuditRecordsHandedOver is a hand-over from the records page: counts per previous owner
	// and kind, and the recipients.
	AuditRecordsHandedOver = "records.handed_over"
	// AuditHandoverUndone is a hand-over given back: the event undone and what went back.
	AuditHandoverUndone = "records.handover_undone"
)

// Every audit event is built by auditRow (a person, an impersonator or an identity provider acting)
// or auditEntry.event (sign-ins, jobs, set-up: no Actor at hand) and stored by writeAudit, in the
// operation's own transaction, so that the log and the change commit together or not at all.

// auditEntry is an event whose author is not an Actor: a user signing in or accepting an
// invitation, a job carrying out what someone asked for earlier, an account being created.
type auditEntry struct {
	Account   int64
	Actor     *int64
	RealActor *int64
	// Provisioning is the SCIM token that acted, when an identity provider did.
	Provisioning *int64
	// System names the account's rule that acted (SystemDormancy), when no person did.
	System  *string
	Action  string
	Target  *int64
	Details map[string]any
	IP      string
	At      time.Time
}

func (e auditEntry) event() AuditEvent {
	return AuditEvent{AccountID: e.Account, ActorID: e.Actor, RealActorID: e.RealActor, ProvisioningTokenID: e.Provisioning,
		SystemActor: e.System, Action: e.Action, TargetUserID: e.Target, Details: jsonDetails(e.Details), IP: truncate(cleanText(e.IP), 64), CreatedAt: e.At}
}

// auditRow is the event of something actor did: both identities while impersonating, the
// token when an identity provider acts.
func auditRow(actor *Actor, action string, target *int64, at time.Time, details map[string]any) AuditEvent {
	e := auditEntry{Account: actor.Account.ID, Actor: &actor.User.ID, Action: action, Target: target, Details: details, IP: actor.IP, At: at}
	if actor.Impersonation != nil {
		e.RealActor = &actor.Impersonation.RealUser.ID
	}
	if actor.Provisioning != nil {
		// An identity provider is no user: the event names its token.
		e.Actor, e.Provisioning = nil, &actor.Provisioning.ID
	}
	if actor.System != "" {
		// Nor is a rule of the account: the event names it.
		e.Actor, e.System = nil, &actor.System
	}
	return e.event()
}

// auditBatch bounds one INSERT: an event binds 10 parameters and PostgreSQL takes 65,535.
const auditBatch = 1000

// writeAudit stores events, many in one statement, so that an operation on thousands of users
// still takes a fixed number of statements.
func writeAudit(tx *gorm.DB, events ...AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	return tx.CreateInBatches(events, auditBatch).Error
}

// jsonDetails encodes an event's details; nothing is "{}".
func jsonDetails(details map[string]any) string {
	if len(details) == 0 {
		return "{}"
	}
	encoded, err := json.Marshal(details)
	if err != nil {
		// Details are maps of numbers, strings and IDs built here; one that cannot be encoded is a
		// programming error worth seeing in the log rather than a lost event.
		return fmt.Sprintf(`{"unencodable":%q}`, fmt.Sprint(details))
	}
	return string(encoded)
}

// auditEventIP is the client address an event was written from, kept beside the append-only log
// so that erasing a user can delete it (migration 00009).
type auditEventIP struct {
	EventID int64 `gorm:"primaryKey;autoIncrement:false"`
	IP      string
}

func (auditEventIP) TableName() string { return "audit_event_ips" }

// AfterCreate stores the addresses of the events just inserted, and their webhook events,
// whichever way they were written: one event, or a batch from auditRow. GORM calls the hook once per event of a batch; the first
// call writes the whole batch's addresses in one statement and the others do nothing, so an
// operation on many users still takes a fixed number of statements.
func (e *AuditEvent) AfterCreate(tx *gorm.DB) error {
	events := []*AuditEvent{e}
	if v := tx.Statement.ReflectValue; v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		if tx.Statement.CurDestIndex != 0 {
			return nil
		}
		events = events[:0]
		for i := 0; i < v.Len(); i++ {
			if item := reflect.Indirect(v.Index(i)); item.CanAddr() {
				if event, ok := item.Addr().Interface().(*AuditEvent); ok {
					events = append(events, event)
				}
			}
		}
	}
	var ips []auditEventIP
	for _, event := range events {
		if event.IP != "" && event.ID != 0 {
			ips = append(ips, auditEventIP{EventID: event.ID, IP: event.IP})
		}
	}
	if len(ips) > 0 {
		if err := tx.Create(&ips).Error; err != nil {
			return err
		}
	}
	// Every audit row passes here, however it was written: the webhook events it stands for are
	// written in the same transaction (webhookevents.go).
	return fanOutWebhooks(tx, events)
}
