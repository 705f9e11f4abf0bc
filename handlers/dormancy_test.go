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

func TestDormancyOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		policy := func() models.DormancyPolicy {
			p, err := store.DormancyPolicyOf(t.Context(), acc.Actor)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}

		t.Run("LinkedFromSettingsAndOffByDefault", func(t *testing.T) {
			doc := owner.get("/settings/users").doc(t)
			if doc.Find(`nav.sidenav a[href="/settings/dormancy"]`).Length() != 1 {
				t.Fatal("no Dormant seats link in the settings navigation")
			}
			page := owner.get("/settings/dormancy")
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			if _, on := page.doc(t).Find(`[data-testid="dormancy-enabled"]`).Attr("checked"); on {
				t.Fatal("the policy is on by default")
			}
		})
		t.Run("SaveRedirects", func(t *testing.T) {
			res := owner.submit("/settings/dormancy", "/settings/dormancy", url.Values{"enabled": {"on"}, "warn_days": {"45"}, "deactivate_days": {"60"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			if p := policy(); p != (models.DormancyPolicy{Enabled: true, WarnDays: 45, DeactivateDays: 60}) {
				t.Fatalf("saved %+v", p)
			}
		})
		t.Run("BadValuesBesideTheFields", func(t *testing.T) {
			for _, tc := range []struct{ warn, deactivate, field string }{
				{"45", "50", "deactivate_days"},
				{"abc", "60", "warn_days"},
				{"3", "60", "warn_days"},
				{"45", "99999999999999999999999", "deactivate_days"},
				{"<script>alert(1)</script>", "60", "warn_days"},
				{"45", "60\x00", "deactivate_days"},
				{strings.Repeat("9", 5000), "60", "warn_days"},
			} {
				res := owner.submit("/settings/dormancy", "/settings/dormancy", url.Values{"enabled": {"on"}, "warn_days": {tc.warn}, "deactivate_days": {tc.deactivate}})
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("%q/%q: status %d", tc.warn, tc.deactivate, res.status)
				}
				doc := res.doc(t)
				if doc.Find(`[data-testid="error-`+tc.field+`"]`).Text() == "" {
					t.Fatalf("%q/%q: no message beside %s", tc.warn, tc.deactivate, tc.field)
				}
				if strings.Contains(res.body, "<script>alert") {
					t.Fatal("the typed value was not escaped")
				}
				if invalid, _ := doc.Find(`#` + tc.field).Attr("aria-invalid"); invalid != "true" {
					t.Fatalf("%s not marked invalid", tc.field)
				}
			}
			if p := policy(); p != (models.DormancyPolicy{Enabled: true, WarnDays: 45, DeactivateDays: 60}) {
				t.Fatalf("a refused form changed the policy: %+v", p)
			}
		})
		t.Run("CSRFRequired", func(t *testing.T) {
			res := owner.post("/settings/dormancy", url.Values{"warn_days": {"30"}, "deactivate_days": {"40"}})
			if res.status != http.StatusForbidden {
				t.Fatalf("status %d without a token", res.status)
			}
			res = owner.post("/settings/users/"+strconv.FormatInt(acc.Owner.ID, 10)+"/dormancy-exempt", url.Values{"exempt": {"on"}})
			if res.status != http.StatusForbidden {
				t.Fatalf("exempt: status %d without a token", res.status)
			}
			if p := policy(); p.WarnDays != 45 {
				t.Fatalf("changed without a token: %+v", p)
			}
		})
		t.Run("ExemptFromTheProfile", func(t *testing.T) {
			u := addPerson(t, store, acc, "Exempt Eli", models.RoleMember, models.StatusActive)
			profile := "/settings/users/" + strconv.FormatInt(u.ID, 10)
			if owner.get(profile).doc(t).Find(`[data-testid="dormancy-exempt"]`).Length() != 1 {
				t.Fatal("no exemption checkbox on the profile")
			}
			res := owner.submit(profile, profile+"/dormancy-exempt", url.Values{"exempt": {"off", "on"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d: %.300s", res.status, res.body)
			}
			list := owner.get("/settings/dormancy").doc(t).Find(`[data-testid="exempt-user"]`)
			if list.Length() != 1 || !strings.Contains(list.Text(), "Exempt Eli") {
				t.Fatalf("exempt list %q", list.Text())
			}
			// Unticking sends the hidden "off" alone; a query string cannot tick it again.
			res = owner.submit(profile, profile+"/dormancy-exempt?exempt=on", url.Values{"exempt": {"off"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("status %d", res.status)
			}
			if owner.get("/settings/dormancy").doc(t).Find(`[data-testid="exempt-user"]`).Length() != 0 {
				t.Fatal("still exempt after unticking")
			}
		})
		t.Run("Permissions", func(t *testing.T) {
			for _, role := range []models.Role{models.RoleMember, models.RoleFinance, models.RoleSupport, models.RoleManager} {
				p := addPerson(t, store, acc, "Role "+string(role), role, models.StatusActive)
				b := app.newBrowser(t)
				b.mustSignIn(p.EmailAddress(), modelstest.Password)
				if res := b.get("/settings/dormancy"); res.status != http.StatusForbidden {
					t.Errorf("%s: GET status %d", role, res.status)
				}
			}
			// A manager may manage users, but only those who report to them.
			manager := addPerson(t, store, acc, "Mo Manager", models.RoleManager, models.StatusActive)
			stranger := addPerson(t, store, acc, "Stan Stranger", models.RoleMember, models.StatusActive)
			b := app.newBrowser(t)
			b.mustSignIn(manager.EmailAddress(), modelstest.Password)
			token := b.csrf("/settings/users")
			res := b.post("/settings/users/"+strconv.FormatInt(stranger.ID, 10)+"/dormancy-exempt", url.Values{"_csrf": {token}, "exempt": {"on"}})
			if res.status != http.StatusNotFound {
				t.Fatalf("manager on a stranger: status %d", res.status)
			}
			// An admin may not change an owner: refused on the profile, nothing changes.
			admin := addPerson(t, store, acc, "Ada Admin", models.RoleAdmin, models.StatusActive)
			ab := app.newBrowser(t)
			ab.mustSignIn(admin.EmailAddress(), modelstest.Password)
			ownerProfile := "/settings/users/" + strconv.FormatInt(acc.Owner.ID, 10)
			if ab.get(ownerProfile).doc(t).Find(`[data-testid="dormancy-exempt"]`).Length() != 0 {
				t.Fatal("an admin is offered the exemption of an owner")
			}
			res = ab.submit("/settings/dormancy", ownerProfile+"/dormancy-exempt", url.Values{"exempt": {"off", "on"}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != ownerProfile {
				t.Fatalf("admin on the owner: status %d", res.status)
			}
			if flash := ab.get(ownerProfile).doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "Only owners can change an owner") {
				t.Fatalf("flash %q", flash)
			}
			if exempt, _ := store.DormancyExemptUsers(t.Context(), acc.Actor); len(exempt) != 0 {
				t.Fatalf("the refused exemption was saved: %v", exempt)
			}
			other := modelstest.NewAccount(t, store)
			res = owner.submit("/settings/dormancy", "/settings/users/"+strconv.FormatInt(other.Owner.ID, 10)+"/dormancy-exempt", url.Values{"exempt": {"on"}})
			if res.status != http.StatusNotFound {
				t.Fatalf("another account's user: status %d", res.status)
			}
			for _, bad := range []string{"0", "-1", "abc", "99999999999999999999"} {
				if res := owner.submit("/settings/dormancy", "/settings/users/"+bad+"/dormancy-exempt", url.Values{"exempt": {"on"}}); res.status != http.StatusNotFound {
					t.Errorf("id %q: status %d", bad, res.status)
				}
			}
		})
		t.Run("ForecastOnSeatsAndBilling", func(t *testing.T) {
			doc := owner.get("/settings/seats").doc(t)
			if doc.Find(`[data-testid="dormancy-forecast"]`).Length() != 1 {
				t.Fatal("no dormancy forecast on Seats & billing")
			}
		})
	})
}
