package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

const newPassword = "a brand new passphrase"

// addSignedUpUser is an active member who can sign in with modelstest.Password; the address is
// unique to the account, so self-service lookups across accounts find only whom a test meant.
func addSignedUpUser(t *testing.T, store *models.Store, acc *modelstest.Account, name string) *models.User {
	t.Helper()
	email := fmt.Sprintf("%s-%d@example.com", strings.ToLower(name), acc.Account.ID)
	u := addUser(t, store, acc, name, email, models.RoleMember, models.StatusActive, nil)
	hash, err := models.HashPassword(modelstest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.DB().Model(u).Update("password_hash", hash).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func signIn(t *testing.T, store *models.Store, email, password string) string {
	t.Helper()
	_, token, err := store.SignIn(context.Background(), email, password, "192.0.2.1", "test")
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	return token
}

func countMail(t *testing.T, store *models.Store, address string) int64 {
	t.Helper()
	return modelstest.Count(t, store.DB().Model(&models.OutboxMessage{}).Where("to_address = ?", address))
}

func countResets(t *testing.T, store *models.Store, userID int64) int64 {
	t.Helper()
	return modelstest.Count(t, store.DB().Model(&models.PasswordReset{}).Where("user_id = ?", userID))
}

func TestRequestPasswordResets(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)

		t.Run("EndsSessionsLocksTheOldPasswordAndMailsAHashedLink", func(t *testing.T) {
			pat := addSignedUpUser(t, store, acc, "Pat")
			phone, laptop := signIn(t, store, pat.EmailAddress(), modelstest.Password), signIn(t, store, pat.EmailAddress(), modelstest.Password)
			n, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{pat.ID}, "https://roster.example/")
			if err != nil || n != 1 {
				t.Fatalf("reset: %d, %v", n, err)
			}
			for _, session := range []string{phone, laptop} {
				if _, err := store.Authenticate(ctx, session); !errors.Is(err, models.ErrSessionEnded) {
					t.Fatalf("a session survived the reset: %v", err)
				}
			}
			if _, _, err := store.SignIn(ctx, pat.EmailAddress(), modelstest.Password, "203.0.113.9", ""); !errors.Is(err, models.ErrBadCredentials) {
				t.Fatalf("the old password still signs in after an admin reset: %v", err)
			}
			token := tokenFrom(t, store, pat.EmailAddress())
			var msg models.OutboxMessage
			modelstest.Must(t, store.DB().Where("to_address = ?", pat.EmailAddress()).Order("id DESC").First(&msg))
			wantTokenLink(t, msg.ActionURL, "https://roster.example/password/reset/")
			if !strings.Contains(msg.Body, acc.Owner.Name) {
				t.Fatalf("mail link %q, body %q", msg.ActionURL, msg.Body)
			}
			var stored models.PasswordReset
			modelstest.Must(t, store.DB().Where("user_id = ?", pat.ID).First(&stored))
			if stored.TokenHash == token || strings.Contains(stored.TokenHash, token) || stored.RequestedByID == nil || *stored.RequestedByID != acc.Owner.ID {
				t.Fatalf("stored reset %+v: only the token's hash may be kept, with the admin who asked", stored)
			}
			if got := stored.ExpiresAt.Sub(stored.CreatedAt); got != models.PasswordResetLifetime {
				t.Fatalf("link lifetime %s", got)
			}
			var audit models.AuditEvent
			if err := store.DB().Where("target_user_id = ? AND action = ?", pat.ID, models.AuditPasswordResetRequested).First(&audit).Error; err != nil ||
				!strings.Contains(audit.Details, `"sessions_ended":2`) {
				t.Fatalf("audit %+v: %v", audit, err)
			}
			view, err := store.OpenPasswordReset(ctx, token)
			if err != nil || view.Email != pat.EmailAddress() || view.AccountName != acc.Account.Name {
				t.Fatalf("open: %+v %v", view, err)
			}
		})
		t.Run("TheLinkWorksOnce", func(t *testing.T) {
			quinn := addSignedUpUser(t, store, acc, "Quinn")
			if _, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{quinn.ID}, "http://x"); err != nil {
				t.Fatal(err)
			}
			token := tokenFrom(t, store, quinn.EmailAddress())
			if _, _, err := store.CompletePasswordReset(ctx, token, "short", "", ""); !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("short password: got %v, want FieldErrors", err)
			}
			actor, session, err := store.CompletePasswordReset(ctx, token, newPassword, "10.0.0.1", "test")
			if err != nil || actor.User.ID != quinn.ID {
				t.Fatalf("complete: %v", err)
			}
			if _, err := store.Authenticate(ctx, session); err != nil {
				t.Fatalf("the reset did not sign them in: %v", err)
			}
			if _, _, err := store.CompletePasswordReset(ctx, token, "yet another passphrase", "", ""); !errors.Is(err, models.ErrPasswordResetUsed) {
				t.Fatalf("second use: got %v, want ErrPasswordResetUsed", err)
			}
			if _, err := store.OpenPasswordReset(ctx, token); !errors.Is(err, models.ErrPasswordResetUsed) {
				t.Fatalf("opening a used link: got %v", err)
			}
			signIn(t, store, quinn.EmailAddress(), newPassword)
		})
		t.Run("RefusesBrokenAndExpiredLinks", func(t *testing.T) {
			rory := addSignedUpUser(t, store, acc, "Rory")
			if _, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{rory.ID}, "http://x"); err != nil {
				t.Fatal(err)
			}
			token := tokenFrom(t, store, rory.EmailAddress())
			for _, bad := range []string{"", "x", strings.Repeat("0", 64), token[:63] + "z", "' OR 1=1 --"} {
				if _, err := store.OpenPasswordReset(ctx, bad); !errors.Is(err, models.ErrPasswordResetUnknown) {
					t.Errorf("token %q: got %v, want ErrPasswordResetUnknown", bad, err)
				}
			}
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			store.Now = func() time.Time { return time.Now().Add(models.PasswordResetLifetime + time.Minute) }
			if _, _, err := store.CompletePasswordReset(ctx, token, newPassword, "", ""); !errors.Is(err, models.ErrPasswordResetExpired) {
				t.Fatalf("expired: got %v", err)
			}
		})
		t.Run("ANewerLinkReplacesTheOlder", func(t *testing.T) {
			sam := addSignedUpUser(t, store, acc, "Sam")
			if _, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{sam.ID}, "http://x"); err != nil {
				t.Fatal(err)
			}
			first := tokenFrom(t, store, sam.EmailAddress())
			if err := store.RequestOwnPasswordReset(ctx, sam.EmailAddress(), "http://x", "192.0.2.50"); err != nil {
				t.Fatal(err)
			}
			second := tokenFrom(t, store, sam.EmailAddress())
			if first == second {
				t.Fatal("the second request resent the first link")
			}
			if _, err := store.OpenPasswordReset(ctx, first); !errors.Is(err, models.ErrPasswordResetReplaced) {
				t.Fatalf("older link: got %v, want ErrPasswordResetReplaced", err)
			}
			if _, _, err := store.CompletePasswordReset(ctx, second, newPassword, "", ""); err != nil {
				t.Fatalf("newest link: %v", err)
			}
		})
		t.Run("RefusesEveryoneWhenOneDoesNotQualify", func(t *testing.T) {
			tess := addSignedUpUser(t, store, acc, "Tess")
			session := signIn(t, store, tess.EmailAddress(), modelstest.Password)
			gone := addUser(t, store, acc, "Uma", fmt.Sprintf("uma-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInactive, nil)
			invited := addUser(t, store, acc, "Vic", fmt.Sprintf("vic-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInvited, nil)
			_, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{tess.ID, gone.ID, invited.ID, acc.Owner.ID}, "http://x")
			var refusal models.BulkRefusal
			if !errors.As(err, &refusal) || len(refusal.Reasons) != 3 || refusal.Reasons[tess.ID] != "" || refusal.Names[gone.ID] != "Uma" {
				t.Fatalf("got %v %+v, want a refusal for the inactive, the invited and the admin themself", err, refusal.Reasons)
			}
			if _, err := store.Authenticate(ctx, session); err != nil {
				t.Fatalf("a refused reset ended a session: %v", err)
			}
			signIn(t, store, tess.EmailAddress(), modelstest.Password)
			if mails, resets := countMail(t, store, tess.EmailAddress()), countResets(t, store, tess.ID); mails != 0 || resets != 0 {
				t.Fatalf("a refused reset left %d mails and %d links", mails, resets)
			}
		})
		t.Run("ErrNotFoundForAnotherAccountsUser", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			if _, err := store.RequestPasswordResets(ctx, acc.Actor, []int64{other.Owner.ID}, "http://x"); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if n := countResets(t, store, other.Owner.ID); n != 0 {
				t.Fatalf("%d links for another account's user", n)
			}
		})
		t.Run("ErrForbiddenForMembers", func(t *testing.T) {
			member := addSignedUpUser(t, store, acc, "Wes")
			actor := &models.Actor{User: member, Account: acc.Account}
			if _, err := store.RequestPasswordResets(ctx, actor, []int64{acc.Owner.ID}, "http://x"); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("got %v, want ErrForbidden", err)
			}
		})
	})
}

func TestRequestOwnPasswordReset(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)

		t.Run("UnknownAddressesGetNilAndNoMail", func(t *testing.T) {
			address := fmt.Sprintf("nobody-%d@example.com", acc.Account.ID)
			if err := store.RequestOwnPasswordReset(ctx, address, "http://x", "192.0.2.10"); err != nil {
				t.Fatalf("unknown address: %v", err)
			}
			gone := addUser(t, store, acc, "Xan", fmt.Sprintf("xan-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInactive, nil)
			if err := store.RequestOwnPasswordReset(ctx, gone.EmailAddress(), "http://x", "192.0.2.10"); err != nil {
				t.Fatalf("inactive user: %v", err)
			}
			if countMail(t, store, address)+countMail(t, store, gone.EmailAddress())+countResets(t, store, gone.ID) != 0 {
				t.Fatal("mail or a link for an address that has no active user")
			}
			for _, bad := range []string{"", "not-an-address", strings.Repeat("a", 10000) + "@example.com", "<script>@x"} {
				if err := store.RequestOwnPasswordReset(ctx, bad, "http://x", "192.0.2.10"); !errors.Is(err, models.ErrInvalid) {
					t.Errorf("%.20q: got %v, want FieldErrors", bad, err)
				}
			}
		})
		t.Run("CompletingEndsTheOtherSessionsAndTheOldPassword", func(t *testing.T) {
			yan := addSignedUpUser(t, store, acc, "Yan")
			phone, laptop := signIn(t, store, yan.EmailAddress(), modelstest.Password), signIn(t, store, yan.EmailAddress(), modelstest.Password)
			if err := store.RequestOwnPasswordReset(ctx, "  "+strings.ToUpper(yan.EmailAddress()), "http://x", "192.0.2.11"); err != nil {
				t.Fatal(err)
			}
			for _, session := range []string{phone, laptop} {
				if _, err := store.Authenticate(ctx, session); err != nil {
					t.Fatalf("asking for a link ended a session; anyone can ask: %v", err)
				}
			}
			signIn(t, store, yan.EmailAddress(), modelstest.Password)
			var stored models.PasswordReset
			modelstest.Must(t, store.DB().Where("user_id = ?", yan.ID).First(&stored))
			if stored.RequestedByID != nil || stored.RequestedIP != "192.0.2.11" {
				t.Fatalf("self-service link stored as %+v", stored)
			}
			_, session, err := store.CompletePasswordReset(ctx, tokenFrom(t, store, yan.EmailAddress()), newPassword, "192.0.2.11", "test")
			if err != nil {
				t.Fatal(err)
			}
			for _, old := range []string{phone, laptop} {
				if _, err := store.Authenticate(ctx, old); !errors.Is(err, models.ErrSessionEnded) {
					t.Fatalf("an old session survived the new password: %v", err)
				}
			}
			if _, err := store.Authenticate(ctx, session); err != nil {
				t.Fatalf("the new session: %v", err)
			}
			if _, _, err := store.SignIn(ctx, yan.EmailAddress(), modelstest.Password, "203.0.113.9", ""); !errors.Is(err, models.ErrBadCredentials) {
				t.Fatalf("the old password still works: %v", err)
			}
			signIn(t, store, yan.EmailAddress(), newPassword)
			var audit int64
			modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("target_user_id = ? AND action IN ?", yan.ID,
				[]string{models.AuditPasswordResetRequested, models.AuditPasswordReset}).Count(&audit))
			if audit != 2 {
				t.Fatalf("%d audit events, want the request and the reset", audit)
			}
		})
		t.Run("MailsEveryAccountOfTheAddress", func(t *testing.T) {
			zoe := addSignedUpUser(t, store, acc, "Zoe")
			other := modelstest.NewAccount(t, store)
			addUser(t, store, other, "Zoe", zoe.EmailAddress(), models.RoleMember, models.StatusActive, nil)
			if err := store.RequestOwnPasswordReset(ctx, zoe.EmailAddress(), "http://x", "192.0.2.12"); err != nil {
				t.Fatal(err)
			}
			var subjects []string
			modelstest.Must(t, store.DB().Model(&models.OutboxMessage{}).Where("to_address = ?", zoe.EmailAddress()).Order("subject").Pluck("subject", &subjects))
			if len(subjects) != 2 || !strings.Contains(strings.Join(subjects, "|"), other.Account.Name) {
				t.Fatalf("subjects %q, want one mail per account", subjects)
			}
		})
		t.Run("LimitsPerUserAndPerClientAreSilent", func(t *testing.T) {
			abe := addSignedUpUser(t, store, acc, "Abe")
			for i := 0; i < 5; i++ {
				if err := store.RequestOwnPasswordReset(ctx, abe.EmailAddress(), "http://x", fmt.Sprintf("192.0.2.%d", 100+i)); err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
			}
			if n := countMail(t, store, abe.EmailAddress()); n != 3 {
				t.Fatalf("%d mails in an hour, want 3", n)
			}
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			store.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
			if err := store.RequestOwnPasswordReset(ctx, abe.EmailAddress(), "http://x", "192.0.2.100"); err != nil {
				t.Fatal(err)
			}
			if n := countMail(t, store, abe.EmailAddress()); n != 4 {
				t.Fatalf("%d mails after the hour, want 4", n)
			}

			client := "198.51.100.7"
			for i := 0; i < 12; i++ {
				u := addSignedUpUser(t, store, acc, fmt.Sprintf("Many%d", i))
				if err := store.RequestOwnPasswordReset(ctx, u.EmailAddress(), "http://x", client); err != nil {
					t.Fatal(err)
				}
			}
			var fromClient int64
			modelstest.Must(t, store.DB().Model(&models.PasswordReset{}).Where("requested_ip = ?", client).Count(&fromClient))
			if fromClient != 10 {
				t.Fatalf("one client got %d links sent in an hour, want 10", fromClient)
			}
		})
		t.Run("LinksOfAUserDeactivatedSinceNoLongerApply", func(t *testing.T) {
			bea := addSignedUpUser(t, store, acc, "Bea")
			if err := store.RequestOwnPasswordReset(ctx, bea.EmailAddress(), "http://x", "192.0.2.13"); err != nil {
				t.Fatal(err)
			}
			token := tokenFrom(t, store, bea.EmailAddress())
			modelstest.Must(t, store.DB().Model(bea).Update("status", models.StatusInactive))
			if _, _, err := store.CompletePasswordReset(ctx, token, newPassword, "", ""); !errors.Is(err, models.ErrPasswordResetNoLonger) {
				t.Fatalf("got %v, want ErrPasswordResetNoLonger", err)
			}
		})
	})
}
