package handlers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserLeaveDate follows an owner in headless Chromium who gives a member a leave date a
// minute ahead (in the account's Berlin time), sees it on the profile and as a badge on the
// Active tab, and then, once the server's clock reaches that minute and the runner has done its
// pass, sees the member inactive and the deactivation marked "scheduled" in the audit log.
func TestBrowserLeaveDate(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, shared *models.Store) {
		db := filepath.Base(t.Name())
		// The server's clock, stopped at the start and moved by hand.
		var clock atomic.Int64
		clock.Store(time.Now().UTC().UnixNano())
		store := *shared
		store.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
		app := newTestApp(t, &store)
		acc := modelstest.NewAccount(t, &store)
		if err := store.UpdateAccountTimeZone(context.Background(), acc.Actor, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		leaver := addPerson(t, &store, acc, "Liv Leaving", models.RoleMember, models.StatusActive)
		receiver := addPerson(t, &store, acc, "Rasmus Receiver", models.RoleMember, models.StatusActive)
		now := store.Now()
		modelstest.Must(t, store.DB().Create(&models.Record{AccountID: acc.Account.ID, Kind: "deal", Title: "Renewal", IsOpen: true,
			OwnerID: leaver.ID, CreatedByID: leaver.ID, CreatedAt: now, UpdatedAt: now}))
		id := strconv.FormatInt(leaver.ID, 10)
		shots := &leaveDateShots{t: t, dir: artifacts, db: db}

		// The runner every server starts, polling often so that the test need not wait.
		runCtx, stopRunner := context.WithCancel(context.Background())
		t.Cleanup(stopRunner)
		go store.RunScheduledDeactivations(runCtx, 100*time.Millisecond, func(err error) { t.Errorf("runner: %v", err) })

		a := &browserUser{t: t, ctx: startBrowser(t, execPath), base: app.URL, shots: artifacts, db: db}
		a.signIn(acc.Owner.EmailAddress(), modelstest.Password)
		consoleA := collectConsoleErrors(a.ctx)

		// 1. The wizard, through to its last step.
		if status := a.openForStatus("/settings/users/deactivate?ids=" + id); status != http.StatusOK {
			t.Fatalf("wizard: status %d", status)
		}
		lcWaitStep(a, "impact")
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "handover")
		a.do(chromedp.SetValue(chromedp.CSS(`#records_to`), strconv.FormatInt(receiver.ID, 10)))
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "confirm")

		// 2. "On …": the next minute but one, typed as Berlin time.
		berlin, _ := time.LoadLocation("Europe/Berlin")
		due := store.Now().Truncate(time.Minute).Add(2 * time.Minute)
		local := due.In(berlin)
		if label := evaluate[string](a, `document.querySelector('label[for="leave_time"]')?.innerText ?? ''`); !strings.Contains(label, "Europe/Berlin") {
			t.Errorf("the time field's label %q does not name the account's zone", label)
		}
		a.click(`[data-testid="when-at"]`)
		a.do(chromedp.SetValue(chromedp.CSS(`#leave_date`), local.Format("2006-01-02")))
		a.do(chromedp.SetValue(chromedp.CSS(`#leave_time`), local.Format("15:04")))
		a.typeInto("#reason", "Sabbatical")
		if label := evaluate[string](a, `document.querySelector('[data-testid="wizard-confirm"]').innerText.trim()`); label != "Schedule for 1 user" {
			t.Errorf("with a date chosen the confirm button reads %q", label)
		}
		shots.take(a, "wizard-on-a-date")
		if status := a.clickAndLoad(`[data-testid="wizard-confirm"]`); status != http.StatusOK {
			t.Fatalf("schedule: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/"+id {
			t.Errorf("after scheduling: at %s, want the profile", loc)
		}
		when := local.Format("2 Jan 2006, 15:04") + " (Europe/Berlin)"
		notice := evaluate[string](a, `document.querySelector('[data-testid="leave-date"] p')?.innerText.trim() ?? ''`)
		if want := "Leaves on " + when + " — scheduled by " + acc.Owner.Name; notice != want {
			t.Errorf("profile says %q, want %q", notice, want)
		}
		shots.take(a, "profile-leave-date")

		// 3. The Active tab badges them; the Leaving filter finds only them.
		a.navigate("/settings/users?leaving=1")
		list := evaluate[struct {
			Rows  int    `json:"rows"`
			Badge string `json:"badge"`
			Count string `json:"count"`
		}](a, `({
			rows: document.querySelectorAll('[data-testid="user-row"]').length,
			badge: document.querySelector('[data-testid="leaves-on"]')?.innerText.trim() ?? '',
			count: document.querySelector('[data-testid="count-active"]')?.innerText.trim() ?? '',
		})`)
		if list.Rows != 1 || list.Badge != "Leaves on "+when || list.Count != "1" {
			t.Errorf("Leaving filter: %d rows, badge %q, count %q", list.Rows, list.Badge, list.Count)
		}
		shots.take(a, "list-leaving")

		// 4. Nothing happens a second early; at the minute the runner carries it out.
		clock.Store(due.Add(-time.Second).UnixNano())
		time.Sleep(300 * time.Millisecond)
		if rows := leaveDatesOf(t, &store, leaver.ID); len(rows) != 1 {
			t.Fatalf("carried out before its minute")
		}
		clock.Store(due.Add(time.Second).UnixNano())
		deadline := time.Now().Add(30 * time.Second)
		for len(leaveDatesOf(t, &store, leaver.ID)) != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the runner did not carry out the leave date within 30 s of its minute")
			}
			time.Sleep(50 * time.Millisecond)
		}
		a.navigate("/settings/users/" + id)
		after := evaluate[struct {
			Status string `json:"status"`
			Notice bool   `json:"notice"`
		}](a, `({
			status: document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? '',
			notice: !!document.querySelector('[data-testid="leave-date"]'),
		})`)
		if after.Status != "Inactive" || after.Notice {
			t.Errorf("after the minute the profile says %q (leave date shown: %v), want Inactive and no leave date", after.Status, after.Notice)
		}
		shots.take(a, "profile-inactive")
		var owned int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", receiver.ID).Count(&owned))
		if owned != 1 {
			t.Errorf("the receiver owns %d records, want the leaver's 1", owned)
		}
		a.navigate("/settings/audit?action=" + models.AuditUserDeactivated)
		if log := evaluate[string](a, `document.querySelector('main')?.innerText ?? ''`); !strings.Contains(log, "scheduled") {
			t.Errorf("the audit log does not say the deactivation was scheduled")
		}
		shots.take(a, "audit-scheduled")
		for _, m := range consoleA() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	})
}

type leaveDateShots struct {
	t   *testing.T
	dir string
	db  string
	n   int
}

func (s *leaveDateShots) take(u *browserUser, what string) {
	s.t.Helper()
	s.n++
	if !savesScreenshots(s.db) {
		return
	}
	if _, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
		s.t.Fatalf("scroll up for %s: %v", what, err)
	}
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", what, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("leave-date-%s-%02d-%s.png", s.db, s.n, what))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", path)
}
