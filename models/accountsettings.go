package models

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AuditAccountSettingsChanged records which account settings changed, from what to what.
const AuditAccountSettingsChanged = "account.settings_changed"

// Bounds of the account settings.
const (
	MinImpersonationMinutes = 5
	MaxImpersonationMinutes = 240
	MaxDeletionGraceDays    = 90
)

// AccountSettings are the account-wide switches an owner controls on Settings > Account.
type AccountSettings struct {
	// ImpersonationEnabled off refuses every new impersonation and ends running ones at their
	// next request.
	ImpersonationEnabled bool
	ImpersonationMinutes int
	DeletionGraceDays    int
}

// Validate checks every setting is within its bounds, with a message per field.
func (in AccountSettings) Validate() FieldErrors {
	errs := FieldErrors{}
	if in.ImpersonationMinutes < MinImpersonationMinutes || in.ImpersonationMinutes > MaxImpersonationMinutes {
		errs["impersonation_minutes"] = "Choose between 5 and 240 minutes."
	}
	if in.DeletionGraceDays < 0 || in.DeletionGraceDays > MaxDeletionGraceDays {
		errs["deletion_grace_days"] = "Choose between 0 and 90 days."
	}
	return errs
}

// AccountSettingsOf reads the settings of the actor's account.
func (s *Store) AccountSettingsOf(ctx context.Context, actor *Actor) (AccountSettings, error) {
	if !actor.Allows(PermManageAccount) {
		return AccountSettings{}, ErrForbidden
	}
	var a Account
	if err := s.read(ctx).Take(&a, actor.Account.ID).Error; err != nil {
		return AccountSettings{}, err
	}
	return AccountSettings{ImpersonationEnabled: a.ImpersonationEnabled, ImpersonationMinutes: a.ImpersonationMinutes,
		DeletionGraceDays: a.DeletionGraceDays}, nil
}

// UpdateAccountSettings saves the settings with an audit event naming what changed. Returns
// ErrForbidden, and FieldErrors on "impersonation_minutes" or "deletion_grace_days".
func (s *Store) UpdateAccountSettings(ctx context.Context, actor *Actor, in AccountSettings) error {
	if !actor.Allows(PermManageAccount) {
		return ErrForbidden
	}
	if errs := in.Validate(); len(errs) > 0 {
		return errs
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var a Account
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Take(&a, actor.Account.ID).Error; err != nil {
			return err
		}
		changed := map[string]any{}
		if a.ImpersonationEnabled != in.ImpersonationEnabled {
			changed["impersonation_enabled"] = in.ImpersonationEnabled
		}
		if a.ImpersonationMinutes != in.ImpersonationMinutes {
			changed["impersonation_minutes"] = in.ImpersonationMinutes
		}
		if a.DeletionGraceDays != in.DeletionGraceDays {
			changed["deletion_grace_days"] = in.DeletionGraceDays
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.Model(&Account{}).Where("id = ?", a.ID).Updates(changed).Error; err != nil {
			return err
		}
		actor.Account.ImpersonationEnabled, actor.Account.ImpersonationMinutes, actor.Account.DeletionGraceDays =
			in.ImpersonationEnabled, in.ImpersonationMinutes, in.DeletionGraceDays
		return writeAudit(tx, auditRow(actor, AuditAccountSettingsChanged, nil, s.now(), changed))
	})
}
