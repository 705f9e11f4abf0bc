package handlers

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserRecordsHandoverAndUndo follows an administrator in headless Chromium from a
// deactivated member's profile to their records, hands two of them over from the records page and
// undoes that hand-over from the audit log. Each stop is a full-page screenshot.
func TestBrowserRecordsHandoverAndUndo(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		start := time.Now()
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		gdb := store.DB()
		shots := &recordsShots{t: t, dir: artifacts, db: db}

		// A deactivated member who owns at least two records, two of them open, and an active
		// member to receive them.
		var leaver models.User
		if err := gdb.Where("account_id = ? AND status = ? AND deletion_due_at IS NULL AND (SELECT count(*) FROM records r WHERE r.owner_id = users.id) >= 2",
			seeded.Account.ID, models.StatusInactive).Order("id").Take(&leaver).Error; err != nil {
			t.Fatalf("no inactive member with records in the seed: %v", err)
		}
		var firstTwo []int64
		gdb.Model(&models.Record{}).Where("owner_id = ?", leaver.ID).Order("id").Limit(2).Pluck("id", &firstTwo)
		if err := gdb.Model(&models.Record{}).Where("id IN ?", firstTwo).Update("is_open", true).Error; err != nil {
			t.Fatal(err)
		}
		var receiver models.User
		if err := gdb.Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
			Order("id").Take(&receiver).Error; err != nil {
			t.Fatal(err)
		}

		ctx := startBrowser(t, execPath)
		a := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		a.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		console := collectConsoleErrors(ctx)

		// 1. The profile's record count leads to the records page filtered by them.
		a.navigate("/settings/users/" + strconv.FormatInt(leaver.ID, 10))
		if status := a.clickAndLoad(`[data-testid="profile-records-link"]`); status != http.StatusOK {
			t.Fatalf("the profile's records link: status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/records?owner="+strconv.FormatInt(leaver.ID, 10) {
			t.Fatalf("records link opened %s", loc)
		}
		rows := evaluate[int](a, `document.querySelectorAll('[data-testid="record-row"]').length`)
		var owned int64
		gdb.Model(&models.Record{}).Where("owner_id = ?", leaver.ID).Count(&owned)
		if int64(rows) != min(owned, models.DefaultPageSize) {
			t.Fatalf("the records page shows %d rows, %s owns %d records", rows, leaver.Name, owned)
		}
		if status := evaluate[string](a, `document.querySelector('[data-testid="record-owner-status"]').innerText.trim()`); status != "Inactive" {
			t.Errorf("owner status %q, want Inactive", status)
		}
		// The open/closed filter answers by htmx, in place, with its own address.
		evaluate[bool](a, `(() => { const s = document.querySelector('#open'); s.value = 'open'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
		a.waitFor("the open records of the leaver", `location.search.includes('open=open')`)
		a.waitFor("the list swapped in", `(() => { const states = [...document.querySelectorAll('[data-testid="record-state"]')];
			return states.length >= 2 && states.every((s) => s.innerText.trim() === 'Open') })()`)
		shots.take(a, "leaver-open-records")

		// 2. Two records are handed over to an active member.
		ids := evaluate[[]string](a, `[...document.querySelectorAll('input[name="ids"]')].slice(0, 2).map((b) => b.value)`)
		for _, id := range ids {
			a.click(`input[name="ids"][value="` + id + `"]`)
		}
		if status := a.clickAndLoad(`[data-testid="records-handover"]`); status != http.StatusOK {
			t.Fatalf("Hand over…: status %d", status)
		}
		evaluate[bool](a, `(() => { document.querySelector('#records_to').value = '`+strconv.FormatInt(receiver.ID, 10)+`'; return true })()`)
		shots.take(a, "handover-form")
		if status := a.clickAndLoad(`[data-testid="handover-confirm"]`); status != http.StatusOK {
			t.Fatalf("hand over: status %d", status)
		}
		lcExpectFlash(t, a, "after the hand-over", "Handed over 2 records.")
		recordIDs := make([]int64, len(ids))
		for i, id := range ids {
			recordIDs[i], _ = strconv.ParseInt(id, 10, 64)
		}
		var moved int64
		gdb.Model(&models.Record{}).Where("id IN ? AND owner_id = ?", recordIDs, receiver.ID).Count(&moved)
		if moved != 2 {
			t.Fatalf("%d records with %s, want 2", moved, receiver.Name)
		}
		shots.take(a, "handed-over")

		// 3. The audit log's event undoes it, after a page that says what goes back.
		a.navigate("/settings/audit")
		if status := a.clickAndLoad(`[data-testid="audit-undo"]`); status != http.StatusOK {
			t.Fatalf("Undo hand-over…: status %d", status)
		}
		back := evaluate[string](a, `document.querySelector('[data-testid="undo-back"]').innerText`)
		if n := evaluate[int](a, `document.querySelectorAll('[data-testid="undo-back-row"]').length`); n != 2 || !strings.Contains(back, receiver.Name) {
			t.Fatalf("the undo page lists %d items: %s", n, back)
		}
		shots.take(a, "undo-confirm")
		if status := a.clickAndLoad(`[data-testid="undo-confirm"]`); status != http.StatusOK {
			t.Fatalf("undo: status %d", status)
		}
		lcExpectFlash(t, a, "after the undo", "Hand-over undone: 2 records back")
		var returned int64
		gdb.Model(&models.Record{}).Where("id IN ? AND owner_id = ?", recordIDs, leaver.ID).Count(&returned)
		if returned != 2 {
			t.Fatalf("%d records back with %s, want 2", returned, leaver.Name)
		}
		shots.take(a, "undone")
		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		t.Logf("records walk-through on %s took %s", db, time.Since(start).Round(time.Millisecond))
	})
}

// recordsShots saves numbered full-page screenshots: records-<db>-NN-<what>.png.
type recordsShots struct {
	t   *testing.T
	dir string
	db  string
	n   int
}

func (s *recordsShots) take(u *browserUser, what string) {
	s.t.Helper()
	s.n++
	if !savesScreenshots(s.db) {
		return
	}
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", what, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("records-%s-%02d-%s.png", s.db, s.n, what))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", path)
}
