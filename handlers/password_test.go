package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// addSignInUser is an active member of acc who signs in with modelstest.Password.
func addSignInUser(t *testing.T, store *models.Store, acc *modelstest.Account, name string) *models.User {
	t.Helper()
	hash, err := models.HashPassword(modelstest.Password)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	email := strings.ToLower(name) + "-" + strconv.FormatInt(acc.Account.ID, 10) + "@example.com"
	u := &models.User{AccountID: acc.Account.ID, Email: &email, Name: name, Role: models.RoleMember, Status: models.StatusActive,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

// resetLinkTo is the path of the newest password reset link mailed to address.
func resetLinkTo(t *testing.T, store *models.Store, address string) string {
	t.Helper()
	var msg models.OutboxMessage
	if err := store.DB().Where("to_address = ?", address).Order("id DESC").First(&msg).Error; err != nil {
		t.Fatalf("no mail to %s: %v", address, err)
	}
	link, err := url.Parse(msg.ActionURL)
	if err != nil || !strings.HasPrefix(link.Path, "/password/reset/") || !strings.Contains(msg.Body, msg.ActionURL) {
		t.Fatalf("reset link %q in %q", msg.ActionURL, msg.Body)
	}
	return link.Path
}

func mailsTo(t *testing.T, store *models.Store, address string) int64 {
	t.Helper()
	return modelstest.Count(t, store.DB().Model(&models.OutboxMessage{}).Where("to_address = ?", address))
}

func TestAdminPasswordResetOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		pia := addSignInUser(t, store, acc, "Pia")
		id := strconv.FormatInt(pia.ID, 10)
		admin := app.newBrowser(t)
		admin.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)

		if menu := admin.get("/settings/users").doc(t).Find(`[data-testid="bulk-action"] option`); menu.First().AttrOr("value", "") != "deactivate" ||
			menu.Eq(1).AttrOr("value", "") != "reset_password" {
			t.Fatalf("the Active tab's actions should be deactivate, then reset_password")
		}
		if admin.get("/settings/users/"+id).doc(t).Find(`[data-testid="action-reset_password"]`).Length() != 1 {
			t.Fatal("an active user's profile offers no password reset")
		}

		// Pia is signed in on a phone and a laptop.
		phone, laptop := app.newBrowser(t), app.newBrowser(t)
		phone.mustSignIn(pia.EmailAddress(), modelstest.Password)
		laptop.mustSignIn(pia.EmailAddress(), modelstest.Password)

		res := admin.submit("/settings/users", "/settings/users/actions", url.Values{"action": {"reset_password"}, "ids": {id}, "tab": {"active"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/users" {
			t.Fatalf("reset: status %d location %q", res.status, res.header.Get("Location"))
		}
		if flash := admin.get("/settings/users").doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Sent a password reset link to "+pia.Name+"; their sessions ended.") {
			t.Fatalf("flash %q", flash)
		}
		for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
			if res := b.get("/"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Fatalf("the %s is still signed in after the reset: status %d", name, res.status)
			}
		}
		if res := app.newBrowser(t).signIn(pia.EmailAddress(), modelstest.Password); res.status != http.StatusUnauthorized {
			t.Fatalf("the old password after an admin reset: status %d, want 401", res.status)
		}

		link := resetLinkTo(t, store, pia.EmailAddress())
		if outbox := admin.get("/settings/outbox"); !strings.Contains(outbox.body, link) {
			t.Fatal("the development outbox does not show the reset link")
		}
		visitor := app.newBrowser(t)
		if page := visitor.get(link); page.status != http.StatusOK || page.doc(t).Find(`[data-testid="reset-email"]`).Text() != pia.EmailAddress() {
			t.Fatalf("reset page: status %d", page.status)
		}
		res = visitor.submit(link, link, url.Values{"password": {"a new passphrase"}, "password_confirm": {"another passphrase"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="error-password_confirm"]`).Length() != 1 {
			t.Fatalf("mismatched passwords: status %d", res.status)
		}
		res = visitor.submit(link, link, url.Values{"password": {"short"}, "password_confirm": {"short"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(`[data-testid="error-password"]`).Text(), "12 characters") {
			t.Fatalf("short password: status %d", res.status)
		}
		res = visitor.submit(link, link, url.Values{"password": {"a new passphrase"}, "password_confirm": {"a new passphrase"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Fatalf("save: status %d location %q %.300s", res.status, res.header.Get("Location"), res.body)
		}
		if home := visitor.get("/"); home.status != http.StatusOK || home.doc(t).Find(`[data-testid="current-user"]`).Text() != "Pia" {
			t.Fatalf("after the reset Pia is not signed in: status %d", home.status)
		}
		if res := app.newBrowser(t).signIn(pia.EmailAddress(), modelstest.Password); res.status != http.StatusUnauthorized {
			t.Fatalf("the old password: status %d, want 401", res.status)
		}
		app.newBrowser(t).mustSignIn(pia.EmailAddress(), "a new passphrase")
		if again := app.newBrowser(t).get(link); again.status != http.StatusGone {
			t.Fatalf("a used link: status %d, want 410", again.status)
		}
		profile := admin.get("/settings/users/" + id).doc(t).Find(".timeline").Text()
		if !strings.Contains(profile, "Password reset requested") || !strings.Contains(profile, "Password reset ") {
			t.Fatalf("the profile's audit trail lacks the reset: %q", profile)
		}
	})
}

func TestForgotPasswordRevealsNothing(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		quin := addSignInUser(t, store, acc, "Quin")
		unknown := "nobody-" + strconv.FormatInt(acc.Account.ID, 10) + "@example.com"
		if app.newBrowser(t).get("/login").doc(t).Find(`a[href="/password/forgot"]`).Length() != 1 {
			t.Fatal("the sign-in page has no “Forgot your password?” link")
		}
		ask := func(address string) response {
			return app.newBrowser(t).submit("/password/forgot", "/password/forgot", url.Values{"email": {address}})
		}
		known, stranger := ask(quin.EmailAddress()), ask(unknown)
		if known.status != http.StatusOK || known.status != stranger.status {
			t.Fatalf("status %d for a known address, %d for an unknown one", known.status, stranger.status)
		}
		// The page repeats the address typed, and nothing else differs.
		if strings.ReplaceAll(known.body, quin.EmailAddress(), "ADDRESS") != strings.ReplaceAll(stranger.body, unknown, "ADDRESS") {
			t.Fatal("the answer differs between a known and an unknown address")
		}
		if !strings.Contains(known.doc(t).Find(`[data-testid="forgot-sent"]`).Text(), "If an account exists for") {
			t.Fatalf("answer: %.300s", known.body)
		}
		if mailsTo(t, store, quin.EmailAddress()) != 1 || mailsTo(t, store, unknown) != 0 {
			t.Fatal("want one mail to the known address and none to the unknown one")
		}

		// Asking does not sign anybody out: anyone can ask for anyone.
		phone := app.newBrowser(t)
		phone.mustSignIn(quin.EmailAddress(), modelstest.Password)
		link := resetLinkTo(t, store, quin.EmailAddress())
		if res := phone.get("/"); res.status != http.StatusOK {
			t.Fatalf("asking for a link ended a session: status %d", res.status)
		}
		res := app.newBrowser(t).submit(link, link, url.Values{"password": {"quins new passphrase"}, "password_confirm": {"quins new passphrase"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("save: status %d", res.status)
		}
		if res := phone.get("/"); res.status != http.StatusSeeOther {
			t.Fatalf("a session from before the new password still works: status %d", res.status)
		}

		t.Run("AForgedHostGetsNoLink", func(t *testing.T) {
			b := app.newBrowser(t)
			form := url.Values{"email": {quin.EmailAddress()}, "_csrf": {b.csrf("/password/forgot")}}
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/password/forgot", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Host = "attacker.example"
			// The jar picks cookies by Host; the attacker's own client sends the cookie it got.
			for _, cookie := range b.client.Jar.Cookies(mustURL(app.URL)) {
				req.AddCookie(cookie)
			}
			before := mailsTo(t, store, quin.EmailAddress())
			if res := b.do(req); res.status != http.StatusOK || !strings.Contains(res.body, "If an account exists for") {
				t.Fatalf("status %d %.2000s", res.status, res.body)
			}
			if mailsTo(t, store, quin.EmailAddress()) != before {
				t.Fatal("a link was mailed pointing where a forged Host header said")
			}
		})
	})
}

func TestPasswordPagesSurviveHostileInput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		b := app.newBrowser(t)
		for _, email := range []string{
			"<script>alert(1)</script>",
			`"><script>alert(1)</script>@example.com`,
			strings.Repeat("a", 10000) + "@example.com",
			"' OR 1=1; DROP TABLE users; --@example.com",
			"x@example.com' UNION SELECT token_hash FROM password_resets --",
			"\x00\xff@example.com",
			"",
		} {
			res := b.submit("/password/forgot", "/password/forgot", url.Values{"email": {email}})
			if res.status != http.StatusOK && res.status != http.StatusUnprocessableEntity {
				t.Errorf("%.30q: status %d", email, res.status)
			}
			if strings.Contains(res.body, "<script>alert") {
				t.Errorf("%.30q: the page echoes the input unescaped", email)
			}
			if res.status == http.StatusUnprocessableEntity && res.doc(t).Find(`[data-testid="error-email"]`).Length() != 1 {
				t.Errorf("%.30q: refused without a message beside the field", email)
			}
		}
		for _, path := range []string{"/password/reset/nonsense", "/password/reset/" + strings.Repeat("a", 64), "/password/reset/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
			"/password/reset/'%20OR%201=1%20--", "/password/reset/" + strings.Repeat("x", 10000)} {
			if res := b.get(path); res.status != http.StatusNotFound || strings.Contains(res.body, "<script>alert") {
				t.Errorf("GET %.40s: status %d, want 404", path, res.status)
			}
			if res := b.submit("/password/forgot", path, url.Values{"password": {"<script>alert(1)</script>"}, "password_confirm": {"x"}}); res.status != http.StatusNotFound {
				t.Errorf("POST %.40s: status %d, want 404", path, res.status)
			}
		}
	})
}
