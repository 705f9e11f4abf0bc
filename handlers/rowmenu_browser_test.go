package handlers

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserRowMenuDeactivateAndOrphanedWork opens a row's ⋯ menu with the keyboard, deactivates
// the person through it leaving their records with them, reads the message that names them, and
// hands their work to the suggested recipient from Orphaned work.
func TestBrowserRowMenuDeactivateAndOrphanedWork(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		start := time.Now()
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		gdb := store.DB()
		var owner, member models.User
		modelstest.Must(t, gdb.Where("account_id = ? AND email = ?", seeded.Account.ID, seeded.OwnerEmail).Take(&owner))
		modelstest.Must(t, gdb.Where("account_id = ? AND status = ? AND role = ? AND id IN (SELECT owner_id FROM records WHERE is_open = ?)",
			seeded.Account.ID, models.StatusActive, models.RoleMember, true).Order("id").First(&member))
		modelstest.Must(t, gdb.Model(&member).Update("manager_id", owner.ID))
		openRecords := func() int64 {
			return modelstest.Count(t, gdb.Model(&models.Record{}).Where("owner_id = ? AND is_open = ?", member.ID, true))
		}
		before := openRecords()

		ctx := startBrowser(t, execPath)
		a := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		a.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		// After the first page: Chromium's own request for a favicon is not the console's business.
		console := collectConsoleErrors(ctx)
		a.navigate("/settings/users?q=" + member.EmailAddress())
		button := `[data-testid="row-menu-button"]`
		a.waitFor("the row's menu button", `document.querySelectorAll('`+button+`').length === 1`)

		// Arrow down opens the menu on its first entry; Escape closes it and returns to the button.
		a.do(chromedp.Focus(chromedp.CSS(button)), chromedp.KeyEvent(kb.ArrowDown))
		a.waitFor("the open menu", `document.querySelector('`+button+`').getAttribute('aria-expanded') === 'true' && !document.querySelector('#row-menu').hidden`)
		entries := evaluate[[]string](a, `[...document.querySelectorAll('#row-menu li:not([hidden]) [role="menuitem"]')].map((i) => i.dataset.act || i.value)`)
		if strings.Join(entries, " ") != "deactivate reset_password change_plan change_role view_as" {
			t.Errorf("an active member's menu offers %q", entries)
		}
		if got := evaluate[string](a, `document.activeElement.dataset.act || document.activeElement.value || ''`); got != "deactivate" {
			t.Errorf("focus on %q, want the first entry", got)
		}
		a.screenshot("row-menu-open")
		a.do(chromedp.KeyEvent(kb.Escape))
		a.waitFor("the closed menu with focus back on its button", `document.querySelector('#row-menu').hidden && document.activeElement === document.querySelector('`+button+`') && document.activeElement.getAttribute('aria-expanded') === 'false'`)

		// Enter opens it again; the arrows wrap; Enter on Deactivate… opens the wizard for that one person.
		a.do(chromedp.KeyEvent(kb.Enter))
		a.waitFor("the menu open again", `document.activeElement.value === 'deactivate'`)
		a.do(chromedp.KeyEvent(kb.ArrowUp))
		a.waitFor("the last entry", `document.activeElement.dataset.act === 'view_as'`)
		a.do(chromedp.KeyEvent(kb.ArrowDown))
		a.waitFor("the first entry again", `document.activeElement.value === 'deactivate'`)
		if status := a.load("pressing Enter on Deactivate…", chromedp.KeyEvent(kb.Enter)); status != http.StatusOK {
			t.Fatalf("Deactivate… from the row menu: status %d", status)
		}
		lcWaitStep(a, "impact")
		if got := evaluate[string](a, `document.querySelector('input[name="ids"]')?.value ?? ''`); got != strconv.FormatInt(member.ID, 10) {
			t.Fatalf("the wizard is for %q, want only %d", got, member.ID)
		}
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "handover")
		a.click(`input[name="records_mode"][value="keep"]`)
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "confirm")
		if status := a.clickAndLoad(`[data-testid="wizard-confirm"]`); status != http.StatusOK {
			t.Fatalf("deactivate: final status %d", status)
		}
		flash := lcExpectFlash(t, a, "after deactivating through the row menu", member.Name+" deactivated")
		if !strings.Contains(flash, "Reactivate") || !strings.Contains(flash, member.Name+"’s records") {
			t.Errorf("the message %q should offer Reactivate and their records", flash)
		}
		if href := evaluate[string](a, `document.querySelector('[data-testid="flash-link"]')?.getAttribute('href') ?? ''`); href != "/settings/records?owner="+strconv.FormatInt(member.ID, 10) {
			t.Errorf("records link %q", href)
		}
		a.screenshot("row-menu-deactivated")

		// Orphaned work lists them, suggests their manager, and hands everything over in one click.
		a.navigate("/settings/orphaned-work")
		if n := evaluate[string](a, `document.querySelector('[data-testid="nav-count-orphaned"]')?.innerText ?? ''`); n == "" {
			t.Error("the navigation shows no count of orphaned work")
		}
		row := `[data-testid="orphan"][data-user-id="` + strconv.FormatInt(member.ID, 10) + `"]`
		suggestion := evaluate[string](a, `document.querySelector('`+row+` [data-testid="orphan-suggested"]')?.innerText ?? ''`)
		if !strings.Contains(suggestion, owner.Name) {
			t.Fatalf("suggestion %q, want their manager %s", suggestion, owner.Name)
		}
		a.screenshot("orphaned-work")
		if status := a.clickAndLoad(row + ` [data-testid="orphan-suggested"]`); status != http.StatusOK {
			t.Fatalf("hand over: final status %d", status)
		}
		lcExpectFlash(t, a, "after handing over", member.Name+"’s work handed to "+owner.Name+": "+models.Count(int(before), "record", "records"))
		if evaluate[bool](a, `!!document.querySelector('`+row+`')`) {
			t.Error("they are still listed after the hand-over")
		}
		if n := openRecords(); n != 0 {
			t.Errorf("they still own %d open records", n)
		}
		a.screenshot("orphaned-work-handed-over")
		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		t.Logf("browser run on %s took %s", db, time.Since(start).Round(time.Millisecond))
	})
}
