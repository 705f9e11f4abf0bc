package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func TestImpersonationOverHTTP(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		support := addPerson(t, store, acc, "Sue Support", models.RoleSupport, models.StatusActive)
		admin := addPerson(t, store, acc, "Adam Admin", models.RoleAdmin, models.StatusActive)
		inactive := addPerson(t, store, acc, "Ines Inactive", models.RoleMember, models.StatusInactive)
		member := addPerson(t, store, acc, "Mo Member", models.RoleMember, models.StatusActive)
		form := func(id int64) string { return fmt.Sprintf("/settings/users/%d/impersonate", id) }

		t.Run("view as an inactive user: banner, read-only, stop", func(t *testing.T) {
			b := app.newBrowser(t)
			b.mustSignIn(support.EmailAddress(), modelstest.Password)
			res := b.submit(form(inactive.ID), form(inactive.ID), url.Values{"mode": {"view"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("start: status %d", res.status)
			}
			home := b.get("/me")
			banner := home.doc(t).Find(`[data-testid="impersonation-banner"]`)
			if banner.Length() != 1 || !strings.Contains(banner.Text(), "Sue Support") || !strings.Contains(banner.Text(), "viewing as") ||
				!strings.Contains(banner.Text(), "Ines Inactive") || !strings.Contains(banner.Text(), "minutes left") {
				t.Fatalf("banner %q", banner.Text())
			}
			if home.doc(t).Find(`[data-testid="own-password-form"]`).Length() != 0 {
				t.Fatal("the impersonated user's password form must not be offered")
			}
			// Every page carries the banner, error pages included.
			if b.get("/settings/users").doc(t).Find(`[data-testid="impersonation-banner"]`).Length() != 1 {
				t.Fatal("no banner on the next page")
			}
			refused := b.submit("/me", "/me", url.Values{"name": {"Renamed"}})
			if refused.status != http.StatusForbidden || !strings.Contains(refused.body, "read-only") {
				t.Fatalf("a write under view as: status %d", refused.status)
			}
			var after models.User
			store.DB().Take(&after, inactive.ID)
			if after.Name != "Ines Inactive" || after.LastSignInAt != nil {
				t.Fatalf("the impersonated user changed: %q, last sign-in %v", after.Name, after.LastSignInAt)
			}
			stop := b.submit("/me", "/impersonation/stop", url.Values{})
			if stop.status != http.StatusSeeOther || stop.header.Get("Location") != fmt.Sprintf("/settings/users/%d", inactive.ID) {
				t.Fatalf("stop: %d %s", stop.status, stop.header.Get("Location"))
			}
			if b.get("/me").doc(t).Find(`[data-testid="impersonation-banner"]`).Length() != 0 {
				t.Fatal("banner after stop")
			}
		})

		t.Run("act as needs a reason and records both names", func(t *testing.T) {
			b := app.newBrowser(t)
			b.mustSignIn(admin.EmailAddress(), modelstest.Password)
			res := b.submit(form(member.ID), form(member.ID), url.Values{"mode": {"act"}, "reason": {" "}})
			if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`[data-testid="error-reason"]`).Length() != 1 {
				t.Fatalf("act as without a reason: status %d", res.status)
			}
			res = b.submit(form(member.ID), form(member.ID), url.Values{"mode": {"act"}, "reason": {"Ticket 12: <script>alert(1)</script>"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("start act as: %d", res.status)
			}
			if saved := b.submit("/me", "/me", url.Values{"name": {"Mo Member"}, "phone": {"+44 20 7946 0000"}}); saved.status != http.StatusSeeOther {
				t.Fatalf("a write under act as: %d", saved.status)
			}
			var event models.AuditEvent
			store.DB().Where("action = ? AND target_user_id = ?", models.AuditOwnDetailsChanged, member.ID).Take(&event)
			if event.RealActorID == nil || *event.RealActorID != admin.ID || event.ActorID == nil || *event.ActorID != member.ID {
				t.Fatalf("audit: %+v", event)
			}
			if pw := b.submit("/me", "/me/password", url.Values{"current": {modelstest.Password}, "password": {"another password 123"}}); pw.status != http.StatusForbidden {
				t.Fatalf("changing the password while acting as: %d", pw.status)
			}
			b.submit("/me", "/impersonation/stop", url.Values{})
		})

		t.Run("refusals say why", func(t *testing.T) {
			b := app.newBrowser(t)
			b.mustSignIn(admin.EmailAddress(), modelstest.Password)
			page := b.get(form(acc.Owner.ID))
			if page.status != http.StatusForbidden || !strings.Contains(page.doc(t).Find(`[data-testid="impersonation-refused"]`).Text(), "same or more rights") {
				t.Fatalf("impersonating the owner: status %d", page.status)
			}
			profile := b.get(fmt.Sprintf("/settings/users/%d", admin.ID)).doc(t)
			if !strings.Contains(profile.Find(`[data-testid="impersonation-unavailable"]`).Text(), "yourself") {
				t.Fatal("one's own profile must say impersonating oneself is not possible")
			}
			for _, hostile := range []url.Values{
				{"mode": {"root"}},
				{"mode": {"act"}, "reason": {strings.Repeat("x", 20000)}},
				{"mode": {"act\x00"}, "reason": {"\xff\xfe"}},
			} {
				if res := b.submit(form(member.ID), form(member.ID), hostile); res.status != http.StatusUnprocessableEntity {
					t.Errorf("hostile %q: status %d", hostile, res.status)
				}
			}
			if res := b.submit(form(member.ID), "/settings/users/99999999/impersonate", url.Values{"mode": {"view"}}); res.status != http.StatusNotFound {
				t.Errorf("unknown user: %d", res.status)
			}
		})

		t.Run("the owner switches impersonation off", func(t *testing.T) {
			owner := app.newBrowser(t)
			owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
			bad := owner.submit("/settings/account", "/settings/account", url.Values{"impersonation_minutes": {"9999"}, "deletion_grace_days": {"x"}})
			doc := bad.doc(t)
			if bad.status != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-impersonation_minutes"]`).Length() != 1 ||
				doc.Find(`[data-testid="error-deletion_grace_days"]`).Length() != 1 {
				t.Fatalf("bad settings: status %d", bad.status)
			}
			if res := owner.submit("/settings/account", "/settings/account", url.Values{"impersonation_minutes": {"30"}, "deletion_grace_days": {"14"}}); res.status != http.StatusSeeOther {
				t.Fatalf("save: %d", res.status)
			}
			b := app.newBrowser(t)
			b.mustSignIn(admin.EmailAddress(), modelstest.Password)
			page := b.get(form(member.ID))
			if page.status != http.StatusForbidden || !strings.Contains(page.body, "switched off") {
				t.Fatalf("impersonating with the switch off: status %d", page.status)
			}
			owner.submit("/settings/account", "/settings/account", url.Values{"impersonation_enabled": {"1"}, "impersonation_minutes": {"30"}, "deletion_grace_days": {"14"}})
		})
	})
}
