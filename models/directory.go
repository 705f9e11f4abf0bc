package models

import (
	"context"
)

// ListPlans returns the actor's account's plans by name, for filters and forms of user
// management and of seats.
func (s *Store) ListPlans(ctx context.Context, actor *Actor) ([]Plan, error) {
	if !actor.Allows(PermViewUsers) && !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	var plans []Plan
	err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&plans).Error
	return plans, err
}

// ListGroups returns the groups the actor sees by name, for filters and forms: every group of
// the account for account-wide roles, their own groups for group administrators, none for
// managers, whose reach is their reports.
func (s *Store) ListGroups(ctx context.Context, actor *Actor) ([]Group, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	q := s.read(ctx).Where("account_id = ?", actor.Account.ID)
	if !actor.ReachesAccount() {
		if !actor.Allows(PermViewGroups) {
			return nil, nil
		}
		q = q.Where("owner_id = ?", actor.User.ID)
	}
	var groups []Group
	err := q.Order("name, id").Find(&groups).Error
	return groups, err
}
