package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// A valid token is not enough when the browser says the request came from another site: every
// state-changing route refuses it with its own explanation, and changes nothing.
func TestStateChangingRoutesRefuseOtherOrigins(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		token := b.csrf("/settings/users")
		checked := 0
		for _, r := range app.echo.Routes() {
			if !isStateChanging(r.Method) || r.Path == "/logout" || isSCIMPath(r.Path) {
				continue
			}
			checked++
			for _, header := range [][2]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}} {
				form := url.Values{"_csrf": {token}, "name": {"Renamed by evil"}}
				req, _ := http.NewRequest(r.Method, app.URL+samplePath(r.Path), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(header[0], header[1])
				res := b.do(req)
				text := res.doc(t).Find("main").Text()
				if res.status != http.StatusForbidden || !strings.Contains(text, "This request came from another site") || strings.Contains(text, "Your role does not allow this") {
					t.Errorf("%s %s with %s: %s: status %d, page %q", r.Method, r.Path, header[0], header[1], res.status, text)
				}
			}
		}
		if checked == 0 {
			t.Fatal("no state-changing routes found")
		}
		var owner models.User
		store.DB().Take(&owner, acc.Owner.ID)
		if owner.Name == "Renamed by evil" {
			t.Fatal("a cross-origin request changed the owner's name")
		}
		// The same site, and clients that send neither header, still get through with the token.
		for _, header := range [][2]string{{"Origin", app.URL}, {"Sec-Fetch-Site", "same-origin"}, {"", ""}} {
			form := url.Values{"_csrf": {token}, "name": {"Owner " + header[0]}}
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/me", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if header[0] != "" {
				req.Header.Set(header[0], header[1])
			}
			if res := b.do(req); res.status != http.StatusSeeOther {
				t.Errorf("same-site request with %q: status %d", header, res.status)
			}
		}
	})
}

// Behind a proxy that gives Roster another Host, the browser's origin is the base URL's.
func TestBaseURLIsATrustedOrigin(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		e, err := New(store, Config{SessionSecret: testSecret, BaseURL: "https://roster.example.com/"})
		if err != nil {
			t.Fatal(err)
		}
		app := &testApp{echo: e, store: store}
		app.Server = newServer(t, e)
		acc := modelstest.NewAccount(t, store)
		for origin, want := range map[string]int{"https://roster.example.com": http.StatusSeeOther, "https://evil.example": http.StatusForbidden} {
			b := app.newBrowser(t)
			form := url.Values{"_csrf": {b.csrf("/login")}, "email": {acc.Owner.EmailAddress()}, "password": {modelstest.Password}}
			req, _ := http.NewRequest(http.MethodPost, app.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
			if res := b.do(req); res.status != want {
				t.Errorf("origin %s: status %d, want %d", origin, res.status, want)
			}
		}
		if _, err := New(store, Config{SessionSecret: testSecret, BaseURL: "roster.example.com"}); err == nil {
			t.Error("a base URL without a scheme was accepted")
		}
	})
}
