package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

var passwordHashOnce = sync.OnceValue(func() string {
	hash, _ := models.HashPassword(modelstest.Password)
	return hash
})

// sessionFor gives u a password and a session, and returns the session's token.
func sessionFor(t *testing.T, store *models.Store, u *models.User) string {
	t.Helper()
	if err := store.DB().Model(u).Update("password_hash", passwordHashOnce()).Error; err != nil {
		t.Fatal(err)
	}
	return signIn(t, store, u.EmailAddress(), modelstest.Password)
}

func authenticate(t *testing.T, store *models.Store, token string) *models.Actor {
	t.Helper()
	actor, err := store.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return actor
}

// impersonationWorld is an account with one person of each role that impersonates, and the
// people they might impersonate.
type impersonationWorld struct {
	acc                                 *modelstest.Account
	admin, support, manager, groupAdmin *models.User
	member, report, groupMember         *models.User
	inactive, invited, otherAdmin       *models.User
}

func newImpersonationWorld(t *testing.T, store *models.Store) *impersonationWorld {
	t.Helper()
	acc := modelstest.NewAccount(t, store)
	plan := acc.Owner.PlanID
	w := &impersonationWorld{acc: acc}
	w.admin = addUser(t, store, acc, "Ada Admin", impEmail(acc, "ada"), models.RoleAdmin, models.StatusActive, plan)
	w.otherAdmin = addUser(t, store, acc, "Abe Admin", impEmail(acc, "abe"), models.RoleAdmin, models.StatusActive, plan)
	w.support = addUser(t, store, acc, "Sam Support", impEmail(acc, "sam"), models.RoleSupport, models.StatusActive, plan)
	w.manager = addUser(t, store, acc, "Max Manager", impEmail(acc, "max"), models.RoleManager, models.StatusActive, plan)
	w.groupAdmin = addUser(t, store, acc, "Gia Groupadmin", impEmail(acc, "gia"), models.RoleGroupAdmin, models.StatusActive, plan)
	w.member = addUser(t, store, acc, "Mia Member", impEmail(acc, "mia"), models.RoleMember, models.StatusActive, plan)
	w.report = addUser(t, store, acc, "Rex Report", impEmail(acc, "rex"), models.RoleMember, models.StatusActive, plan)
	w.groupMember = addUser(t, store, acc, "Gus Groupmember", impEmail(acc, "gus"), models.RoleMember, models.StatusActive, plan)
	w.inactive = addUser(t, store, acc, "Ivy Inactive", impEmail(acc, "ivy"), models.RoleMember, models.StatusInactive, plan)
	w.invited = addUser(t, store, acc, "Ian Invited", impEmail(acc, "ian"), models.RoleMember, models.StatusInvited, plan)
	modelstest.Must(t, store.DB().Model(w.report).Update("manager_id", w.manager.ID))
	group := models.Group{AccountID: acc.Account.ID, Name: "Imp group", OwnerID: w.groupAdmin.ID, CreatedAt: time.Now()}
	if err := store.DB().Create(&group).Error; err != nil {
		t.Fatal(err)
	}
	joinGroup(t, store, acc, group.ID, w.groupMember)
	return w
}

func TestImpersonationRefusals(t *testing.T) {
	ctx := context.Background()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		w := newImpersonationWorld(t, store)
		deleted := addUser(t, store, w.acc, "Dee Deleted", impEmail(w.acc, "dee"), models.RoleMember, models.StatusDeleted, nil)
		finance := addUser(t, store, w.acc, "Fin Finance", impEmail(w.acc, "fin"), models.RoleFinance, models.StatusActive, w.acc.Owner.PlanID)
		cases := []struct {
			name   string
			actor  *models.User
			target *models.User
			want   string // a phrase of the refusal, "" for allowed, "404" or "403"
		}{
			{"admin views a member", w.admin, w.member, ""},
			{"admin views an inactive member", w.admin, w.inactive, ""},
			{"support views a member", w.support, w.member, ""},
			{"manager views their report", w.manager, w.report, ""},
			{"group administrator views their group's member", w.groupAdmin, w.groupMember, ""},
			{"oneself", w.admin, w.admin, "yourself"},
			{"equal rights", w.admin, w.otherAdmin, "same or more rights"},
			{"more rights", w.admin, w.acc.Owner, "same or more rights"},
			{"support on support-equal finance", w.support, finance, "same or more rights"},
			{"support on a manager", w.support, w.manager, "same or more rights"},
			{"a deleted user", w.admin, deleted, "deleted"},
			{"an invited user", w.admin, w.invited, "not accepted"},
			{"manager outside their reports", w.manager, w.member, "404"},
			{"group administrator outside their groups", w.groupAdmin, w.member, "404"},
			{"finance may not impersonate", finance, w.member, "403"},
			{"a member may not impersonate", w.member, w.report, "403"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				actor := authenticate(t, store, sessionFor(t, store, tc.actor))
				_, err := store.StartImpersonation(ctx, actor, tc.target.ID, models.ImpersonateView, "")
				switch tc.want {
				case "":
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if _, err := store.StopImpersonation(ctx, authenticate(t, store, mustToken(t, store, actor))); err != nil {
						t.Fatal(err)
					}
				case "404":
					if !errors.Is(err, models.ErrNotFound) {
						t.Fatalf("got %v, want ErrNotFound", err)
					}
				case "403":
					if !errors.Is(err, models.ErrForbidden) {
						t.Fatalf("got %v, want ErrForbidden", err)
					}
				default:
					var refused models.ImpersonationRefusedError
					if !errors.As(err, &refused) || !strings.Contains(refused.Reason, tc.want) {
						t.Fatalf("got %v, want a refusal saying %q", err, tc.want)
					}
				}
			})
		}
		t.Run("another account's user does not exist", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			actor := authenticate(t, store, sessionFor(t, store, w.admin))
			if _, err := store.StartImpersonation(ctx, actor, other.Owner.ID, models.ImpersonateView, ""); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
		t.Run("act as needs a reason", func(t *testing.T) {
			actor := authenticate(t, store, sessionFor(t, store, w.admin))
			_, err := store.StartImpersonation(ctx, actor, w.member.ID, models.ImpersonateAct, "   ")
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["reason"] == "" {
				t.Fatalf("got %v, want a message on reason", err)
			}
			if _, err := store.StartImpersonation(ctx, actor, w.member.ID, "sudo", ""); !errors.As(err, &fields) || fields["mode"] == "" {
				t.Fatalf("unknown mode: got %v", err)
			}
		})
		t.Run("not from inside another impersonation", func(t *testing.T) {
			token := sessionFor(t, store, w.admin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.manager.ID, models.ImpersonateAct, "ticket 7"); err != nil {
				t.Fatal(err)
			}
			asManager := authenticate(t, store, token)
			var refused models.ImpersonationRefusedError
			if _, err := store.StartImpersonation(ctx, asManager, w.report.ID, models.ImpersonateView, ""); !errors.As(err, &refused) {
				t.Fatalf("nested impersonation: got %v", err)
			}
		})
		t.Run("switched off for the account", func(t *testing.T) {
			modelstest.Must(t, store.DB().Model(&models.Account{}).Where("id = ?", w.acc.Account.ID).Update("impersonation_enabled", false))
			defer store.DB().Model(&models.Account{}).Where("id = ?", w.acc.Account.ID).Update("impersonation_enabled", true)
			var refused models.ImpersonationRefusedError
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, sessionFor(t, store, w.admin)), w.member.ID, models.ImpersonateView, ""); !errors.As(err, &refused) || !strings.Contains(refused.Reason, "switched off") {
				t.Fatalf("got %v", err)
			}
		})
	})
}

// mustToken signs the actor's user in again: tests that stop an impersonation need a fresh
// actor for the session, and the session is what the actor carries.
func mustToken(t *testing.T, store *models.Store, actor *models.Actor) string {
	t.Helper()
	return sessionFor(t, store, actor.RealUser())
}

func TestImpersonationLifecycle(t *testing.T) {
	ctx := context.Background()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		w := newImpersonationWorld(t, store)
		before := *w.inactive
		usageBefore, err := store.SeatUsage(ctx, w.acc.Actor)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("view as an inactive user is read-only and touches nothing of theirs", func(t *testing.T) {
			token := sessionFor(t, store, w.support)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.inactive.ID, models.ImpersonateView, ""); err != nil {
				t.Fatal(err)
			}
			as := authenticate(t, store, token)
			if as.User.ID != w.inactive.ID || as.RealUser().ID != w.support.ID || !as.Impersonating() {
				t.Fatalf("the request should run as %d really by %d: got %d by %d", w.inactive.ID, w.support.ID, as.User.ID, as.RealUser().ID)
			}
			var viewOnly models.ViewOnlyError
			if err := as.RefuseStateChange(); !errors.As(err, &viewOnly) {
				t.Fatalf("view as must refuse changes, got %v", err)
			}
			if err := store.UpdateOwnDetails(ctx, as, models.OwnDetails{Name: "Changed"}); !errors.As(err, &viewOnly) {
				t.Fatalf("a write under view as: got %v", err)
			}
			var after models.User
			modelstest.Must(t, store.DB().Take(&after, w.inactive.ID))
			if after.Name != before.Name || after.Status != models.StatusInactive || !sameTime(after.LastSignInAt, before.LastSignInAt) {
				t.Fatalf("the impersonated user changed: %+v", after)
			}
			usageAfter, _ := store.SeatUsage(ctx, w.acc.Actor)
			for i := range usageBefore {
				if usageBefore[i].InUse != usageAfter[i].InUse {
					t.Fatalf("impersonating took a seat: %d → %d", usageBefore[i].InUse, usageAfter[i].InUse)
				}
			}
			if _, err := store.StopImpersonation(ctx, as); err != nil {
				t.Fatal(err)
			}
			if back := authenticate(t, store, token); back.Impersonating() || back.User.ID != w.support.ID {
				t.Fatal("after stop the session must be the real user's again")
			}
		})

		t.Run("act as records both identities and keeps password and sessions out of reach", func(t *testing.T) {
			token := sessionFor(t, store, w.admin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.manager.ID, models.ImpersonateAct, "Ticket 4711: cannot see report"); err != nil {
				t.Fatal(err)
			}
			as := authenticate(t, store, token)
			if err := store.UpdateOwnDetails(ctx, as, models.OwnDetails{Name: "Max Manager", Phone: "+49 30 1234"}); err != nil {
				t.Fatal(err)
			}
			var event models.AuditEvent
			modelstest.Must(t, store.DB().Where("action = ? AND target_user_id = ?", models.AuditOwnDetailsChanged, w.manager.ID).Order("id DESC").Take(&event))
			if event.ActorID == nil || *event.ActorID != w.manager.ID || event.RealActorID == nil || *event.RealActorID != w.admin.ID {
				t.Fatalf("the change must name the manager as actor and the admin as real actor: %+v", event)
			}
			var refused models.ImpersonationRefusedError
			if err := store.ChangeOwnPassword(ctx, as, modelstest.Password, "a brand new password 1"); !errors.As(err, &refused) {
				t.Fatalf("changing the password while acting as: got %v", err)
			}
			if _, err := store.SignOutElsewhere(ctx, as); !errors.As(err, &refused) {
				t.Fatalf("ending sessions while acting as: got %v", err)
			}
			if _, err := store.ChangeRoles(ctx, as, []int64{w.manager.ID}, models.RoleMember); err == nil {
				t.Fatal("the impersonated user's role must not change")
			}
			// The manager's rights reach their report, but an admin acting as them gets no more
			// than both hold: the report is within both reaches, the member only in the admin's.
			if _, err := store.GetUserProfile(ctx, as, w.report.ID); err != nil {
				t.Fatalf("acting as the manager, their report: %v", err)
			}
			if _, err := store.GetUserProfile(ctx, as, w.member.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("acting as the manager, someone outside their reports: %v", err)
			}
			if _, err := store.StopImpersonation(ctx, as); err != nil {
				t.Fatal(err)
			}
			var stop models.AuditEvent
			modelstest.Must(t, store.DB().Where("action = ? AND target_user_id = ?", models.AuditImpersonationStopped, w.manager.ID).Take(&stop))
			if stop.ActorID == nil || *stop.ActorID != w.admin.ID {
				t.Fatalf("the stop is the admin's: %+v", stop)
			}
		})

		t.Run("ends by itself after the time limit", func(t *testing.T) {
			token := sessionFor(t, store, w.admin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.member.ID, models.ImpersonateView, ""); err != nil {
				t.Fatal(err)
			}
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			later := time.Now().Add(31 * time.Minute)
			store.Now = func() time.Time { return later }
			actor := authenticate(t, store, token)
			if actor.Impersonating() || actor.User.ID != w.admin.ID || !strings.Contains(actor.Notice, "time was up") {
				t.Fatalf("after 31 minutes: impersonating=%v user=%d notice=%q", actor.Impersonating(), actor.User.ID, actor.Notice)
			}
			var ended models.AuditEvent
			if err := store.DB().Where("action = ? AND target_user_id = ?", models.AuditImpersonationEnded, w.member.ID).Take(&ended).Error; err != nil {
				t.Fatalf("the timeout must be audited: %v", err)
			}
		})

		t.Run("revoking the impersonator's rights ends it at the next request", func(t *testing.T) {
			token := sessionFor(t, store, w.otherAdmin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.member.ID, models.ImpersonateAct, "helping"); err != nil {
				t.Fatal(err)
			}
			if _, err := store.ChangeRoles(ctx, w.acc.Actor, []int64{w.otherAdmin.ID}, models.RoleMember); err != nil {
				t.Fatal(err)
			}
			actor := authenticate(t, store, token)
			if actor.Impersonating() || !strings.Contains(actor.Notice, "no longer allowed") {
				t.Fatalf("after the demotion: impersonating=%v notice=%q", actor.Impersonating(), actor.Notice)
			}
		})

		t.Run("switching impersonation off ends running ones", func(t *testing.T) {
			token := sessionFor(t, store, w.admin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.member.ID, models.ImpersonateView, ""); err != nil {
				t.Fatal(err)
			}
			owner := authenticate(t, store, sessionFor(t, store, w.acc.Owner))
			if err := store.UpdateAccountSettings(ctx, owner, models.AccountSettings{ImpersonationEnabled: false, ImpersonationMinutes: 30, DeletionGraceDays: 14}); err != nil {
				t.Fatal(err)
			}
			defer store.UpdateAccountSettings(ctx, owner, models.AccountSettings{ImpersonationEnabled: true, ImpersonationMinutes: 30, DeletionGraceDays: 14})
			if actor := authenticate(t, store, token); actor.Impersonating() {
				t.Fatal("the impersonation must end once the account switches it off")
			}
		})
	})
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// impEmail is an address of its own per account: tests share one database.
func impEmail(acc *modelstest.Account, name string) string {
	return fmt.Sprintf("%s-%d@imp.example", name, acc.Account.ID)
}

// Knowing who asks is one statement: the session, its user, their account and any
// impersonation with its target are read together.
func TestAuthenticateIsOneStatement(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		w := newImpersonationWorld(t, store)
		token := sessionFor(t, store, w.admin)
		count := func() (*models.Actor, int) {
			counter := &queryCounter{}
			actor, err := store.WithQueryLogger(counter).Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			return actor, counter.n
		}
		if actor, n := count(); n != 1 || actor.User.ID != w.admin.ID || actor.Account.ID != w.acc.Account.ID {
			t.Fatalf("signed in: %d statements, actor %+v", n, actor.User)
		}
		if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.member.ID, models.ImpersonateView, ""); err != nil {
			t.Fatal(err)
		}
		actor, n := count()
		if n != 1 || !actor.Impersonating() || actor.User.ID != w.member.ID || actor.RealUser().ID != w.admin.ID {
			t.Fatalf("impersonating: %d statements, acting as %d", n, actor.User.ID)
		}
	})
}
