package models

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Audit actions of Settings > Account > Provisioning.
const (
	AuditProvisioningTokenCreated  = "provisioning.token_created"
	AuditProvisioningTokenRevoked  = "provisioning.token_revoked"
	AuditProvisioningSettingsSaved = "provisioning.settings_changed"
	// AuditUserProvisioned is a user created by an identity provider.
	AuditUserProvisioned = "user.provisioned"
	// AuditUserProvisioningUpdated names the attributes an identity provider changed, never their values.
	AuditUserProvisioningUpdated = "user.provisioning_updated"
)

// Provisioning token rules.
const (
	MaxProvisioningTokenName = 80
	// provisioningTokenPrefix marks Roster's SCIM tokens, so that secret scanners and people can
	// tell one when they see it.
	provisioningTokenPrefix = "roster_scim_"
	// lastUsedResolution bounds how often a busy token's last use is written.
	lastUsedResolution = time.Minute
)

// ProvisioningToken lets an identity provider manage one account's users and groups over SCIM.
// Only the token's hash is stored.
type ProvisioningToken struct {
	ID          int64
	AccountID   int64
	Name        string
	TokenHash   string
	CreatedByID *int64
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

// TableName is the SCIM token table.
func (ProvisioningToken) TableName() string { return "scim_tokens" }

// ActorLabel is how the audit log names what the token did.
func (t *ProvisioningToken) ActorLabel() string { return ProvisioningActorLabel(t.Name) }

// ProvisioningActorLabel is the audit log's name for a token called name.
func ProvisioningActorLabel(name string) string { return "Provisioning: " + name }

// ErrProvisioningTokenInvalid refuses a bearer token that is unknown, malformed or revoked.
var ErrProvisioningTokenInvalid = errors.New("the provisioning token is not valid")

// provisioningPermissions are what an identity provider may do: the lifecycle of users and
// groups (create, update, deactivate, reactivate, delete), nothing of seats, roles beyond what a
// user record carries, impersonation or account settings.
var provisioningPermissions = map[Permission]bool{
	PermViewUsers: true, PermManageUsers: true, PermManageRoles: true, PermViewGroups: true, PermManageGroups: true,
}

func provisioningAllows(perm Permission) bool { return provisioningPermissions[perm] }

// provisioningActor is the actor of a SCIM request: account-wide, ranked like an owner so that
// the identity provider stays authoritative for everyone's lifecycle (the last-owner rule still
// holds), and allowed only provisioningPermissions. Its User is a stand-in named after the token
// with ID 0; audit events, seat ledger lines and ownership history record the token or nobody.
func provisioningActor(account *Account, token *ProvisioningToken) *Actor {
	return &Actor{
		User:         &User{ID: 0, AccountID: account.ID, Name: token.ActorLabel(), Role: RoleOwner, Status: StatusActive},
		Account:      account,
		Provisioning: token,
	}
}

// validateTokenName tidies a token's name and says what is wrong with it, or "".
func validateTokenName(name string) (string, string) {
	name = strings.TrimSpace(cleanText(name))
	switch {
	case name == "":
		return name, "Name the token after the identity provider that uses it, for example Okta."
	case utf8.RuneCountInString(name) > MaxProvisioningTokenName:
		return name, fmt.Sprintf("Use at most %d characters.", MaxProvisioningTokenName)
	case strings.IndexFunc(name, invisibleControl) >= 0:
		return name, "Use a single line without control characters."
	}
	return name, ""
}

// CreateProvisioningToken makes a new token for the actor's account and returns it in clear text,
// the only time it is ever seen. Returns ErrForbidden, and FieldErrors for "name".
func (s *Store) CreateProvisioningToken(ctx context.Context, actor *Actor, name string) (string, *ProvisioningToken, error) {
	if !actor.Allows(PermManageProvisioning) {
		return "", nil, ErrForbidden
	}
	if err := actor.RefuseStateChange(); err != nil {
		return "", nil, err
	}
	return s.createProvisioningToken(ctx, actor.Account.ID, &actor.User.ID, actor, name)
}

// CreateProvisioningTokenForAccount is the command line's way to make a token: whoever runs it
// has the database already. Returns ErrNotFound for an unknown account, FieldErrors for "name".
func (s *Store) CreateProvisioningTokenForAccount(ctx context.Context, accountID int64, name string) (string, *ProvisioningToken, error) {
	return s.createProvisioningToken(ctx, accountID, nil, nil, name)
}

func (s *Store) createProvisioningToken(ctx context.Context, accountID int64, createdBy *int64, actor *Actor, name string) (string, *ProvisioningToken, error) {
	name, msg := validateTokenName(name)
	if msg != "" {
		return "", nil, FieldErrors{"name": msg}
	}
	secret := provisioningTokenPrefix + newToken()
	token := &ProvisioningToken{AccountID: accountID, Name: name, TokenHash: hashToken(secret), CreatedByID: createdBy}
	err := s.changeAccount(ctx, accountID, func(tx *gorm.DB) error {
		var accounts []Account
		if err := tx.Where("id = ?", accountID).Find(&accounts).Error; err != nil {
			return err
		}
		if len(accounts) != 1 {
			return ErrNotFound
		}
		now := s.now()
		token.CreatedAt = now
		if err := tx.Create(token).Error; err != nil {
			return err
		}
		details := map[string]any{"token_id": token.ID, "token": token.Name}
		if actor != nil {
			return writeAudit(tx, auditRow(actor, AuditProvisioningTokenCreated, nil, now, details))
		}
		details["via"] = "command line"
		return writeAudit(tx, auditEntry{Account: accountID, Action: AuditProvisioningTokenCreated, Details: details, At: now}.event())
	})
	if err != nil {
		return "", nil, err
	}
	return secret, token, nil
}

// ProvisioningTokens lists the account's tokens, newest first, revoked ones included.
func (s *Store) ProvisioningTokens(ctx context.Context, actor *Actor) ([]ProvisioningToken, error) {
	if !actor.Allows(PermManageProvisioning) {
		return nil, ErrForbidden
	}
	var tokens []ProvisioningToken
	err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("created_at DESC, id DESC").Find(&tokens).Error
	return tokens, err
}

// RevokeProvisioningToken stops a token from working from its next request. Returns ErrForbidden,
// ErrNotFound for tokens of other accounts, and FieldErrors when it was already revoked.
func (s *Store) RevokeProvisioningToken(ctx context.Context, actor *Actor, id int64) (*ProvisioningToken, error) {
	if !actor.Allows(PermManageProvisioning) {
		return nil, ErrForbidden
	}
	if err := actor.RefuseStateChange(); err != nil {
		return nil, err
	}
	var token ProvisioningToken
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		var tokens []ProvisioningToken
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where("id = ? AND account_id = ?", id, actor.Account.ID).Find(&tokens).Error; err != nil {
			return err
		}
		if len(tokens) != 1 {
			return ErrNotFound
		}
		token = tokens[0]
		if token.RevokedAt != nil {
			return FieldErrors{"token": "That token was already revoked."}
		}
		now := s.now()
		token.RevokedAt = &now
		if err := tx.Model(&ProvisioningToken{}).Where("id = ?", token.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditProvisioningTokenRevoked, nil, now, map[string]any{"token_id": token.ID, "token": token.Name}))
	})
	if err != nil {
		return nil, err
	}
	return &token, nil
}

// AuthenticateProvisioning turns a bearer token into the provisioning actor of its account.
// The token is found by its SHA-256 hash (a database index cannot compare in constant time, and
// needs not: the hash of a guess says nothing about the secret) and the stored hash is then
// compared in constant time. Its last use is written at most once a minute. Returns
// ErrProvisioningTokenInvalid for unknown, malformed and revoked tokens.
func (s *Store) AuthenticateProvisioning(ctx context.Context, secret string) (*Actor, error) {
	if !strings.HasPrefix(secret, provisioningTokenPrefix) || len(secret) != len(provisioningTokenPrefix)+64 {
		return nil, ErrProvisioningTokenInvalid
	}
	hash := hashToken(secret)
	// The token and its account in one round trip: every SCIM request starts here.
	var rows []struct {
		ProvisioningToken
		AccountName                 string
		AccountImpersonationEnabled bool
		AccountImpersonationMinutes int
		AccountDeletionGraceDays    int
		AccountCreatedAt            time.Time
	}
	if err := s.read(ctx).Table("scim_tokens").Joins("JOIN accounts ON accounts.id = scim_tokens.account_id").
		Select(`scim_tokens.*, accounts.name AS account_name, accounts.impersonation_enabled AS account_impersonation_enabled,
			accounts.impersonation_minutes AS account_impersonation_minutes, accounts.deletion_grace_days AS account_deletion_grace_days,
			accounts.created_at AS account_created_at`).
		Where("scim_tokens.token_hash = ?", hash).Limit(1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) != 1 || subtle.ConstantTimeCompare([]byte(rows[0].TokenHash), []byte(hash)) != 1 || rows[0].RevokedAt != nil {
		return nil, ErrProvisioningTokenInvalid
	}
	token := rows[0].ProvisioningToken
	account := Account{ID: token.AccountID, Name: rows[0].AccountName, ImpersonationEnabled: rows[0].AccountImpersonationEnabled,
		ImpersonationMinutes: rows[0].AccountImpersonationMinutes, DeletionGraceDays: rows[0].AccountDeletionGraceDays,
		CreatedAt: rows[0].AccountCreatedAt}
	now := s.now()
	if token.LastUsedAt == nil || now.Sub(*token.LastUsedAt) >= lastUsedResolution {
		// NOTE: outside the request's transaction on purpose: a refused request still used the token.
		if err := s.read(ctx).Model(&ProvisioningToken{}).Where("id = ? AND revoked_at IS NULL", token.ID).
			Update("last_used_at", now).Error; err != nil {
			return nil, err
		}
		token.LastUsedAt = &now
	}
	return provisioningActor(&account, &token), nil
}

// ProvisioningSettings are an account's choices for what its identity provider does.
type ProvisioningSettings struct {
	// PlanID is the plan whose seat a provisioned user gets when the provider names none; 0 is
	// none chosen, and then the plan with the most free seats gives it.
	PlanID int64
	// DeleteMode is what deleting a user in the provider does, after the account's grace period.
	DeleteMode DeletionMode
}

// ProvisioningDeleteModes are the outcomes an identity provider's DELETE may have: removing a
// row for good is never left to a machine.
var ProvisioningDeleteModes = []DeletionMode{DeleteAnonymise, DeleteWithHistory}

// ProvisioningSettingsOf reads the actor's account's provisioning settings.
func (s *Store) ProvisioningSettingsOf(ctx context.Context, actor *Actor) (ProvisioningSettings, error) {
	if !actor.Allows(PermManageProvisioning) && actor.Provisioning == nil {
		return ProvisioningSettings{}, ErrForbidden
	}
	return provisioningSettings(s.read(ctx), actor.Account.ID)
}

func provisioningSettings(db *gorm.DB, accountID int64) (ProvisioningSettings, error) {
	var row struct {
		ProvisioningPlanID     *int64
		ProvisioningDeleteMode string
	}
	if err := db.Table("accounts").Select("provisioning_plan_id, provisioning_delete_mode").Where("id = ?", accountID).Take(&row).Error; err != nil {
		return ProvisioningSettings{}, notFound(err)
	}
	settings := ProvisioningSettings{DeleteMode: DeletionMode(row.ProvisioningDeleteMode)}
	if row.ProvisioningPlanID != nil {
		settings.PlanID = *row.ProvisioningPlanID
	}
	if _, ok := ParseDeletionMode(row.ProvisioningDeleteMode); !ok {
		settings.DeleteMode = DeleteAnonymise
	}
	return settings, nil
}

// UpdateProvisioningSettings saves the account's provisioning settings with an audit event.
// Returns ErrForbidden, and FieldErrors for "plan" or "delete_mode".
func (s *Store) UpdateProvisioningSettings(ctx context.Context, actor *Actor, in ProvisioningSettings) error {
	if !actor.Allows(PermManageProvisioning) {
		return ErrForbidden
	}
	if err := actor.RefuseStateChange(); err != nil {
		return err
	}
	errs := FieldErrors{}
	allowed := false
	for _, m := range ProvisioningDeleteModes {
		allowed = allowed || m == in.DeleteMode
	}
	if !allowed {
		errs["delete_mode"] = "Choose what deleting a user in the identity provider does."
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var plan any
		if in.PlanID != 0 {
			var n int64
			if err := tx.Model(&Plan{}).Where("id = ? AND account_id = ?", in.PlanID, actor.Account.ID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				errs["plan"] = "Choose one of the account's plans."
			}
			plan = in.PlanID
		}
		if len(errs) > 0 {
			return errs
		}
		current, err := provisioningSettings(tx, actor.Account.ID)
		if err != nil {
			return err
		}
		if current == in {
			return nil
		}
		if err := tx.Table("accounts").Where("id = ?", actor.Account.ID).
			Updates(map[string]any{"provisioning_plan_id": plan, "provisioning_delete_mode": string(in.DeleteMode)}).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditProvisioningSettingsSaved, nil, s.now(),
			map[string]any{"default_plan_id": in.PlanID, "delete_mode": string(in.DeleteMode)}))
	})
}

// inOneTransaction runs fn with a Store bound to one database transaction, so that one SCIM
// request that takes several of the Store's own operations (a profile change and a
// deactivation, say) commits all of them or none. Each operation's own transaction becomes a
// savepoint inside it.
func (s *Store) inOneTransaction(ctx context.Context, actor *Actor, fn func(ts *Store, tx *gorm.DB) error) error {
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		bound := *s
		bound.db = tx
		return fn(&bound, tx)
	})
}

func init() {
	for action, label := range map[string]string{
		AuditProvisioningTokenCreated:  "Provisioning token created",
		AuditProvisioningTokenRevoked:  "Provisioning token revoked",
		AuditProvisioningSettingsSaved: "Provisioning settings changed",
		AuditUserProvisioned:           "User provisioned",
		AuditUserProvisioningUpdated:   "User updated by provisioning",
		AuditDefaultHandoverChanged:    "Default hand-over changed",
	} {
		auditActionLabels[action] = label
	}
}
