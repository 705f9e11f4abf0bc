package models

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// AuditRoleChanged is a user given another role, with the old and the new one.
const AuditRoleChanged = "user.role_changed"

// RoleDescriptions say in one line what each role may do, for the forms that grant them.
var RoleDescriptions = map[Role]string{
	RoleOwner:      "Everything, including buying seats and account settings. The account always keeps one.",
	RoleAdmin:      "User management, groups, roles, impersonation and the audit log for the whole account.",
	RoleGroupAdmin: "Manages the members of the groups they own: deactivate, reactivate, impersonate.",
	RoleManager:    "Manages the people who report to them: deactivate, reactivate, impersonate.",
	RoleSupport:    "Reads user management and the audit log, and may view or act as members to help them.",
	RoleFinance:    "Seats & billing and its exports; sees nothing else of user management.",
	RoleMember:     "No access to Settings.",
}

// GrantableRoles are the roles the actor may give, most rights first.
func (a *Actor) GrantableRoles() []Role {
	var roles []Role
	if !a.Allows(PermManageRoles) {
		return nil
	}
	for _, r := range Roles {
		if a.CanGrantRole(r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// ChangeRoles gives the selected users role, all or nothing, in one transaction with an
// audit event per user. The change is seen on each user's very next request, since every request
// re-reads its user. Refused person by person with BulkRefusal: one's own role, users the actor
// does not outrank, making owners without being one, users who already have the role, inactive
// users given a role that must be demoted before deactivation, and demoting the last active owner.
//
// Returns ErrForbidden, ErrNotFound for users outside the actor's reach or account, FieldErrors
// for an empty or too large selection ("ids") or an unknown role ("role").
func (s *Store) ChangeRoles(ctx context.Context, actor *Actor, ids []int64, role Role) (int, error) {
	if !actor.Allows(PermManageRoles) {
		return 0, ErrForbidden
	}
	if _, ok := ParseRole(string(role)); !ok {
		return 0, FieldErrors{"role": "Choose a role."}
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	changed := 0
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.lockSelectedUsers(tx, actor, ids)
		if err != nil {
			return err
		}
		var leaving []int64
		if role != RoleOwner {
			leaving = ids
		}
		remainingOwners, err := s.otherActiveOwners(tx, actor.Account.ID, leaving)
		if err != nil {
			return err
		}
		if err := refuseEach("Change role", users, func(u *User) string {
			if err := actor.CanChangeRole(u, role); err != nil {
				var refused RoleChangeRefusedError
				if errors.As(err, &refused) {
					return capitalise(refused.Reason) + "."
				}
				return "You may not change this user's role."
			}
			switch {
			case u.Role == role:
				return "Already " + role.Label() + "."
			case u.Status == StatusInactive && rolesDemotedBeforeDeactivation[role]:
				return "Inactive users cannot be " + role.Label() + "s: reactivate them first."
			case u.Role == RoleOwner && u.Status == StatusActive && remainingOwners == 0:
				return "The last owner of the account: make someone else an owner first."
			}
			return ""
		}); err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Updates(map[string]any{"role": role, "updated_at": now}).Error; err != nil {
			return err
		}
		audit := make([]AuditEvent, len(users))
		for i := range users {
			audit[i] = auditRow(actor, AuditRoleChanged, &users[i].ID, now, map[string]any{"from": users[i].Role, "to": role})
		}
		if err := writeAudit(tx, audit...); err != nil {
			return err
		}
		changed = len(users)
		return nil
	})
	return changed, err
}

// RoleChangeSelection counts the users a role change was asked for, for the change-role page,
// with the roles the actor may give. Returns ErrForbidden, FieldErrors for an empty or too large
// selection, ErrNotFound when any is unknown, deleted, of another account or out of reach.
func (s *Store) RoleChangeSelection(ctx context.Context, actor *Actor, ids []int64) (int, []Role, error) {
	if !actor.Allows(PermManageRoles) {
		return 0, nil, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, nil, err
	}
	users, err := s.selectedUsers(s.read(ctx), actor, ids, false)
	if err != nil {
		return 0, nil, err
	}
	return len(users), actor.GrantableRoles(), nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}
