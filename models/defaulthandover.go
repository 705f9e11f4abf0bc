package models

import (
	"context"

	"gorm.io/gorm"
)

// HandoverMode is what happens to a leaver's work when no admin chooses it: the account's
// default hand-over (Settings > Account), used by provisioning (P1) and later by scheduled and
// dormancy offboarding (O2, O3).
type HandoverMode string

const (
	// HandoverKeep leaves records, groups and reports with the leaver.
	HandoverKeep HandoverMode = "keep"
	// HandoverToManager hands open records, owned groups and reports to the leaver's manager, or
	// to the named fallback user when the manager is not an active user who stays.
	HandoverToManager HandoverMode = "manager"
)

// AuditDefaultHandoverChanged records a change of the default hand-over.
const AuditDefaultHandoverChanged = "account.default_handover_changed"

// DefaultHandover is the account's default hand-over as Settings > Account shows it.
type DefaultHandover struct {
	Mode HandoverMode
	// FallbackID is the user who receives the work when the leaver's manager cannot; 0 is none.
	FallbackID int64
	// FallbackEmail and FallbackName describe FallbackID for the form; empty when there is none.
	FallbackEmail string
	FallbackName  string
	// FallbackActive is false when the named fallback is no longer an active user.
	FallbackActive bool
}

// DefaultHandoverInput is what the Settings > Account form sends: the mode and the fallback's
// e-mail address (empty for none).
type DefaultHandoverInput struct {
	Mode          HandoverMode
	FallbackEmail string
}

// DefaultHandoverOf reads the actor's account's default hand-over. Returns ErrForbidden.
func (s *Store) DefaultHandoverOf(ctx context.Context, actor *Actor) (DefaultHandover, error) {
	if !actor.Allows(PermManageAccount) {
		return DefaultHandover{}, ErrForbidden
	}
	return defaultHandover(s.read(ctx), actor.Account.ID)
}

func defaultHandover(db *gorm.DB, accountID int64) (DefaultHandover, error) {
	var row struct {
		HandoverMode       string
		HandoverFallbackID *int64
	}
	if err := db.Table("accounts").Select("handover_mode, handover_fallback_id").Where("id = ?", accountID).Take(&row).Error; err != nil {
		return DefaultHandover{}, notFound(err)
	}
	h := DefaultHandover{Mode: HandoverMode(row.HandoverMode)}
	if h.Mode != HandoverToManager {
		h.Mode = HandoverKeep
	}
	if row.HandoverFallbackID != nil {
		h.FallbackID = *row.HandoverFallbackID
		var users []User
		if err := db.Select("id, name, email, status").Where("id = ? AND account_id = ?", h.FallbackID, accountID).Find(&users).Error; err != nil {
			return h, err
		}
		if len(users) == 1 {
			h.FallbackEmail, h.FallbackName, h.FallbackActive = users[0].EmailAddress(), users[0].Name, users[0].Status == StatusActive
		}
	}
	return h, nil
}

// UpdateDefaultHandover saves the default hand-over with an audit event. The fallback must be
// an active user of the account. Returns ErrForbidden, and FieldErrors for "handover_mode" or
// "handover_fallback".
func (s *Store) UpdateDefaultHandover(ctx context.Context, actor *Actor, in DefaultHandoverInput) error {
	if !actor.Allows(PermManageAccount) {
		return ErrForbidden
	}
	if err := actor.RefuseStateChange(); err != nil {
		return err
	}
	if in.Mode != HandoverKeep && in.Mode != HandoverToManager {
		return FieldErrors{"handover_mode": "Choose what happens to a leaver's work."}
	}
	email := NormalizeEmail(in.FallbackEmail)
	if email != "" && ValidateEmail(email) != "" {
		return FieldErrors{"handover_fallback": "Enter the e-mail address of an active user, or leave it empty."}
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var fallback any
		var fallbackID int64
		if email != "" {
			user, err := lockActiveUserByEmail(tx, actor.Account.ID, email)
			if err != nil {
				return err
			}
			if user == nil {
				return FieldErrors{"handover_fallback": "Nobody active in this account has this address."}
			}
			fallback, fallbackID = user.ID, user.ID
		}
		current, err := defaultHandover(tx, actor.Account.ID)
		if err != nil {
			return err
		}
		if current.Mode == in.Mode && current.FallbackID == fallbackID {
			return nil
		}
		if err := tx.Table("accounts").Where("id = ?", actor.Account.ID).
			Updates(map[string]any{"handover_mode": string(in.Mode), "handover_fallback_id": fallback}).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditDefaultHandoverChanged, nil, s.now(),
			map[string]any{"mode": string(in.Mode), "fallback_user_id": fallbackID}))
	})
}

// DefaultHandoverPlan turns a leaver into the hand-over plan Deactivate takes, by the account's
// default hand-over: nothing moves under "keep"; under "manager", open records, owned groups and
// reports go to the leaver's manager when they are an active user who is not leaving too, else to
// the named fallback under the same condition, else nowhere. leaving lists everyone leaving in
// the same step (the leaver included), none of whom may receive. The plan neither demotes nor
// gives a reason: the caller decides both.
//
// Returns ErrNotFound when the leaver is not a user of the actor's account.
func (s *Store) DefaultHandoverPlan(ctx context.Context, actor *Actor, leaverID int64, leaving []int64) (HandoverPlan, error) {
	if !actor.Allows(PermManageUsers) {
		return HandoverPlan{}, ErrForbidden
	}
	return defaultHandoverPlan(s.read(ctx), actor.Account.ID, leaverID, leaving)
}

// defaultHandoverPlan is DefaultHandoverPlan on db (a transaction, for background work) for a
// leaver of the account accountID.
func defaultHandoverPlan(db *gorm.DB, accountID, leaverID int64, leaving []int64) (HandoverPlan, error) {
	var leavers []User
	if err := db.Where("id = ? AND account_id = ? AND status <> ?", leaverID, accountID, StatusDeleted).Find(&leavers).Error; err != nil {
		return HandoverPlan{}, err
	}
	if len(leavers) != 1 {
		return HandoverPlan{}, ErrNotFound
	}
	h, err := defaultHandover(db, accountID)
	if err != nil || h.Mode != HandoverToManager {
		return HandoverPlan{}, err
	}
	excluded := map[int64]bool{leaverID: true}
	for _, id := range leaving {
		excluded[id] = true
	}
	var candidates []int64
	if m := leavers[0].ManagerID; m != nil && !excluded[*m] {
		candidates = append(candidates, *m)
	}
	if h.FallbackID != 0 && !excluded[h.FallbackID] {
		candidates = append(candidates, h.FallbackID)
	}
	if len(candidates) == 0 {
		return HandoverPlan{}, nil
	}
	var active []int64
	if err := db.Model(&User{}).Where("id IN ? AND account_id = ? AND status = ?", candidates, accountID, StatusActive).
		Pluck("id", &active).Error; err != nil {
		return HandoverPlan{}, err
	}
	for _, c := range candidates {
		for _, a := range active {
			if a == c {
				return HandoverPlan{RecordsTo: c, GroupsTo: c, ManagerTo: c}, nil
			}
		}
	}
	return HandoverPlan{}, nil
}
