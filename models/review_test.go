package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// Findings of the review after issue 6, each a behaviour someone would notice.
func TestReviewFindings(t *testing.T) {
	ctx := context.Background()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		t.Run("a long user agent in a non-Latin script does not break signing in", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			agent := strings.Repeat("ブラウザ", 200) // 2,400 bytes: cut at 256 it would split a character
			if _, _, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "192.0.2.9", agent); err != nil {
				t.Fatalf("sign in: %v", err)
			}
		})
		t.Run("an invitee cannot choose a name that reorders text", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			plan := planOf(t, store, acc)
			address := "rlo-" + acc.Account.Name[5:] + "@example.com"
			if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(address), PlanID: plan.ID,
				Role: models.RoleMember, BaseURL: "http://x"}); err != nil {
				t.Fatal(err)
			}
			_, _, err := store.AcceptInvitation(ctx, tokenFrom(t, store, address), "Eve \u202egnp.exe", "a long enough password", "", "")
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["name"] == "" {
				t.Fatalf("a right-to-left override in the name: got %v", err)
			}
		})
		t.Run("deactivating an impersonator ends their impersonation on the record", func(t *testing.T) {
			w := newImpersonationWorld(t, store)
			token := sessionFor(t, store, w.otherAdmin)
			if _, err := store.StartImpersonation(ctx, authenticate(t, store, token), w.member.ID, models.ImpersonateView, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Deactivate(ctx, w.acc.Actor, []int64{w.otherAdmin.ID}, models.HandoverPlan{Demote: true}); err != nil {
				t.Fatal(err)
			}
			var open, ended int64
			if err := store.DB().Model(&models.Impersonation{}).Where("real_user_id = ? AND ended_at IS NULL", w.otherAdmin.ID).Count(&open).Error; err != nil {
				t.Fatal(err)
			}
			if err := store.DB().Model(&models.AuditEvent{}).Where("action = ? AND actor_id = ?", models.AuditImpersonationEnded, w.otherAdmin.ID).Count(&ended).Error; err != nil {
				t.Fatal(err)
			}
			if open != 0 || ended != 1 {
				t.Fatalf("after deactivation: %d impersonations still open, %d ended events", open, ended)
			}
		})
		t.Run("a group administrator's group filter lists only their groups", func(t *testing.T) {
			w := newImpersonationWorld(t, store)
			addGroup(t, store, w.acc, "Someone else's")
			groups, err := store.ListGroups(ctx, authenticate(t, store, sessionFor(t, store, w.groupAdmin)))
			if err != nil || len(groups) != 1 || groups[0].OwnerID != w.groupAdmin.ID {
				t.Fatalf("groups %+v, %v", groups, err)
			}
			if all, _ := store.ListGroups(ctx, w.acc.Actor); len(all) != 2 {
				t.Fatalf("the owner sees %d groups, want 2", len(all))
			}
		})
	})
}
