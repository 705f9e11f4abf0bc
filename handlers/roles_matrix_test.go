package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
	"roster/routes"
)

// whoMayUse is the table of roles written out by hand, independently of the policy in models: for each route
// permission, the roles that may use it. A route the policy opens to anyone else fails the matrix.
var whoMayUse = map[models.Permission][]models.Role{
	models.PermViewUsers:          {models.RoleOwner, models.RoleAdmin, models.RoleGroupAdmin, models.RoleManager, models.RoleSupport},
	models.PermManageUsers:        {models.RoleOwner, models.RoleAdmin, models.RoleGroupAdmin, models.RoleManager},
	models.PermInviteUsers:        {models.RoleOwner, models.RoleAdmin},
	models.PermManageRoles:        {models.RoleOwner, models.RoleAdmin},
	models.PermViewGroups:         {models.RoleOwner, models.RoleAdmin, models.RoleGroupAdmin},
	models.PermManageGroups:       {models.RoleOwner, models.RoleAdmin, models.RoleGroupAdmin},
	models.PermImpersonate:        {models.RoleOwner, models.RoleAdmin, models.RoleGroupAdmin, models.RoleManager, models.RoleSupport},
	models.PermViewAudit:          {models.RoleOwner, models.RoleAdmin, models.RoleSupport},
	models.PermManageAccount:      {models.RoleOwner},
	models.PermViewStatistics:     {models.RoleOwner, models.RoleAdmin},
	models.PermViewSeats:          {models.RoleOwner, models.RoleAdmin, models.RoleFinance},
	models.PermManageSeats:        {models.RoleOwner, models.RoleFinance},
	models.PermManageProvisioning: {models.RoleOwner, models.RoleAdmin},
	models.PermManageDormancy:     {models.RoleOwner, models.RoleAdmin},
	models.PermManageWebhooks:     {models.RoleOwner, models.RoleAdmin},
	// Only an identity provider's bearer token holds it; no session does, whatever its role.
	models.PermProvisioning: nil,
	// Only a session that is impersonating holds it; nobody in this matrix is.
	models.PermStopImpersonation: nil,
	models.PermSignedIn:          models.Roles,
}

// refusedByRule are routes whose permission a role holds while a rule in models still refuses
// it: group administrators manage their own groups but neither create nor delete groups.
var refusedByRule = map[string][]models.Role{
	"POST /settings/groups":            {models.RoleGroupAdmin},
	"POST /settings/groups/:id/delete": {models.RoleGroupAdmin},
}

// matrixFixture is one account with a person of every role, a member who is in the group
// administrator's group and reports to the manager, and one who is in neither.
type matrixFixture struct {
	acc      *modelstest.Account
	byRole   map[models.Role]*models.User
	target   *models.User
	outsider *models.User
	group    models.Group
	webhook  models.WebhookEndpoint
}

func newMatrixFixture(t *testing.T, store *models.Store) *matrixFixture {
	t.Helper()
	f := &matrixFixture{acc: modelstest.NewAccount(t, store), byRole: map[models.Role]*models.User{}}
	f.byRole[models.RoleOwner] = f.acc.Owner
	for _, role := range models.Roles[1:] {
		f.byRole[role] = addPerson(t, store, f.acc, "Matrix "+role.Label(), role, models.StatusActive)
	}
	f.target = addPerson(t, store, f.acc, "Tara Target", models.RoleMember, models.StatusActive)
	f.outsider = addPerson(t, store, f.acc, "Otto Outsider", models.RoleMember, models.StatusActive)
	store.DB().Model(f.target).Update("manager_id", f.byRole[models.RoleManager].ID)
	now := time.Now().UTC()
	f.group = models.Group{AccountID: f.acc.Account.ID, Name: "Matrix group", OwnerID: f.byRole[models.RoleGroupAdmin].ID, CreatedAt: now}
	if err := store.DB().Create(&f.group).Error; err != nil {
		t.Fatal(err)
	}
	if err := store.DB().Create(&models.GroupMember{GroupID: f.group.ID, UserID: f.target.ID, AccountID: f.acc.Account.ID, CreatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	f.webhook = models.WebhookEndpoint{AccountID: f.acc.Account.ID, URL: "https://hooks.example.com/roster", AllEvents: true,
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(&f.webhook).Error; err != nil {
		t.Fatal(err)
	}
	return f
}

// pathFor fills a route's parameters with this account's rows: the target user, their plan,
// the group, the webhook endpoint.
func (f *matrixFixture) pathFor(path string, user *models.User) string {
	id := strconv.FormatInt(user.ID, 10)
	switch {
	case strings.HasPrefix(path, "/settings/seats/plans/"):
		id = strconv.FormatInt(*f.acc.Owner.PlanID, 10)
	case strings.HasPrefix(path, "/settings/groups/"):
		id = strconv.FormatInt(f.group.ID, 10)
	case strings.HasPrefix(path, "/settings/webhooks/"):
		id = strconv.FormatInt(f.webhook.ID, 10)
	}
	return strings.NewReplacer(":id", id, ":token", "not-a-token", "*", "app.css").Replace(path)
}

// request sends one route the way a browser would: GETs plainly, everything else as a form
// with a valid CSRF token and no other fields, which is never enough to change anything.
func matrixRequest(b *browser, method, path, token string) response {
	if method == http.MethodGet {
		return b.get(path)
	}
	req, _ := http.NewRequest(method, b.app.URL+path, strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func refusedStatus(res response) bool {
	return res.status == http.StatusForbidden || res.status == http.StatusUnauthorized ||
		(res.status == http.StatusSeeOther && strings.HasPrefix(res.header.Get("Location"), "/login"))
}

// Every route, for all seven roles, an owner of another account and an anonymous visitor: any
// allow the matrix does not expect fails, and so does a refusal it does not expect.
func TestRoutesForEveryRole(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		f := newMatrixFixture(t, store)
		s := &Server{}
		table := s.routeTable()
		for _, role := range models.Roles {
			t.Run(string(role), func(t *testing.T) {
				b := app.newBrowser(t)
				b.mustSignIn(f.byRole[role].EmailAddress(), modelstest.Password)
				token := b.csrf("/me")
				for _, r := range table {
					if r.name == routes.RouteLogout || r.name == routes.RouteLoginSubmit {
						continue
					}
					res := matrixRequest(b, r.method, f.pathFor(r.path(), f.target), token)
					expected := r.permission == models.PermPublic || slices.Contains(whoMayUse[r.permission], role)
					if slices.Contains(refusedByRule[r.method+" "+r.path()], role) {
						expected = false
					}
					switch {
					case !expected && !refusedStatus(res):
						t.Errorf("UNEXPECTED ALLOW: %s %s %s (%s): status %d", role, r.method, r.path(), r.permission, res.status)
					case expected && refusedStatus(res):
						t.Errorf("unexpected refusal: %s %s %s (%s): status %d", role, r.method, r.path(), r.permission, res.status)
					case res.status >= 500:
						t.Errorf("%s %s %s: status %d", role, r.method, r.path(), res.status)
					}
				}
			})
		}
		t.Run("another account's owner", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			b := app.newBrowser(t)
			b.mustSignIn(other.Owner.EmailAddress(), modelstest.Password)
			token := b.csrf("/me")
			for _, r := range table {
				if !strings.Contains(r.path(), ":id") || r.permission == models.PermProvisioning {
					// A session opens no bearer-token route at all (401 above); another
					// account's token meets 404 (TestSCIMErrorsAndTokens).
					continue
				}
				res := matrixRequest(b, r.method, f.pathFor(r.path(), f.target), token)
				if res.status != http.StatusNotFound {
					t.Errorf("another account: %s %s with this account's ID: status %d, want 404", r.method, r.path(), res.status)
				}
			}
		})
		t.Run("anonymous", func(t *testing.T) {
			b := app.newBrowser(t)
			token := b.csrf("/login")
			for _, r := range table {
				res := matrixRequest(b, r.method, f.pathFor(r.path(), f.target), token)
				if r.permission != models.PermPublic && !refusedStatus(res) && res.status != http.StatusUnauthorized {
					t.Errorf("UNEXPECTED ALLOW: anonymous %s %s: status %d", r.method, r.path(), res.status)
				}
			}
		})
		// Group administrators and managers reach only their own people: everyone else does not
		// exist for them.
		for _, role := range []models.Role{models.RoleGroupAdmin, models.RoleManager} {
			t.Run(string(role)+" outside their reach", func(t *testing.T) {
				b := app.newBrowser(t)
				b.mustSignIn(f.byRole[role].EmailAddress(), modelstest.Password)
				token := b.csrf("/me")
				for _, r := range table {
					if !strings.HasPrefix(r.path(), "/settings/users/:id") {
						continue
					}
					if res := matrixRequest(b, r.method, f.pathFor(r.path(), f.outsider), token); res.status != http.StatusNotFound {
						t.Errorf("%s %s %s for someone outside their reach: status %d, want 404", role, r.method, r.path(), res.status)
					}
				}
				list := b.get("/settings/users").body
				if !strings.Contains(list, "Tara Target") || strings.Contains(list, "Otto Outsider") {
					t.Errorf("%s's user list must show exactly the people they reach", role)
				}
			})
		}
	})
}
