package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func TestSignIn(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		email := acc.Owner.EmailAddress()

		t.Run("OpensSessionWithRightPassword", func(t *testing.T) {
			actor, token, err := store.SignIn(ctx, "  "+upper(email)+" ", modelstest.Password, "10.0.0.1", "browser")
			if err != nil {
				t.Fatalf("sign in: %v", err)
			}
			if actor.User.ID != acc.Owner.ID || token == "" {
				t.Fatalf("signed in as %d with token %q, want owner %d", actor.User.ID, token, acc.Owner.ID)
			}
			again, err := store.Authenticate(ctx, token)
			if err != nil || again.User.ID != acc.Owner.ID {
				t.Fatalf("authenticate fresh session: %v", err)
			}
			if again.User.LastSignInAt == nil {
				t.Fatal("last sign-in was not recorded")
			}
		})
		t.Run("ErrBadCredentials", func(t *testing.T) {
			for name, creds := range map[string][2]string{
				"wrong password":   {email, "not the password"},
				"unknown address":  {"nobody-" + email, modelstest.Password},
				"empty":            {"", ""},
				"sql in address":   {"' OR 1=1 --", modelstest.Password},
				"huge password":    {email, string(make([]byte, 5000))},
				"password of case": {email, upper(modelstest.Password)},
				"nul in address":   {"a\x00b@example.com", "x"},
				"invalid utf-8":    {"\xff\xfe@example.com", "\xff"},
			} {
				if _, _, err := store.SignIn(ctx, creds[0], creds[1], "10.0.0.2", ""); !errors.Is(err, models.ErrBadCredentials) {
					t.Errorf("%s: got %v, want ErrBadCredentials", name, err)
				}
			}
		})
		t.Run("ControlCharactersInSearchAreDropped", func(t *testing.T) {
			if _, err := store.ListUsers(ctx, acc.Actor, models.UserListQuery{Search: "own\x00er\xff"}); err != nil {
				t.Fatalf("search with NUL and invalid UTF-8: %v", err)
			}
		})
		t.Run("SignInThrottledAfterFiveFailuresForAnAddress", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			for i := 0; i < 5; i++ {
				_, _, _ = store.SignIn(ctx, other.Owner.EmailAddress(), "wrong", "10.1.0."+string(rune('1'+i)), "")
			}
			_, _, err := store.SignIn(ctx, other.Owner.EmailAddress(), modelstest.Password, "10.1.0.9", "")
			var throttled models.SignInThrottledError
			if !errors.As(err, &throttled) {
				t.Fatalf("sixth attempt with the right password: got %v, want SignInThrottledError", err)
			}
		})
		t.Run("SignInThrottledAfterTwentyFailuresFromOneClient", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			for i := 0; i < 20; i++ {
				_, _, _ = store.SignIn(ctx, "guess"+string(rune('a'+i))+"@example.com", "wrong", "10.2.0.1", "")
			}
			_, _, err := store.SignIn(ctx, other.Owner.EmailAddress(), modelstest.Password, "10.2.0.1", "")
			var throttled models.SignInThrottledError
			if !errors.As(err, &throttled) {
				t.Fatalf("after 20 failures from one client: got %v, want SignInThrottledError", err)
			}
		})
	})
}

func TestAuthenticateRefusesEndedSessions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		signIn := func(t *testing.T, acc *modelstest.Account) string {
			_, token, err := store.SignIn(ctx, acc.Owner.EmailAddress(), modelstest.Password, "127.0.0.1", "")
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
		t.Run("SignedOut", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			token := signIn(t, acc)
			if err := store.SignOut(ctx, token); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Authenticate(ctx, token); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("got %v, want ErrSessionEnded", err)
			}
		})
		t.Run("UserNoLongerActive", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			first, second := signIn(t, acc), signIn(t, acc)
			if err := store.DB().Model(&models.User{}).Where("id = ?", acc.Owner.ID).Update("status", models.StatusInactive).Error; err != nil {
				t.Fatal(err)
			}
			for _, token := range []string{first, second} {
				if _, err := store.Authenticate(ctx, token); !errors.Is(err, models.ErrSessionEnded) {
					t.Fatalf("session of an inactive user: got %v, want ErrSessionEnded", err)
				}
			}
		})
		t.Run("IdleAndAbsoluteLifetimes", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			defer func(now func() time.Time) { store.Now = now }(store.Now)
			start := time.Now().UTC()
			store.Now = func() time.Time { return start }
			token := signIn(t, acc)
			// Used every hour, the session survives the idle limit but not the absolute one.
			for h := 1; h < 12; h++ {
				store.Now = func() time.Time { return start.Add(time.Duration(h) * time.Hour) }
				if _, err := store.Authenticate(ctx, token); err != nil {
					t.Fatalf("after %d hours of use: %v", h, err)
				}
			}
			store.Now = func() time.Time { return start.Add(12*time.Hour + time.Minute) }
			if _, err := store.Authenticate(ctx, token); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("past the absolute lifetime: got %v, want ErrSessionEnded", err)
			}
			store.Now = func() time.Time { return start }
			idle := signIn(t, acc)
			store.Now = func() time.Time { return start.Add(models.DefaultSessionLifetimes.Idle + time.Minute) }
			if _, err := store.Authenticate(ctx, idle); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("idle past the limit: got %v, want ErrSessionEnded", err)
			}
		})
		t.Run("ForgedToken", func(t *testing.T) {
			for _, token := range []string{"", "abc", string(make([]byte, 500)), "' OR '1'='1"} {
				if _, err := store.Authenticate(ctx, token); !errors.Is(err, models.ErrSessionEnded) {
					t.Fatalf("token %q: got %v, want ErrSessionEnded", token, err)
				}
			}
		})
	})
}

func TestSessionSecretIsKeptAcrossCalls(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		first, err := store.SessionSecret(context.Background())
		if err != nil || len(first) < 32 {
			t.Fatalf("secret %q, %v", first, err)
		}
		second, err := store.SessionSecret(context.Background())
		if err != nil || second != first {
			t.Fatalf("second call gave %q, want the kept %q", second, first)
		}
	})
}

func upper(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c >= 'a' && c <= 'z' {
			out[i] = c - 32
		}
	}
	return string(out)
}
