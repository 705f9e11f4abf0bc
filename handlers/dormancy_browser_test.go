package handlers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserDormancyPolicyWarnsAndForecasts follows an owner in headless Chromium: they open
// Settings > Dormant seats from the navigation, are told beside the field that deactivating a day
// after the warning is too soon, save a policy, and after the job's daily pass (on the store's
// clock) find the warning in the outbox and the coming deactivations, with the cost they free, on
// Seats & billing. Each stop is a full-page screenshot.
func TestBrowserDormancyPolicyWarnsAndForecasts(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		// The job runs on the store's clock, fixed for the run.
		now := time.Now().UTC().Truncate(time.Second)
		saved := store.Now
		t.Cleanup(func() { store.Now = saved })
		store.Now = func() time.Time { return now }

		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		idle := []*models.User{
			addPerson(t, store, acc, "Dora Dormant", models.RoleMember, models.StatusActive),
			addPerson(t, store, acc, "Idris Idle", models.RoleMember, models.StatusActive),
		}
		for _, u := range idle {
			if err := store.DB().Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{
				"created_at": now.AddDate(0, 0, -80), "activated_at": now.AddDate(0, 0, -80), "last_sign_in_at": now.AddDate(0, 0, -35),
			}).Error; err != nil {
				t.Fatal(err)
			}
		}
		shot := 0
		take := func(u *browserUser, what string) {
			t.Helper()
			shot++
			if !savesScreenshots(db) {
				return
			}
			// A full-page capture of a scrolled page draws the sticky top bar where it stood.
			if _, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
				t.Fatalf("scroll up for %s: %v", what, err)
			}
			png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", what, err)
			}
			path := filepath.Join(artifacts, fmt.Sprintf("dormancy-%s-%02d-%s.png", db, shot, what))
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)
		}

		ctx := startBrowser(t, execPath)
		owner := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		owner.signIn(acc.Owner.EmailAddress(), modelstest.Password)

		// 1. Settings > Dormant seats, from the navigation: off until someone turns it on.
		if status := owner.clickAndLoad(`nav.sidenav a[href="/settings/dormancy"]`); status != http.StatusOK {
			t.Fatalf("policy page: status %d", status)
		}
		if evaluate[bool](owner, `document.querySelector('[data-testid="dormancy-enabled"]').checked`) {
			t.Fatal("the policy is on before anyone turned it on")
		}

		// 2. A deactivation a day after the warning is refused beside its field.
		owner.click(`[data-testid="dormancy-enabled"]`)
		owner.do(chromedp.SetValue(chromedp.CSS("#warn_days"), "30"), chromedp.SetValue(chromedp.CSS("#deactivate_days"), "31"))
		if status := owner.clickAndLoad(`[data-testid="save-dormancy"]`); status != http.StatusUnprocessableEntity {
			t.Fatalf("too-soon policy: status %d", status)
		}
		msg := evaluate[string](owner, `document.querySelector('[data-testid="error-deactivate_days"]')?.innerText ?? ''`)
		if !strings.Contains(msg, "37 days or more") {
			t.Fatalf("message beside the field: %q", msg)
		}
		take(owner, "policy-refused")
		// The 422 itself is logged by the browser; from here on, nothing may be.
		consoleErrors := collectConsoleErrors(ctx)

		// 3. Saved: warn after 30 days, deactivate after 40.
		owner.do(chromedp.SetValue(chromedp.CSS("#deactivate_days"), "40"))
		if status := owner.clickAndLoad(`[data-testid="save-dormancy"]`); status != http.StatusOK {
			t.Fatalf("save policy: status %d", status)
		}
		if flash := evaluate[string](owner, `document.querySelector('[data-testid="flash"]')?.innerText ?? ''`); !strings.Contains(flash, "after 30 days") {
			t.Fatalf("flash %q", flash)
		}
		take(owner, "policy-saved")

		// 4. The day's pass of the job.
		run, err := store.CarryOutDormancy(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if run.Warned < len(idle) {
			t.Fatalf("the job warned %d", run.Warned)
		}

		// 5. Settings > User management > Outbox: the warnings and the owner's summary.
		if status := owner.openForStatus("/settings/users"); status != http.StatusOK {
			t.Fatalf("user list: status %d", status)
		}
		if status := owner.clickAndLoad(`a[href="/settings/outbox"]`); status != http.StatusOK {
			t.Fatalf("outbox: status %d", status)
		}
		outbox := evaluate[string](owner, `document.querySelector('[data-testid="outbox"]').innerText`)
		release := now.AddDate(0, 0, 7).Format("2 January 2006")
		for _, want := range []string{"Hello Dora Dormant", "Hello Idris Idle", "will be released on " + release + " unless you sign in",
			"Dormant seats in " + acc.Account.Name + ": 2 warned, 0 deactivated"} {
			if !strings.Contains(outbox, want) {
				t.Fatalf("outbox lacks %q:\n%s", want, outbox)
			}
		}
		take(owner, "outbox-warnings")

		// 6. Seats & billing: both will go within 30 days, freeing their seats' cost.
		if status := owner.clickAndLoad(`nav.sidenav a[href="/settings/seats"]`); status != http.StatusOK {
			t.Fatalf("seats: status %d", status)
		}
		owner.do(chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="dormancy-forecast"]`)))
		rows := evaluate[[]string](owner, `[...document.querySelectorAll('[data-testid="dormancy-deactivation"]')].map(r => r.innerText)`)
		if len(rows) != 2 || !strings.Contains(strings.Join(rows, "\n"), "Dora Dormant") || !strings.Contains(rows[0], now.AddDate(0, 0, 7).Format("2 Jan 2006")) {
			t.Fatalf("forecast rows %q", rows)
		}
		if freed := evaluate[string](owner, `document.querySelector('[data-testid="dormancy-freed"]').innerText`); freed != "€50.00" {
			t.Fatalf("freed %q, want two Standard seats", freed)
		}
		take(owner, "seats-forecast")

		for _, m := range consoleErrors() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	})
}
