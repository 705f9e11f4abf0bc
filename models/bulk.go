package models

import (
	"fmt"

	"gorm.io/gorm"
)

// refuseEach runs the all-or-nothing check every bulk action starts with: why says what stops
// one user ("" for nothing), and the result is a BulkRefusal naming everyone stopped, or nil.
func refuseEach(action string, users []User, why func(u *User) string) error {
	refusal := BulkRefusal{Action: action, Reasons: map[int64]string{}, Names: map[int64]string{}}
	for i := range users {
		if reason := why(&users[i]); reason != "" {
			refusal.Reasons[users[i].ID], refusal.Names[users[i].ID] = reason, users[i].Name
		}
	}
	if len(refusal.Reasons) > 0 {
		return refusal
	}
	return nil
}

func unique64(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// MaxUsersPerAction bounds one bulk operation; larger selections are split by the admin.
const MaxUsersPerAction = 5000

// selectedUsers loads the selected users of the actor's account in ID order, locking them when
// asked: every bulk action locks in that one order, so two on overlapping selections wait for
// each other instead of deadlocking. Returns ErrNotFound when any ID is not a live user of the
// account or is outside the actor's reach.
func (s *Store) selectedUsers(db *gorm.DB, actor *Actor, ids []int64, lock bool) ([]User, error) {
	var users []User
	q := db.Where(s.idIn("id", ids)).Where("account_id = ? AND status <> ?", actor.Account.ID, StatusDeleted).Order("id")
	if err := lockIf(q, lock).Find(&users).Error; err != nil {
		return nil, err
	}
	if len(users) != len(ids) {
		return nil, ErrNotFound
	}
	return users, s.requireReach(db, actor, users)
}

// lockSelectedUsers is selectedUsers for a transaction about to change them.
func (s *Store) lockSelectedUsers(tx *gorm.DB, actor *Actor, ids []int64) ([]User, error) {
	return s.selectedUsers(tx, actor, ids, true)
}

// lockSeatPlansThenUsers locks the plans of the selected users, then the users, as the lock
// order wants for an action that claims seats on the plans the users already have. The account
// lock, taken first, keeps anyone from moving them to another plan in between.
func (s *Store) lockSeatPlansThenUsers(tx *gorm.DB, actor *Actor, ids []int64) ([]User, error) {
	var planIDs []int64
	if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Where("account_id = ? AND plan_id IS NOT NULL", actor.Account.ID).
		Distinct().Pluck("plan_id", &planIDs).Error; err != nil {
		return nil, err
	}
	if len(planIDs) > 0 {
		if _, err := lockPlans(tx, actor.Account.ID, planIDs); err != nil {
			return nil, err
		}
	}
	return s.lockSelectedUsers(tx, actor, ids)
}

// selection checks the users an action was asked for: at least one, at most MaxUsersPerAction,
// each once.
func selection(ids []int64) ([]int64, error) {
	ids = unique64(ids)
	if len(ids) == 0 {
		return nil, FieldErrors{"ids": "Select at least one user."}
	}
	if len(ids) > MaxUsersPerAction {
		return nil, FieldErrors{"ids": fmt.Sprintf("Select at most %d users at a time.", MaxUsersPerAction)}
	}
	return ids, nil
}
