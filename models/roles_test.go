package models_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func TestChangeRoles(t *testing.T) {
	ctx := context.Background()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		w := newImpersonationWorld(t, store)
		admin := authenticate(t, store, sessionFor(t, store, w.admin))
		refusal := func(t *testing.T, err error, want string) {
			t.Helper()
			var refused models.BulkRefusal
			if !errors.As(err, &refused) {
				t.Fatalf("got %v, want a refusal saying %q", err, want)
			}
			for _, reason := range refused.Reasons {
				if strings.Contains(reason, want) {
					return
				}
			}
			t.Fatalf("refusal %v does not say %q", refused.Reasons, want)
		}

		t.Run("takes effect on the user's next request", func(t *testing.T) {
			token := sessionFor(t, store, w.member)
			if before := authenticate(t, store, token); before.Allows(models.PermViewUsers) {
				t.Fatal("a member must not see user management")
			}
			n, err := store.ChangeRoles(ctx, admin, []int64{w.member.ID}, models.RoleSupport)
			if err != nil || n != 1 {
				t.Fatalf("change: %d %v", n, err)
			}
			if after := authenticate(t, store, token); !after.Allows(models.PermViewUsers) || after.User.Role != models.RoleSupport {
				t.Fatal("the new role must apply from the very next request")
			}
			var event models.AuditEvent
			modelstest.Must(t, store.DB().Where("action = ? AND target_user_id = ?", models.AuditRoleChanged, w.member.ID).Take(&event))
			if !strings.Contains(event.Details, `"from":"member"`) || !strings.Contains(event.Details, `"to":"support"`) {
				t.Fatalf("audit details %s", event.Details)
			}
		})
		t.Run("nobody changes their own role", func(t *testing.T) {
			_, err := store.ChangeRoles(ctx, admin, []int64{w.admin.ID}, models.RoleMember)
			refusal(t, err, "own role")
		})
		t.Run("admins do not change owners or make owners", func(t *testing.T) {
			_, err := store.ChangeRoles(ctx, admin, []int64{w.acc.Owner.ID}, models.RoleMember)
			refusal(t, err, "same or more rights")
			_, err = store.ChangeRoles(ctx, admin, []int64{w.report.ID}, models.RoleOwner)
			refusal(t, err, "Only owners")
		})
		t.Run("all or nothing", func(t *testing.T) {
			_, err := store.ChangeRoles(ctx, admin, []int64{w.report.ID, w.acc.Owner.ID}, models.RoleManager)
			refusal(t, err, "same or more rights")
			var report models.User
			modelstest.Must(t, store.DB().Take(&report, w.report.ID))
			if report.Role != models.RoleMember {
				t.Fatalf("a refused bulk change still changed %s to %s", report.Name, report.Role)
			}
		})
		t.Run("the last owner cannot be demoted", func(t *testing.T) {
			owner := authenticate(t, store, sessionFor(t, store, w.acc.Owner))
			second := addUser(t, store, w.acc, "Second Owner", impEmail(w.acc, "second"), models.RoleOwner, models.StatusActive, w.acc.Owner.PlanID)
			if _, err := store.ChangeRoles(ctx, owner, []int64{second.ID}, models.RoleAdmin); err != nil {
				t.Fatalf("demoting one of two owners: %v", err)
			}
			// The owner demoting themself is refused as their own role; an owner demoting every
			// owner at once but themself is the same rule seen from the other side.
			_, err := store.ChangeRoles(ctx, owner, []int64{w.acc.Owner.ID}, models.RoleAdmin)
			refusal(t, err, "own role")
		})
		t.Run("inactive users are not given roles that must be demoted before deactivation", func(t *testing.T) {
			_, err := store.ChangeRoles(ctx, admin, []int64{w.inactive.ID}, models.RoleManager)
			refusal(t, err, "reactivate")
		})
		t.Run("group administrators and managers have no role changes", func(t *testing.T) {
			manager := authenticate(t, store, sessionFor(t, store, w.manager))
			if _, err := store.ChangeRoles(ctx, manager, []int64{w.report.ID}, models.RoleSupport); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("another account's users do not exist", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			if _, err := store.ChangeRoles(ctx, admin, []int64{other.Owner.ID}, models.RoleMember); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("unknown role", func(t *testing.T) {
			var fields models.FieldErrors
			if _, err := store.ChangeRoles(ctx, admin, []int64{w.report.ID}, "superuser"); !errors.As(err, &fields) || fields["role"] == "" {
				t.Fatalf("got %v", err)
			}
		})
	})
}

// Two owners demoting each other at the same moment: the account must keep an owner.
func TestLastOwnerSurvivesConcurrentDemotions(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		acc := modelstest.NewAccount(t, store)
		second := addUser(t, store, acc, "Second Owner", impEmail(acc, "second"), models.RoleOwner, models.StatusActive, acc.Owner.PlanID)
		first := authenticate(t, store, sessionFor(t, store, acc.Owner))
		other := authenticate(t, store, sessionFor(t, store, second))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range []struct {
			actor  *models.Actor
			target int64
		}{{first, second.ID}, {other, acc.Owner.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = store.ChangeRoles(ctx, pair.actor, []int64{pair.target}, models.RoleAdmin)
			}()
		}
		wg.Wait()
		var owners int64
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND role = ? AND status = ?", acc.Account.ID, models.RoleOwner, models.StatusActive).Count(&owners))
		if owners != 1 {
			t.Fatalf("round %d: %d owners left (errors %v)", round, owners, errs)
		}
	}
}
