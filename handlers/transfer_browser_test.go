package handlers

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserTransferAccount transfers an account in headless Chromium: the page, a refused
// submit with its message beside the field, and the recipient's profile afterwards, with a
// screenshot of each for people to look at.
func TestBrowserTransferAccount(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		f := newTransferFixture(t, store, acc, "Lea")

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		u.signIn(acc.Owner.EmailAddress(), modelstest.Password)
		console := collectConsoleErrors(ctx)

		u.navigate("/settings/users/" + strconv.FormatInt(f.leaver.ID, 10))
		if status := u.clickAndLoad(`[data-testid="action-transfer"]`); status != http.StatusOK {
			t.Fatalf("open the transfer page: status %d", status)
		}
		u.screenshot("transfer-01-page")
		if errs := console(); len(errs) > 0 {
			t.Fatalf("console errors: %+v", errs)
		}

		if status := u.clickAndLoad(`[data-testid="transfer-confirm"]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("submit without a recipient: status %d, want 422", status)
		}
		if msg := evaluate[string](u, `document.querySelector('[data-testid="error-to"]')?.innerText ?? ''`); msg == "" {
			t.Fatal("no message beside the recipient")
		}
		u.screenshot("transfer-02-error")
		// The 422 itself is logged by the browser; from here on, nothing may be.
		console = collectConsoleErrors(ctx)

		u.do(chromedp.SetValue(chromedp.CSS(`#to`), strconv.FormatInt(f.receiver.ID, 10)))
		if status := u.clickAndLoad(`[data-testid="transfer-confirm"]`); status != http.StatusOK {
			t.Fatalf("transfer: final status %d", status)
		}
		if path := evaluate[string](u, `location.pathname`); path != "/settings/users/"+strconv.FormatInt(f.receiver.ID, 10) {
			t.Fatalf("after the transfer at %s, want the recipient's profile", path)
		}
		flash := evaluate[string](u, `document.querySelector('[data-testid="flash"]')?.innerText ?? ''`)
		if !strings.HasPrefix(flash, "Transferred everything from Lea Leaver to Lea Receiver: 4 records") {
			t.Fatalf("flash %q", flash)
		}
		u.screenshot("transfer-03-done")
		if errs := console(); len(errs) > 0 {
			t.Fatalf("console errors: %+v", errs)
		}
	})
}
