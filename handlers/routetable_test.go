package handlers

import (
	"slices"
	"testing"

	"github.com/labstack/echo/v4"

	"roster/routes"
)

// registeredRoutes are the routes the server answers; building it needs no database.
func registeredRoutes(t *testing.T) []*echo.Route {
	t.Helper()
	e, err := New(nil, Config{SessionSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return e.Routes()
}

// Every route is registered under a name from the route table with exactly the table's pattern,
// and every name in the table is registered once: links built from the table reach a route, and
// no route answers at a path the table does not know.
func TestRegisteredRoutesAreTheTable(t *testing.T) {
	table := routes.RoutePatterns()
	registered := map[string]int{}
	for _, r := range registeredRoutes(t) {
		registered[r.Name]++
		pattern, ok := table[r.Name]
		switch {
		case !ok:
			t.Errorf("%s %s is registered as %q, which the table does not name", r.Method, r.Path, r.Name)
		case r.Path != pattern:
			t.Errorf("%s %s is registered as %q, whose pattern is %q", r.Method, r.Path, r.Name, pattern)
		}
	}
	for name, pattern := range table {
		if n := registered[name]; n != 1 {
			t.Errorf("route %q (%s) is registered %d times, want once", name, pattern, n)
		}
	}
}

// The paths are public interface: scripts, bookmarks, e-mailed links and SCIM clients use them.
// Changing one must be a decision, made here as well as in the table.
func TestRoutePathsStayPut(t *testing.T) {
	var got []string
	for _, r := range registeredRoutes(t) {
		got = append(got, r.Method+" "+r.Path)
	}
	slices.Sort(got)
	want := []string{
		"DELETE /scim/v2/Groups/:id",
		"DELETE /scim/v2/Users/:id",
		"GET /",
		"GET /healthz",
		"GET /invitations/:token",
		"GET /login",
		"GET /me",
		"GET /password/forgot",
		"GET /password/reset/:token",
		"GET /pictures/:id/:file",
		"GET /scim/v2/Groups",
		"GET /scim/v2/Groups/:id",
		"GET /scim/v2/ResourceTypes",
		"GET /scim/v2/ResourceTypes/:id",
		"GET /scim/v2/Schemas",
		"GET /scim/v2/Schemas/:id",
		"GET /scim/v2/ServiceProviderConfig",
		"GET /scim/v2/Users",
		"GET /scim/v2/Users/:id",
		"GET /settings/account",
		"GET /settings/account/provisioning",
		"GET /settings/audit",
		"GET /settings/audit/export.csv",
		"GET /settings/dormancy",
		"GET /settings/groups",
		"GET /settings/groups/:id",
		"GET /settings/orphaned-work",
		"GET /settings/orphaned-work/:id/hand-over",
		"GET /settings/outbox",
		"GET /settings/records",
		"GET /settings/records/export.csv",
		"GET /settings/records/undo/:id",
		"GET /settings/seats",
		"GET /settings/seats/export.csv",
		"GET /settings/seats/ledger.csv",
		"GET /settings/seats/plans/:id/quantity",
		"GET /settings/statistics",
		"GET /settings/users",
		"GET /settings/users/:id",
		"GET /settings/users/:id/impersonate",
		"GET /settings/users/:id/privacy",
		"GET /settings/users/:id/transfer",
		"GET /settings/users/change-plan",
		"GET /settings/users/change-role",
		"GET /settings/users/deactivate",
		"GET /settings/users/delete",
		"GET /settings/users/export.csv",
		"GET /settings/users/group-options",
		"GET /settings/users/invite",
		"GET /settings/webhooks",
		"GET /settings/webhooks/:id",
		"GET /static/*",
		"PATCH /scim/v2/Groups/:id",
		"PATCH /scim/v2/Users/:id",
		"POST /impersonation/stop",
		"POST /invitations/:token",
		"POST /login",
		"POST /logout",
		"POST /me",
		"POST /me/password",
		"POST /me/picture",
		"POST /me/picture/remove",
		"POST /me/sessions/end",
		"POST /password/forgot",
		"POST /password/reset/:token",
		"POST /scim/v2/Groups",
		"POST /scim/v2/Users",
		"POST /settings/account",
		"POST /settings/account/handover",
		"POST /settings/account/provisioning",
		"POST /settings/account/provisioning/tokens",
		"POST /settings/account/provisioning/tokens/:id/revoke",
		"POST /settings/account/time-zone",
		"POST /settings/dormancy",
		"POST /settings/groups",
		"POST /settings/groups/:id/delete",
		"POST /settings/groups/:id/members",
		"POST /settings/groups/:id/members/remove",
		"POST /settings/groups/:id/owner",
		"POST /settings/groups/:id/rename",
		"POST /settings/orphaned-work/:id/hand-over",
		"POST /settings/records/hand-over",
		"POST /settings/records/undo/:id",
		"POST /settings/seats/plans/:id/quantity",
		"POST /settings/users/:id/dormancy-exempt",
		"POST /settings/users/:id/impersonate",
		"POST /settings/users/:id/leave-date/cancel",
		"POST /settings/users/:id/privacy",
		"POST /settings/users/:id/transfer",
		"POST /settings/users/actions",
		"POST /settings/users/change-plan",
		"POST /settings/users/change-role",
		"POST /settings/users/deactivate",
		"POST /settings/users/delete",
		"POST /settings/users/invite",
		"POST /settings/webhooks",
		"POST /settings/webhooks/:id",
		"POST /settings/webhooks/:id/delete",
		"POST /settings/webhooks/:id/resend",
		"POST /settings/webhooks/:id/rotate",
		"POST /settings/webhooks/:id/test",
		"PUT /scim/v2/Groups/:id",
		"PUT /scim/v2/Users/:id",
	}
	for _, r := range got {
		if !slices.Contains(want, r) {
			t.Errorf("new route %s", r)
		}
	}
	for _, r := range want {
		if !slices.Contains(got, r) {
			t.Errorf("route %s is gone", r)
		}
	}
}
