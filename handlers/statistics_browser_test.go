package handlers

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// statisticsPageState is what the team statistics page shows in the browser.
type statisticsPageState struct {
	ChartWidth    int    `json:"chartWidth"`
	ChartHeight   int    `json:"chartHeight"`
	ChartBox      int    `json:"chartBox"`
	Months        int    `json:"months"`
	Bars          int    `json:"bars"`
	Rows          int    `json:"rows"`
	Label         string `json:"label"`
	PageWidth     int    `json:"pageWidth"`
	ViewportWidth int    `json:"viewportWidth"`
}

const statisticsStateJS = `(() => {
	const svg = document.querySelector('[data-testid="statistics-chart"]');
	const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
	return {
		chartWidth: Math.round(box.width), chartHeight: Math.round(box.height),
		chartBox: Math.round(svg?.parentElement.getBoundingClientRect().width ?? 0),
		months: document.querySelectorAll('[data-testid="chart-month"]').length,
		bars: [...document.querySelectorAll('[data-testid="chart-month"] rect')].filter(r => r.getBoundingClientRect().height > 0).length,
		rows: document.querySelectorAll('[data-testid="statistics-row"]').length,
		label: svg?.querySelector('title')?.textContent ?? '',
		pageWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth,
	};
})()`

// deletedRowState is how the statistics table shows one user's row.
type deletedRowState struct {
	Found bool   `json:"found"`
	Name  string `json:"name"`
	Links int    `json:"links"`
}

const deletedRowJS = `(() => {
	const row = document.querySelector('[data-testid="statistics-row"][data-user-id="%d"]');
	return {
		found: !!row,
		name: row?.querySelector('[data-testid="statistics-name"]')?.textContent.trim() ?? '',
		links: row ? row.querySelectorAll('a').length : 0,
	};
})()`

// TestBrowserStatistics opens Settings > Team statistics in headless Chromium, on a desktop and
// on a phone, and saves screenshots of both.
func TestBrowserStatistics(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 80)

		// One anonymised user with plenty of history, so that the table shows how they look.
		var gone models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusInactive).Order("id").First(&gone))
		for i := 0; i < 30; i++ {
			modelstest.Must(t, store.DB().Create(&models.Activity{AccountID: seeded.Account.ID, UserID: gone.ID, Kind: models.ActivityKinds[i%3],
				OccurredAt: time.Now().UTC().AddDate(0, -i%6, 0)}))
		}
		if anonymised := modelstest.Must(t, store.DB().Exec("UPDATE users SET status = ?, name = '', email = NULL WHERE id = ?", models.StatusDeleted, gone.ID)); anonymised.RowsAffected != 1 {
			t.Fatalf("anonymised %d users, want 1", anonymised.RowsAffected)
		}

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		u.navigate("/login")
		u.typeInto("#email", seeded.OwnerEmail)
		u.typeInto("#password", seeded.OwnerPassword)
		if status := u.clickAndLoad(`form[action="/login"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("sign in: final status %d", status)
		}
		console := collectConsoleErrors(ctx)

		if status := u.clickAndLoad(`.sidenav a[href="/settings/statistics"]`); status != http.StatusOK {
			t.Fatalf("team statistics: status %d", status)
		}
		desktop := evaluate[statisticsPageState](u, statisticsStateJS)
		if desktop.Months != models.DefaultStatisticsMonths || desktop.Bars == 0 || desktop.Rows == 0 {
			t.Errorf("desktop: %d months, %d visible bars, %d rows", desktop.Months, desktop.Bars, desktop.Rows)
		}
		if desktop.ChartWidth < 600 || desktop.ChartHeight < 150 || desktop.Label == "" {
			t.Errorf("desktop chart is %dx%d with label %q", desktop.ChartWidth, desktop.ChartHeight, desktop.Label)
		}
		// The anonymised user's row is there, named as deleted and linking nowhere.
		goneRow := evaluate[deletedRowState](u, fmt.Sprintf(deletedRowJS, gone.ID))
		if !goneRow.Found || goneRow.Name != models.DeletedUserName || goneRow.Links != 0 {
			t.Errorf("anonymised user's row: %+v, want it shown as %q without a link", goneRow, models.DeletedUserName)
		}
		u.screenshot("statistics-01-desktop")
		u.viewportShot("statistics-01-desktop-top")

		// A shorter range of one kind, chosen in the form.
		u.navigate("/settings/statistics?from=" + time.Now().UTC().AddDate(0, -5, 0).Format("2006-01") + "&kind=deal_won")
		if got := evaluate[statisticsPageState](u, statisticsStateJS); got.Months != 6 {
			t.Errorf("six months asked for, %d drawn", got.Months)
		}
		u.screenshot("statistics-02-deals-won")

		u.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		u.navigate("/settings/statistics")
		phone := evaluate[statisticsPageState](u, statisticsStateJS)
		if phone.PageWidth > phone.ViewportWidth {
			t.Errorf("at 375px the page is %dpx wide and scrolls sideways", phone.PageWidth)
		}
		// The chart keeps a readable size and scrolls sideways inside its card.
		if phone.ChartWidth < 600 || phone.ChartBox == 0 || phone.ChartBox > phone.ViewportWidth {
			t.Errorf("at 375px the chart is %dpx wide in a box of %dpx", phone.ChartWidth, phone.ChartBox)
		}
		u.screenshot("statistics-03-phone")
		u.viewportShot("statistics-03-phone-top")

		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	})
}

// viewportShot saves what the window shows, without scrolling: the top of a long page.
func (u *browserUser) viewportShot(name string) {
	u.t.Helper()
	png, err := chromedp.Run(u.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(u.shots, "browser-"+u.db+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.t.Logf("screenshot: %s", path)
}
