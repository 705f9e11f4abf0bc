package handlers

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

type seatsPageState struct {
	Charts        int    `json:"charts"`
	Months        int    `json:"months"`
	Bars          int    `json:"bars"`
	ChartWidth    int    `json:"chartWidth"`
	Label         string `json:"label"`
	Rows          int    `json:"rows"`
	Forms         int    `json:"forms"`
	IdleRows      int    `json:"idleRows"`
	PageWidth     int    `json:"pageWidth"`
	ViewportWidth int    `json:"viewportWidth"`
}

const seatsStateJS = `(() => {
	const svg = document.querySelector('[data-testid="seats-chart"]');
	return {
		charts: document.querySelectorAll('[data-testid="seats-chart"]').length,
		months: svg ? svg.querySelectorAll('[data-testid="seats-chart-month"]').length : 0,
		bars: [...document.querySelectorAll('[data-testid="seats-chart-month"] rect')].filter(r => r.getBoundingClientRect().height > 0).length,
		chartWidth: Math.round(svg ? svg.getBoundingClientRect().width : 0),
		label: svg?.querySelector('title')?.textContent ?? '',
		rows: document.querySelectorAll('[data-testid="seats-row"]').length,
		forms: document.querySelectorAll('[data-testid="quantity-form"]').length,
		idleRows: document.querySelectorAll('[data-testid="idle-row"]').length,
		pageWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth,
	};
})()`

// TestBrowserSeats opens Settings > Seats & billing in headless Chromium on a desktop and a
// phone and saves screenshots of both.
func TestBrowserSeats(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 80)
		store.DB().Exec("UPDATE users SET last_sign_in_at = ? WHERE account_id = ? AND id % 5 = 0", time.Now().UTC().AddDate(0, 0, -70), seeded.Account.ID)

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		u.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		console := collectConsoleErrors(ctx)
		if status := u.clickAndLoad(`.sidenav a[href="/settings/seats"]`); status != http.StatusOK {
			t.Fatalf("seats: status %d", status)
		}
		desktop := evaluate[seatsPageState](u, seatsStateJS)
		if desktop.Charts == 0 || desktop.Months != 12 || desktop.Bars == 0 || desktop.Label == "" || desktop.Rows == 0 || desktop.Forms != desktop.Rows {
			t.Errorf("desktop: %+v", desktop)
		}
		if desktop.ChartWidth < 500 {
			t.Errorf("desktop chart is %dpx wide", desktop.ChartWidth)
		}
		u.screenshot("seats-01-desktop")
		u.viewportShot("seats-01-desktop-top")

		u.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		u.navigate("/settings/seats?idle=60")
		phone := evaluate[seatsPageState](u, seatsStateJS)
		if phone.PageWidth > phone.ViewportWidth {
			t.Errorf("at 375px the page is %dpx wide and scrolls sideways", phone.PageWidth)
		}
		u.screenshot("seats-02-phone")
		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}

		// Finance lands on Seats & billing, may buy seats, and sees nothing of user management.
		u.do(chromedp.EmulateViewport(1280, 800))
		u.signOut()
		var finance models.User
		if err := store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleFinance, models.StatusActive).Take(&finance).Error; err != nil {
			t.Fatal(err)
		}
		u.signIn(finance.EmailAddress(), seeded.OwnerPassword)
		if path := evaluate[string](u, `location.pathname`); path != "/settings/seats" {
			t.Fatalf("finance landed on %s", path)
		}
		nav := evaluate[[]string](u, `[...document.querySelectorAll('.sidenav a')].map(a => a.getAttribute('href'))`)
		if len(nav) != 1 || nav[0] != "/settings/seats" {
			t.Errorf("finance's navigation: %v", nav)
		}
		state := evaluate[seatsPageState](u, seatsStateJS)
		if state.Charts == 0 || state.Forms != state.Rows {
			t.Errorf("finance's seats page: %+v", state)
		}
		if n := evaluate[int](u, `document.querySelectorAll('[data-testid="idle-deactivate"]').length`); n != 0 {
			t.Error("finance is offered to deactivate idle users")
		}
		u.screenshot("seats-03-finance")
		if status := u.openForStatus("/settings/users"); status != http.StatusForbidden {
			t.Fatalf("finance opening user management: status %d, want 403", status)
		}
	})
}
