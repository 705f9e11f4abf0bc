package handlers

import (
	"net/http"
	"net/url"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// Every known way to leave the site through a redirect target ends on "/"; local paths pass.
func TestSafeNextKeepsRedirectsOnThisSite(t *testing.T) {
	for target, want := range map[string]string{
		"/settings/users?tab=invited":              "/settings/users?tab=invited",
		"/settings/users/12":                       "/settings/users/12",
		"/settings/users?q=a%2Fb&after=x":          "/settings/users?q=a%2Fb&after=x",
		"/settings/groups#members":                 "/settings/groups#members",
		"":                                         "/",
		"//evil.example":                           "/",
		"//evil.example/x":                         "/",
		"///evil.example":                          "/",
		"/\\evil.example":                          "/",
		"\\\\evil.example":                         "/",
		"/\t/evil.example/x":                       "/",
		"/\n/evil.example":                         "/",
		"/\r\n/evil.example":                       "/",
		"/\x00/evil.example":                       "/",
		"/%09/evil.example":                        "/",
		"/%0a/evil.example":                        "/",
		"/%2F%2Fevil.example":                      "/",
		"/%2f/evil.example":                        "/",
		"/%5Cevil.example":                         "/",
		"/%5c%5cevil.example":                      "/",
		"https://evil.example":                     "/",
		"http:/evil.example":                       "/",
		"https:evil.example":                       "/",
		"javascript:alert(1)":                      "/",
		"JaVaScRiPt:alert(1)":                      "/",
		"data:text/html,<script>alert(1)</script>": "/",
		" //evil.example":                          "/",
		"evil.example":                             "/",
		"/\u0085/evil.example":                     "/",
		"/ok\xff":                                  "/",
		"/" + string(make([]byte, 3000)):           "/",
	} {
		if got := safeNext(target); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", target, got, want)
		}
	}
}

// The targets people can hand in, next on sign-in and back on bulk actions, go through the
// helper: a tab before the second slash does not lead off-site.
func TestRedirectTargetsStayOnThisSite(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		for _, target := range []string{"/\t/evil.example/x", "/\\evil.example", "//evil.example", "/%09/evil.example", "https://evil.example"} {
			b := app.newBrowser(t)
			res := b.submit("/login", "/login", url.Values{"email": {acc.Owner.EmailAddress()}, "password": {modelstest.Password}, "next": {target}})
			if got := res.header.Get("Location"); res.status != http.StatusSeeOther || got != "/" {
				t.Errorf("sign-in with next %q: status %d to %q, want / ", target, res.status, got)
			}
			login := app.newBrowser(t).get("/login?next=" + url.QueryEscape(target))
			if next, _ := login.doc(t).Find(`input[name="next"]`).Attr("value"); next != "/" {
				t.Errorf("sign-in form with next %q carries %q, want /", target, next)
			}
			res = b.submit("/settings/users", "/settings/users/actions", url.Values{"action": {"resend"}, "back": {target}})
			if got := res.header.Get("Location"); res.status != http.StatusSeeOther || got != "/" {
				t.Errorf("bulk action with back %q: status %d to %q, want /", target, res.status, got)
			}
		}
	})
}
