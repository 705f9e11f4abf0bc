package models

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Self-service audit actions: what people change about themselves.
const (
	AuditOwnDetailsChanged  = "user.details_changed"
	AuditOwnPasswordChanged = "user.password_changed"
	AuditSignedOutElsewhere = "user.signed_out_elsewhere"
)

// MaxPhoneLength bounds a phone number as people type it, with spaces and a prefix.
const MaxPhoneLength = 40

// OwnDetails is what people may change about themselves on their home page. The e-mail address
// is not among them: it is how they sign in, and admins change it.
type OwnDetails struct {
	Name  string
	Phone string
}

// UpdateOwnDetails changes the name and phone of the user the request acts as; under "Act as"
// that is the impersonated user, recorded with both identities. Returns FieldErrors per field.
func (s *Store) UpdateOwnDetails(ctx context.Context, actor *Actor, d OwnDetails) error {
	if !actor.Allows(PermSignedIn) {
		return ErrForbidden
	}
	d.Name, d.Phone = strings.TrimSpace(d.Name), strings.TrimSpace(d.Phone)
	errs := FieldErrors{}
	if msg := validateName(d.Name); msg != "" {
		errs["name"] = msg
	}
	if utf8.RuneCountInString(d.Phone) > MaxPhoneLength || !utf8.ValidString(d.Phone) ||
		strings.IndexFunc(d.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-()./ ", r) && r != 'x' }) >= 0 {
		errs["phone"] = "Use digits, spaces and + - ( ) . / only, at most 40 characters."
	}
	if len(errs) > 0 {
		return errs
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var u User
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Take(&u, actor.User.ID).Error; err != nil {
			return notFound(err)
		}
		var changed []string
		if u.Name != d.Name {
			changed = append(changed, "name")
		}
		if u.Phone != d.Phone {
			changed = append(changed, "phone")
		}
		if len(changed) == 0 {
			return nil
		}
		now := s.now()
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"name": d.Name, "phone": d.Phone, "updated_at": now}).Error; err != nil {
			return err
		}
		actor.User.Name, actor.User.Phone = d.Name, d.Phone
		// The fields that changed, never their values: the log holds no personal data.
		return writeAudit(tx, auditRow(actor, AuditOwnDetailsChanged, &u.ID, now, map[string]any{"fields": changed}))
	})
}

// ChangeOwnPassword replaces the signed-in user's password after checking the current one, and
// ends their other sessions. Refused while impersonating: nobody changes another person's
// password by acting as them. Returns FieldErrors on "current" or "password".
func (s *Store) ChangeOwnPassword(ctx context.Context, actor *Actor, current, password string) error {
	if !actor.Allows(PermSignedIn) {
		return ErrForbidden
	}
	if actor.Impersonating() {
		return ImpersonationRefusedError{User: actor.User.Name, Reason: "their password cannot be changed while you impersonate them"}
	}
	errs := FieldErrors{}
	if msg := ValidatePassword(password); msg != "" {
		errs["password"] = msg
	}
	if len(current) > maxPasswordLength {
		errs["current"] = "That is not your current password."
	} else if ok, err := passwordMatches(ctx, current, actor.User.PasswordHash); err != nil {
		return err
	} else if !ok {
		errs["current"] = "That is not your current password."
	}
	if len(errs) > 0 {
		return errs
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		now := s.now()
		if err := tx.Model(&User{}).Where("id = ?", actor.User.ID).Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&UserSession{}).Where("user_id = ? AND id <> ? AND revoked_at IS NULL", actor.User.ID, actor.Session.ID).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditOwnPasswordChanged, &actor.User.ID, now, nil))
	})
}

// SignOutElsewhere ends every other session of the signed-in user, and says how many ended.
// Refused while impersonating: the impersonated user's sessions are theirs.
func (s *Store) SignOutElsewhere(ctx context.Context, actor *Actor) (int64, error) {
	if !actor.Allows(PermSignedIn) {
		return 0, ErrForbidden
	}
	if actor.Impersonating() {
		return 0, ImpersonationRefusedError{User: actor.User.Name, Reason: "their sessions cannot be ended while you impersonate them"}
	}
	var ended int64
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		now := s.now()
		result := tx.Model(&UserSession{}).Where("user_id = ? AND id <> ? AND revoked_at IS NULL AND expires_at > ?", actor.User.ID, actor.Session.ID, now).
			Update("revoked_at", now)
		if result.Error != nil {
			return result.Error
		}
		ended = result.RowsAffected
		return writeAudit(tx, auditRow(actor, AuditSignedOutElsewhere, &actor.User.ID, now, map[string]any{"sessions": ended}))
	})
	return ended, err
}
