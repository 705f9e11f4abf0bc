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

// Starting an impersonation from inside one says why it is refused, not that the role lacks
// the right: whether the impersonated user could impersonate (a manager) or not (a member).
func TestNestedImpersonationIsExplained(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		admin := addPerson(t, store, acc, "Adam Admin", models.RoleAdmin, models.StatusActive)
		manager := addPerson(t, store, acc, "Mia Manager", models.RoleManager, models.StatusActive)
		member := addPerson(t, store, acc, "Mo Member", models.RoleMember, models.StatusActive)
		store.DB().Model(&models.User{}).Where("id = ?", member.ID).Update("manager_id", manager.ID)
		form := func(id int64) string { return fmt.Sprintf("/settings/users/%d/impersonate", id) }
		for _, as := range []*models.User{manager, member} {
			b := app.newBrowser(t)
			b.mustSignIn(admin.EmailAddress(), modelstest.Password)
			if res := b.submit(form(as.ID), form(as.ID), url.Values{"mode": {"act"}, "reason": {"ticket 9"}}); res.status != http.StatusSeeOther {
				t.Fatalf("act as %s: status %d", as.Name, res.status)
			}
			for _, res := range []response{
				b.get(form(member.ID)),
				b.submit("/me", form(member.ID), url.Values{"mode": {"view"}}),
				b.submit("/me", form(admin.ID), url.Values{"mode": {"view"}}),
			} {
				text := res.doc(t).Find("main").Text()
				if res.status != http.StatusForbidden || !strings.Contains(text, "already impersonating "+as.Name) || strings.Contains(text, "Your role does not allow this") {
					t.Errorf("acting as %s: status %d, page %q", as.Name, res.status, text)
				}
			}
		}
	})
}
