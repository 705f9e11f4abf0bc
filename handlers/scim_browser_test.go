package handlers

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserProvisioning opens Settings > Account > Provisioning in headless Chromium as an
// admin, creates a token, uses it once against /scim/v2 and revokes it, with screenshots.
func TestBrowserProvisioning(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 40)
		var admin models.User
		if err := store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleAdmin, models.StatusActive).
			Order("id").First(&admin).Error; err != nil {
			t.Fatal(err)
		}
		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		u.signIn(admin.EmailAddress(), seeded.OwnerPassword)
		console := collectConsoleErrors(ctx)
		if status := u.clickAndLoad(`.sidenav a[href="/settings/account/provisioning"]`); status != http.StatusOK {
			t.Fatalf("provisioning: status %d", status)
		}
		if base := evaluate[string](u, `document.querySelector('[data-testid="scim-base-url"]').textContent`); base != app.URL+"/scim/v2" {
			t.Errorf("base URL shown: %q", base)
		}
		u.typeInto("#token-name", "Okta")
		if status := u.clickAndLoad(`[data-testid="create-token"]`); status != http.StatusOK {
			t.Fatalf("create token: status %d", status)
		}
		token := strings.TrimSpace(evaluate[string](u, `document.querySelector('[data-testid="new-token-value"]')?.textContent ?? ''`))
		if !strings.HasPrefix(token, "roster_scim_") {
			t.Fatalf("no token shown: %q", token)
		}
		u.screenshot("provisioning-01-token-created")

		idp := &scimClient{t: t, app: app, token: token}
		if res := idp.must(http.StatusOK, http.MethodGet, "/Users?count=1", ""); totalResults(res) == 0 {
			t.Errorf("the new token lists nobody: %s", res.raw)
		}
		u.navigate("/settings/account/provisioning")
		if rows := evaluate[int](u, `document.querySelectorAll('[data-testid="token-row"]').length`); rows != 1 {
			t.Errorf("token rows: %d", rows)
		}
		if status := u.clickAndLoad(`[data-testid="revoke-token"]`); status != http.StatusOK {
			t.Fatalf("revoke: status %d", status)
		}
		if flash := evaluate[string](u, `document.querySelector('[data-testid="flash"]')?.textContent ?? ''`); !strings.Contains(flash, "Revoked") {
			t.Errorf("flash after revoking: %q", flash)
		}
		u.screenshot("provisioning-02-token-revoked")
		idp.scimError(idp.do(http.MethodGet, "/Users", ""), http.StatusUnauthorized, "")
		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	})
}
