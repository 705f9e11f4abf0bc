package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PrivacyEdit is what an admin may change about a deactivated user who can no longer sign in to
// change it themselves: people leave, their mailbox goes, and the account still shows their
// name and face. Renaming and removing the phone and picture keep the user, their records and
// their history; deleting them is a different, irreversible operation.
type PrivacyEdit struct {
	// Name is the display name the user should have from now on; the current name keeps it.
	Name          string
	RemovePhone   bool
	RemovePicture bool
}

// PrivacyEditable tells whether u may be privacy-edited, so that a form can explain the refusal
// before anyone fills it in. Returns PrivacyEditRefusedError unless u is inactive.
func PrivacyEditable(u *User) error {
	if u.Status != StatusInactive {
		return PrivacyEditRefusedError{Status: u.Status}
	}
	return nil
}

// PrivacyEditTarget loads the user the privacy-edit form is about. Returns ErrForbidden when the
// actor may not change users, and ErrNotFound for users who are deleted or in another account, so
// that foreign IDs reveal nothing. It does not refuse active users: the form explains that itself.
func (s *Store) PrivacyEditTarget(ctx context.Context, actor *Actor, userID int64) (*User, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	var u User
	if err := s.read(ctx).Where("id = ? AND account_id = ? AND status <> ?", userID, actor.Account.ID, StatusDeleted).
		Take(&u).Error; err != nil {
		return nil, notFound(err)
	}
	if err := s.requireReach(s.read(ctx), actor, []User{u}); err != nil {
		return nil, err
	}
	if !actor.CanActOn(&u) {
		return nil, ErrForbidden
	}
	return &u, nil
}

// EditInactiveUserPrivacy renames a deactivated user and/or removes their phone and picture, in
// one transaction with one audit event. The event says what changed but copies none of the
// personal data, neither old nor new: later anonymisation relies on the audit log holding none.
//
// Returns ErrForbidden when the actor may not change users, ErrNotFound for users who are
// deleted or in another account, PrivacyEditRefusedError unless the user is inactive, and
// FieldErrors for an unacceptable name ("name") or an edit that changes nothing ("edit").
func (s *Store) EditInactiveUserPrivacy(ctx context.Context, actor *Actor, userID int64, edit PrivacyEdit) error {
	if !actor.Allows(PermManageUsers) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var u User
		// The lock keeps a concurrent reactivation from making the user active between this check
		// and the update.
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
			Where("id = ? AND account_id = ? AND status <> ?", userID, actor.Account.ID, StatusDeleted).Take(&u).Error; err != nil {
			return notFound(err)
		}
		if err := s.requireReach(tx, actor, []User{u}); err != nil {
			return err
		}
		if !actor.CanActOn(&u) {
			return ErrForbidden
		}
		if err := PrivacyEditable(&u); err != nil {
			return err
		}
		name := strings.TrimSpace(edit.Name)
		if msg := validateName(name); msg != "" {
			return FieldErrors{"name": msg}
		}
		now := s.now()
		updates := map[string]any{}
		details := map[string]any{}
		if name != u.Name {
			updates["name"], details["renamed"] = name, true
		}
		if edit.RemovePhone && u.Phone != "" {
			updates["phone"], details["phone_removed"] = "", true
		}
		if edit.RemovePicture && u.PictureURL != "" {
			updates["picture_url"], details["picture_removed"] = "", true
		}
		if len(updates) == 0 {
			return FieldErrors{"edit": "Nothing changed: enter a different name, or choose a phone or picture to remove."}
		}
		updates["updated_at"] = now
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return err
		}
		if edit.RemovePicture {
			if err := s.deletePictures(tx, []int64{u.ID}); err != nil {
				return err
			}
		}
		event := auditRow(actor, AuditPrivacyEdited, &u.ID, now, details)
		return writeAudit(tx, event)
	})
}
