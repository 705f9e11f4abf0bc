package models

import (
	"context"
)

// ListPlans returns the actor's account's plans by name, for filters and forms.
func (s *Store) ListPlans(ctx context.Context, actor *Actor) ([]Plan, error) {
	var plans []Plan
	err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&plans).Error
	return plans, err
}

// ListGroups returns the actor's account's groups by name, for filters and forms.
func (s *Store) ListGroups(ctx context.Context, actor *Actor) ([]Group, error) {
	var groups []Group
	err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&groups).Error
	return groups, err
}
