package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func isStateChanging(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

func samplePath(path string) string {
	return strings.NewReplacer(":id", "1", "*", "app.css").Replace(path)
}

// Every registered route must appear in the route table with a known permission: a route added
// anywhere else, or without a permission, fails here.
func TestEveryRouteDeclaresAPermission(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		s := &Server{}
		declared := map[string]models.Permission{}
		for _, r := range s.routeTable() {
			declared[r.method+" "+r.path()] = r.permission
		}
		known := map[models.Permission]bool{}
		for _, p := range models.Permissions {
			known[p] = true
		}
		registered := app.echo.Routes()
		if len(registered) < len(declared) {
			t.Fatalf("%d routes registered, %d declared", len(registered), len(declared))
		}
		for _, r := range registered {
			perm, ok := declared[r.Method+" "+r.Path]
			if !ok {
				t.Errorf("%s %s is registered without a declared permission", r.Method, r.Path)
				continue
			}
			if !known[perm] {
				t.Errorf("%s %s declares unknown permission %q", r.Method, r.Path, perm)
			}
		}
	})
}

// bearerRoutes are the routes declared for an identity provider's bearer token (SCIM), keyed
// "METHOD path": they take no cookie and so no CSRF token, and answer 401 without the token.
func bearerRoutes() map[string]bool {
	routes := map[string]bool{}
	for _, r := range (&Server{}).routeTable() {
		if r.permission == models.PermProvisioning {
			routes[r.method+" "+r.path()] = true
		}
	}
	return routes
}

// assertBearerOnly checks that a bearer-token route refuses a request without its token with
// 401 and WWW-Authenticate: Bearer, whatever cookie or CSRF token comes along.
func assertBearerOnly(t *testing.T, method, path string, res response) {
	t.Helper()
	if res.status != http.StatusUnauthorized || !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s %s without a bearer token: status %d, WWW-Authenticate %q; want 401 Bearer", method, path, res.status, res.header.Get("WWW-Authenticate"))
	}
}

// No state-changing route accepts a request without a valid CSRF token, even from a signed-in
// owner who holds every permission; bearer-token routes ignore the session cookie altogether and
// refuse it without their token.
func TestStateChangingRoutesRequireCSRFToken(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		bearer := bearerRoutes()
		checked, checkedBearer := 0, 0
		for _, r := range app.echo.Routes() {
			if !isStateChanging(r.Method) {
				continue
			}
			if bearer[r.Method+" "+r.Path] {
				checkedBearer++
				b := app.newBrowser(t)
				b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
				req, _ := http.NewRequest(r.Method, app.URL+samplePath(r.Path), strings.NewReader(`{"_csrf":"forged"}`))
				req.Header.Set("Content-Type", "application/scim+json")
				req.Header.Set("X-CSRF-Token", "forged-token-value")
				assertBearerOnly(t, r.Method, r.Path, b.do(req))
				continue
			}
			checked++
			for name, token := range map[string]string{"missing": "", "forged": "forged-token-value"} {
				b := app.newBrowser(t)
				b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
				form := url.Values{"email": {acc.Owner.EmailAddress()}, "password": {modelstest.Password}}
				if token != "" {
					form.Set("_csrf", token)
				}
				req, _ := http.NewRequest(r.Method, app.URL+samplePath(r.Path), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res := b.do(req)
				if res.status != http.StatusForbidden {
					t.Errorf("%s %s with %s CSRF token: status %d, want 403", r.Method, r.Path, name, res.status)
				}
				// The session must still work: a refused request changed nothing.
				if page := b.get("/settings/users"); page.status != http.StatusOK {
					t.Errorf("%s %s with %s token ended the session (status %d)", r.Method, r.Path, name, page.status)
				}
			}
		}
		if checked == 0 || checkedBearer == 0 {
			t.Fatalf("state-changing routes found: %d with CSRF, %d bearer-token", checked, checkedBearer)
		}
	})
}

// Visitors reach only public routes; everything else sends them to sign in, except bearer-token
// routes, which answer 401 with WWW-Authenticate: Bearer.
func TestVisitorsAreSentToSignIn(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		s := &Server{}
		for _, r := range s.routeTable() {
			if r.permission == models.PermPublic || r.method != http.MethodGet {
				continue
			}
			if r.permission == models.PermProvisioning {
				assertBearerOnly(t, r.method, r.path(), app.newBrowser(t).get(samplePath(r.path())))
				continue
			}
			res := app.newBrowser(t).get(samplePath(r.path()))
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Errorf("visitor GET %s: status %d location %q, want a redirect to /login", r.path(), res.status, res.header.Get("Location"))
			}
		}
		res := app.newBrowser(t).get("/settings/users", "HX-Request", "true")
		if res.status != http.StatusUnauthorized || !strings.HasPrefix(res.header.Get("HX-Redirect"), "/login") {
			t.Errorf("htmx visitor: status %d HX-Redirect %q", res.status, res.header.Get("HX-Redirect"))
		}
	})
}

// A member has no business in Settings: every settings route refuses them.
func TestMembersCannotOpenUserManagement(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 40)
		var member models.User
		store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleMember, models.StatusActive).First(&member)
		b := app.newBrowser(t)
		b.mustSignIn(member.EmailAddress(), seeded.OwnerPassword)
		s := &Server{}
		for _, r := range s.routeTable() {
			if r.permission != models.PermViewUsers && r.permission != models.PermManageUsers {
				continue
			}
			if res := b.get(samplePath(r.path())); r.method == http.MethodGet && res.status != http.StatusForbidden {
				t.Errorf("member GET %s: status %d, want 403", r.path(), res.status)
			}
		}
		home := b.get("/")
		if home.status != http.StatusOK || home.doc(t).Find(`a[href="/settings/users"]`).Length() != 0 {
			t.Errorf("member home: status %d, and it must not link to user management", home.status)
		}
	})
}
