package models_test

import (
	"context"
	"errors"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// Everyone's own page: details, password and sessions, as the signed-in user changes them.
func TestSelfService(t *testing.T) {
	ctx := context.Background()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		w := newImpersonationWorld(t, store)
		token := sessionFor(t, store, w.member)
		elsewhere := sessionFor(t, store, w.member)
		me := authenticate(t, store, token)

		t.Run("details", func(t *testing.T) {
			var fields models.FieldErrors
			if err := store.UpdateOwnDetails(ctx, me, models.OwnDetails{Name: " ", Phone: "call me <b>"}); !errors.As(err, &fields) || fields["name"] == "" || fields["phone"] == "" {
				t.Fatalf("empty name and letters in the phone: got %v", err)
			}
			if err := store.UpdateOwnDetails(ctx, me, models.OwnDetails{Name: "Mia Müller", Phone: "+49 (30) 123-45"}); err != nil {
				t.Fatal(err)
			}
			var u models.User
			if err := store.DB().Take(&u, w.member.ID).Error; err != nil || u.Name != "Mia Müller" || u.Phone != "+49 (30) 123-45" {
				t.Fatalf("saved %q %q (%v)", u.Name, u.Phone, err)
			}
			var event models.AuditEvent
			if err := store.DB().Where("action = ? AND target_user_id = ?", models.AuditOwnDetailsChanged, w.member.ID).Take(&event).Error; err != nil {
				t.Fatalf("no audit event: %v", err)
			}
			if event.Details != `{"fields":["name","phone"]}` || event.RealActorID != nil {
				t.Fatalf("audit details %s (real actor %v): names the fields, never their values", event.Details, event.RealActorID)
			}
		})
		t.Run("password", func(t *testing.T) {
			var fields models.FieldErrors
			if err := store.ChangeOwnPassword(ctx, me, "not my password", "short"); !errors.As(err, &fields) || fields["current"] == "" || fields["password"] == "" {
				t.Fatalf("wrong current and short new password: got %v", err)
			}
			if err := store.ChangeOwnPassword(ctx, me, modelstest.Password, "a brand new passphrase"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := store.SignIn(ctx, w.member.EmailAddress(), modelstest.Password, "192.0.2.7", "test"); err == nil {
				t.Fatal("the old password still signs in")
			}
			if _, _, err := store.SignIn(ctx, w.member.EmailAddress(), "a brand new passphrase", "192.0.2.7", "test"); err != nil {
				t.Fatalf("the new password: %v", err)
			}
			if _, err := store.Authenticate(ctx, elsewhere); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("the other session must end with the password change: %v", err)
			}
			if _, err := store.Authenticate(ctx, token); err != nil {
				t.Fatalf("this session must stay: %v", err)
			}
		})
		t.Run("sign out elsewhere", func(t *testing.T) {
			other, _ := signInWith(t, store, w.member.EmailAddress(), "a brand new passphrase")
			n, err := store.SignOutElsewhere(ctx, authenticate(t, store, token))
			// This one and the sign-in with the new password above.
			if err != nil || n != 2 {
				t.Fatalf("ended %d sessions (%v), want 2", n, err)
			}
			if _, err := store.Authenticate(ctx, other); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("the other session: %v", err)
			}
			if _, err := store.Authenticate(ctx, token); err != nil {
				t.Fatalf("this session must stay: %v", err)
			}
		})
	})
}

func signInWith(t *testing.T, store *models.Store, email, password string) (string, *models.Actor) {
	t.Helper()
	actor, token, err := store.SignIn(context.Background(), email, password, "192.0.2.8", "test")
	if err != nil {
		t.Fatal(err)
	}
	return token, actor
}
