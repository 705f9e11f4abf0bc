package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func TestSignInAndOut(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		email := acc.Owner.EmailAddress()

		t.Run("SessionCookieIsHttpOnlyAndLax", func(t *testing.T) {
			b := app.newBrowser(t)
			res := b.signIn(email, modelstest.Password)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
				t.Fatalf("sign in: status %d location %q", res.status, res.header.Get("Location"))
			}
			cookie := findSetCookie(res.header, sessionCookieName)
			if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") || strings.Contains(cookie, "Secure") {
				t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax and no Secure without TLS", cookie)
			}
			if !strings.Contains(cookie, "Max-Age=43200") {
				t.Fatalf("session cookie %q: want the 12-hour absolute lifetime", cookie)
			}
		})
		t.Run("SecureCookiesBehindTLS", func(t *testing.T) {
			e, _ := New(store, Config{SessionSecret: testSecret, SecureCookies: true})
			secure := &testApp{echo: e, store: store}
			secure.Server = newServer(t, e)
			b := secure.newBrowser(t)
			// Behind a TLS-terminating proxy, which says so in X-Forwarded-Proto.
			page := b.get("/login", "X-Forwarded-Proto", "https")
			if c := findSetCookie(page.header, csrfCookieName); !strings.Contains(c, "Secure") {
				t.Fatalf("CSRF cookie %q lacks Secure", c)
			}
			if page.header.Get("Strict-Transport-Security") == "" {
				t.Fatal("no HSTS header with secure cookies on")
			}
		})
		t.Run("WrongPasswordGetsOneGenericMessage", func(t *testing.T) {
			var messages []string
			for _, creds := range [][2]string{{email, "wrong password"}, {"nobody@example.com", modelstest.Password}} {
				b := app.newBrowser(t)
				res := b.signIn(creds[0], creds[1])
				if res.status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", res.status)
				}
				messages = append(messages, res.doc(t).Find(`[data-testid="login-error"]`).Text())
			}
			if messages[0] == "" || messages[0] != messages[1] {
				t.Fatalf("messages differ or are empty: %q", messages)
			}
		})
		t.Run("RateLimited", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			b := app.newBrowser(t)
			for i := 0; i < 5; i++ {
				b.signIn(other.Owner.EmailAddress(), "wrong password")
			}
			res := b.signIn(other.Owner.EmailAddress(), modelstest.Password)
			if res.status != http.StatusTooManyRequests {
				t.Fatalf("sixth attempt: status %d, want 429", res.status)
			}
			// The five failures are seconds old: the first leaves the 15-minute window in just
			// under 15 minutes, which the header gives in seconds and the page in minutes.
			if after, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || after < 14*60 || after > 15*60 {
				t.Fatalf("Retry-After %q, want the seconds until the first failure leaves the window", res.header.Get("Retry-After"))
			}
			if msg := res.doc(t).Find(`[data-testid="login-error"]`).Text(); !strings.Contains(msg, "Try again in 15 minutes") {
				t.Fatalf("message %q, want when to try again", msg)
			}
		})
		t.Run("SignOutEndsTheSession", func(t *testing.T) {
			b := app.newBrowser(t)
			b.mustSignIn(email, modelstest.Password)
			stolen := b.client.Jar.Cookies(mustURL(app.URL))
			res := b.submit("/settings/users", "/logout", url.Values{})
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Fatalf("sign out: status %d location %q", res.status, res.header.Get("Location"))
			}
			// Replaying the old cookie must not sign anyone in.
			replay := app.newBrowser(t)
			replay.client.Jar.SetCookies(mustURL(app.URL), stolen)
			if res := replay.get("/settings/users"); res.status != http.StatusSeeOther {
				t.Fatalf("replayed cookie after sign-out: status %d, want a redirect to sign in", res.status)
			}
		})
		t.Run("DeactivatedUserIsRefusedOnEveryDevice", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			phone, laptop := app.newBrowser(t), app.newBrowser(t)
			phone.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
			laptop.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
			store.DB().Model(&models.User{}).Where("id = ?", other.Owner.ID).Update("status", models.StatusInactive)
			for _, b := range []*browser{phone, laptop} {
				if res := b.get("/settings/users"); res.status != http.StatusSeeOther {
					t.Fatalf("inactive user's session: status %d, want a redirect to sign in", res.status)
				}
			}
		})
		t.Run("NextStaysOnThisSite", func(t *testing.T) {
			for next, want := range map[string]string{
				"/settings/users?tab=invited": "/settings/users?tab=invited",
				"https://evil.example/":       "/",
				"//evil.example/":             "/",
				"/\\evil.example":             "/",
			} {
				b := app.newBrowser(t)
				res := b.submit("/login", "/login", url.Values{"email": {email}, "password": {modelstest.Password}, "next": {next}})
				if got := res.header.Get("Location"); got != want {
					t.Errorf("next %q: redirected to %q, want %q", next, got, want)
				}
			}
		})
	})
}

func findSetCookie(h http.Header, name string) string {
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
