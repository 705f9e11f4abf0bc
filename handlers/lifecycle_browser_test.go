package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserLifecycle follows one person through their life in an account the way an
// administrator and the person themselves do it in headless Chromium: the owner invites them,
// they accept the e-mailed link in a browser of their own, the owner deactivates them with the
// wizard (which ends their open session), then reactivates them from the Inactive tab. Then the
// wizard hands over one kind of a seeded member's records. Each stop is a full-page screenshot.
func TestBrowserLifecycle(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		start := time.Now()
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		accountID := seeded.Account.ID
		shots := &lifecycleShots{t: t, dir: artifacts, db: db}

		// Browser A is the owner's.
		ctxA := startBrowser(t, execPath)
		a := &browserUser{t: t, ctx: ctxA, base: app.URL, shots: artifacts, db: db}
		a.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		if loc := lcLocation(a); loc != "/settings/users" {
			t.Fatalf("owner signed in at %s, want /settings/users", loc)
		}
		consoleA := collectConsoleErrors(ctxA)

		countUsers := func() int64 {
			var n int64
			if err := store.DB().Model(&models.User{}).Where("account_id = ?", accountID).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		findUser := func(email string) *models.User {
			var users []models.User
			if err := store.DB().Where("account_id = ? AND email = ?", accountID, email).Find(&users).Error; err != nil {
				t.Fatal(err)
			}
			if len(users) == 0 {
				return nil
			}
			return &users[0]
		}

		// 2. Invite one person with the form's default plan and role.
		a.clickAndLoad(`[data-testid="invite-button"]`)
		if loc := lcLocation(a); loc != "/settings/users/invite" {
			t.Fatalf("Invite people opened %s, want /settings/users/invite", loc)
		}
		defaults := evaluate[struct {
			Plan      string `json:"plan"`
			FirstPlan string `json:"firstPlan"`
			Role      string `json:"role"`
		}](a, `({
			plan: document.querySelector('#plan').value,
			firstPlan: [...document.querySelector('#plan').options].find((o) => o.value)?.value ?? '',
			role: document.querySelector('#role').value,
		})`)
		if defaults.Plan == "" || defaults.Plan != defaults.FirstPlan || defaults.Role != string(models.RoleMember) {
			t.Errorf("invite form defaults: plan %q (first plan %q), role %q; want the first plan and member",
				defaults.Plan, defaults.FirstPlan, defaults.Role)
		}
		shots.take(a, "invite-form")

		usersBefore := countUsers()
		newHire := "newhire-" + lcRandom() + "@example.com"
		a.typeInto("#addresses", newHire)
		if status := a.clickAndLoad(`[data-testid="send-invitations"]`); status != http.StatusOK {
			t.Fatalf("send invitations: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users?tab=invited" {
			t.Fatalf("after inviting: at %s, want /settings/users?tab=invited", loc)
		}
		lcExpectFlash(t, a, "after inviting", "Invited "+strings.SplitN(newHire, "@", 2)[0]+" with a seat reserved")
		if emails := lcRowEmails(a); !slices.Contains(emails, newHire) {
			t.Errorf("the Invited tab does not list %s: %v", newHire, emails)
		}
		if n := countUsers(); n != usersBefore+1 {
			t.Errorf("after inviting one person the account has %d users, had %d", n, usersBefore)
		}
		invited := findUser(newHire)
		if invited == nil || invited.Status != models.StatusInvited || invited.Role != models.RoleMember {
			t.Fatalf("the database holds %+v for %s, want an invited member", invited, newHire)
		}
		shots.take(a, "invited")

		// 3. A malformed address, one already invited and one listed twice: nobody is invited,
		// and the page says why, address by address.
		a.navigate("/settings/users/invite")
		other := "other-" + lcRandom() + "@example.com"
		a.typeInto("#addresses", "not-an-address, "+newHire+", "+other+", "+other)
		if status := a.clickAndLoad(`[data-testid="send-invitations"]`); status != http.StatusUnprocessableEntity {
			t.Errorf("invite with problems: status %d, want 422", status)
		}
		problems := evaluate[struct {
			Alert     string            `json:"alert"`
			Rows      map[string]string `json:"rows"`
			RowCount  int               `json:"rowCount"`
			Addresses string            `json:"addresses"`
		}](a, `(() => {
			const rows = {};
			const trs = [...document.querySelectorAll('[data-testid="invite-problem"]')];
			for (const tr of trs) rows[tr.cells[0].innerText.trim()] = tr.cells[1].innerText.trim();
			return {
				alert: document.querySelector('[data-testid="invite-problems"]')?.innerText ?? '',
				rows, rowCount: trs.length,
				addresses: document.querySelector('#addresses')?.value ?? '',
			};
		})()`)
		wantProblems := map[string]string{
			"not-an-address": "Not an e-mail address.",
			newHire:          "Already invited: remind them from the Invited tab.",
			other:            "Listed twice.",
		}
		if problems.RowCount != len(wantProblems) {
			t.Errorf("the problems table has %d rows, want %d: %v", problems.RowCount, len(wantProblems), problems.Rows)
		}
		for input, want := range wantProblems {
			if got := problems.Rows[input]; got != want {
				t.Errorf("problem for %q is %q, want %q", input, got, want)
			}
		}
		if !strings.Contains(problems.Alert, "Nobody was invited.") || !strings.Contains(problems.Alert, "Fix 3 addresses") {
			t.Errorf("problems alert says %q", problems.Alert)
		}
		if !strings.Contains(problems.Addresses, other) || !strings.Contains(problems.Addresses, "not-an-address") {
			t.Errorf("the form lost what was typed: %q", problems.Addresses)
		}
		if n := countUsers(); n != usersBefore+1 {
			t.Errorf("a refused invitation changed the number of users from %d to %d", usersBefore+1, n)
		}
		if findUser(other) != nil {
			t.Errorf("%s was invited although the request was refused", other)
		}
		shots.take(a, "invite-problems")

		// 4. The outbox holds the invitation e-mail and its link.
		a.navigate("/settings/outbox")
		mail := evaluate[struct {
			Found   bool   `json:"found"`
			Subject string `json:"subject"`
			Href    string `json:"href"`
		}](a, `(() => {
			const to = `+lcJS(newHire)+`;
			const li = [...document.querySelectorAll('[data-testid="outbox-message"]')]
				.find((m) => m.querySelector('.outbox-head')?.innerText.includes(to));
			return {
				found: !!li,
				subject: li?.querySelector('.outbox-head strong')?.innerText.trim() ?? '',
				href: li?.querySelector('[data-testid="outbox-link"]')?.href ?? '',
			};
		})()`)
		if !mail.Found {
			t.Fatalf("the outbox has no message to %s", newHire)
		}
		if !strings.Contains(mail.Subject, "invited you to") {
			t.Errorf("invitation subject %q", mail.Subject)
		}
		if !strings.HasPrefix(mail.Href, app.URL+"/invitations/") {
			t.Fatalf("the message's Open the link points to %q, want %s/invitations/…", mail.Href, app.URL)
		}
		shots.take(a, "outbox")

		// 5. The invited person opens the link in a browser of their own: a new browser context
		// has its own cookies, so they are not the owner there.
		ctxB, cancelB := chromedp.NewContext(ctxA, chromedp.WithNewBrowserContext())
		// Closing B's tab also disposes of its browser context; this runs before browser A closes.
		t.Cleanup(func() {
			if err := chromedp.Cancel(ctxB); err != nil && !errors.Is(err, context.Canceled) {
				t.Logf("closing browser B: %v", err)
			}
			cancelB()
		})
		b := &browserUser{t: t, ctx: ctxB, base: app.URL, shots: artifacts, db: db}
		b.do(chromedp.Navigate(mail.Href))
		consoleB := collectConsoleErrors(ctxB)
		accept := evaluate[struct {
			Title   string `json:"title"`
			Text    string `json:"text"`
			HasUser bool   `json:"hasUser"`
		}](b, `({
			title: document.querySelector('#accept-title')?.innerText.trim() ?? '',
			text: document.querySelector('.card')?.innerText ?? '',
			hasUser: !!document.querySelector('[data-testid="current-user"]'),
		})`)
		if want := "Join " + seeded.Account.Name; accept.Title != want {
			t.Errorf("invitation page title %q, want %q", accept.Title, want)
		}
		if !strings.Contains(accept.Text, newHire) {
			t.Errorf("the invitation page does not name %s: %q", newHire, accept.Text)
		}
		if accept.HasUser {
			t.Error("browser B shares the owner's session: the invitation page shows a signed-in user")
		}
		password := "a long new password " + lcRandom()
		b.do(chromedp.Clear(chromedp.CSS("#name")))
		b.typeInto("#name", "New Hire")
		b.typeInto("#password", password)
		b.typeInto("#password_confirm", password)
		shots.take(b, "accept-form")
		if status := b.clickAndLoad(`[data-testid="accept"]`); status != http.StatusOK {
			t.Fatalf("accept the invitation: final status %d", status)
		}
		home := evaluate[struct {
			Path    string `json:"path"`
			Heading string `json:"heading"`
			User    string `json:"user"`
		}](b, `({
			path: location.pathname,
			heading: document.querySelector('main h1')?.innerText.trim() ?? '',
			user: document.querySelector('[data-testid="current-user"]')?.innerText.trim() ?? '',
		})`)
		if home.Path != "/" || home.Heading != "Hello, New Hire" || home.User != "New Hire" {
			t.Errorf("after joining: at %s with heading %q as %q, want / with \"Hello, New Hire\" as New Hire", home.Path, home.Heading, home.User)
		}
		shots.take(b, "joined-home")
		hire := findUser(newHire)
		if hire == nil || hire.Status != models.StatusActive || hire.Name != "New Hire" {
			t.Fatalf("after joining, the database holds %+v, want an active New Hire", hire)
		}
		hireID := strconv.FormatInt(hire.ID, 10)

		// 6. The owner deactivates them with the wizard.
		a.navigate("/settings/users/" + hireID)
		profile := evaluate[struct {
			Name     string `json:"name"`
			Status   string `json:"status"`
			Sessions string `json:"sessions"`
		}](a, `({
			name: document.querySelector('[data-testid="profile-name"]')?.innerText.trim() ?? '',
			status: document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? '',
			sessions: document.querySelector('[data-testid="profile-sessions"]')?.innerText.trim() ?? '',
		})`)
		if profile.Name != "New Hire" || profile.Status != "Active" || profile.Sessions != "1" {
			t.Errorf("New Hire's profile shows name %q, status %q, %s open sessions; want New Hire, Active, 1",
				profile.Name, profile.Status, profile.Sessions)
		}
		shots.take(a, "profile-active")
		if status := a.clickAndLoad(`[data-testid="action-deactivate"]`); status != http.StatusOK {
			t.Fatalf("Deactivate…: status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users/deactivate?ids="+hireID {
			t.Errorf("Deactivate… opened %s", loc)
		}
		lcWaitStep(a, "impact")
		if n := lcInt(t, evaluate[string](a, `document.querySelector('[data-testid="impact-sessions"]')?.innerText.trim() ?? ''`)); n < 1 {
			t.Errorf("the impact step says %d sessions end, but browser B is signed in", n)
		}
		shots.take(a, "wizard-impact")
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "handover")
		// A new hire owns no records, so the wizard asks nobody to receive them.
		if evaluate[bool](a, `!!document.querySelector('#records_to')`) {
			t.Error("the hand-over step asks for a records recipient although New Hire owns no records")
		}
		shots.take(a, "wizard-handover")
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "confirm")
		summary := evaluate[string](a, `document.querySelector('[data-testid="confirm-summary"]')?.innerText ?? ''`)
		if !strings.Contains(summary, "1 user becomes inactive") || !strings.Contains(summary, "1 open session ends") ||
			!strings.Contains(summary, "1 seat is freed") || !strings.Contains(summary, "records stay under their name") {
			t.Errorf("confirm summary %q should say 1 user becomes inactive, 1 open session ends, 1 seat is freed", summary)
		}
		a.typeInto("#reason", "Left the company")
		shots.take(a, "wizard-confirm")
		if status := a.clickAndLoad(`[data-testid="wizard-confirm"]`); status != http.StatusOK {
			t.Fatalf("deactivate: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users?tab=inactive" {
			t.Errorf("after deactivating: at %s, want /settings/users?tab=inactive", loc)
		}
		flash := lcExpectFlash(t, a, "after deactivating", "New Hire deactivated")
		if !strings.Contains(flash, "1 session ended.") {
			t.Errorf("deactivation flash %q does not say browser B's session ended", flash)
		}
		if emails := lcRowEmails(a); !slices.Contains(emails, newHire) {
			t.Errorf("the Inactive tab does not list %s", newHire)
		}
		if hire = findUser(newHire); hire.Status != models.StatusInactive {
			t.Errorf("after the wizard New Hire is %s, want inactive", hire.Status)
		}
		shots.take(a, "deactivated")

		// 7. Browser B's open session is refused from the next request on.
		b.do(chromedp.Reload())
		b.waitFor("the sign-in page in browser B", `location.pathname === '/login' && document.querySelector('#email')`)
		if user := evaluate[bool](b, `!!document.querySelector('[data-testid="current-user"]')`); user {
			t.Error("browser B still shows a signed-in user after the deactivation")
		}
		shots.take(b, "signed-out")

		// 8. The owner reactivates them from the Inactive tab.
		a.click(`input[name="ids"][value="` + hireID + `"]`)
		a.waitFor("the selected count", `document.querySelector('[data-selected-count]')?.innerText.trim() === '1 selected'`)
		actions := evaluate[[]string](a, `[...document.querySelectorAll('[data-testid="bulk-action"] option')].map((o) => o.value)`)
		if !slices.Contains(actions, "reactivate") {
			t.Fatalf("the Inactive tab's actions are %v, want reactivate among them", actions)
		}
		// Reactivate is the tab's only action, so it is already chosen: a person leaves the menu
		// alone. (Choosing in it fires change, which the filter form's "change from:select"
		// trigger also hears: it reloads the list and drops the ticks.)
		if action := evaluate[string](a, `document.querySelector('[data-testid="bulk-action"]').value`); action != "reactivate" {
			t.Fatalf("the Inactive tab's action menu shows %q, want reactivate", action)
		}
		shots.take(a, "reactivate-selected")
		if status := a.clickAndLoad(`[data-testid="bulk-apply"]`); status != http.StatusOK {
			t.Fatalf("reactivate: final status %d", status)
		}
		if loc := lcLocation(a); loc != "/settings/users?tab=inactive" {
			t.Errorf("after reactivating: at %s, want /settings/users?tab=inactive", loc)
		}
		lcExpectFlash(t, a, "after reactivating", "Reactivated New Hire")
		if emails := lcRowEmails(a); slices.Contains(emails, newHire) {
			t.Errorf("the Inactive tab still lists %s after reactivating", newHire)
		}
		if hire = findUser(newHire); hire.Status != models.StatusActive {
			t.Errorf("after reactivating New Hire is %s, want active", hire.Status)
		}
		shots.take(a, "reactivated")

		// 9. A seeded member with records: hand over only one kind of them.
		member, kind, records := lcMemberWithRecords(t, store, accountID, hire.ID)
		memberID := strconv.FormatInt(member.ID, 10)
		a.navigate("/settings/users/deactivate?ids=" + memberID)
		lcWaitStep(a, "impact")
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "handover")
		a.click(`input[name="records_mode"][value="kind"]`)
		kindRecipient := lcChoose(a, "#records_to_"+kind)
		shots.take(a, "member-handover-by-kind")
		a.click(`[data-testid="wizard-next"]`)
		lcWaitStep(a, "confirm")
		var moving []int64
		for _, r := range records {
			if r.Kind == kind && r.IsOpen {
				moving = append(moving, r.ID)
			}
		}
		summary = evaluate[string](a, `document.querySelector('[data-testid="confirm-summary"]')?.innerText ?? ''`)
		if m := movingPerKind.FindStringSubmatch(summary); m == nil || m[1] != strconv.Itoa(len(moving)) {
			t.Errorf("confirm summary %q does not say that %d records move to the owners chosen per kind", summary, len(moving))
		}
		shots.take(a, "member-confirm")
		if status := a.clickAndLoad(`[data-testid="wizard-confirm"]`); status != http.StatusOK {
			t.Fatalf("deactivate the member: final status %d", status)
		}
		flash = lcExpectFlash(t, a, "after deactivating the member", member.Name+" deactivated")
		if want := models.Count(len(moving), "record", "records") + " handed over."; !strings.Contains(flash, want) {
			t.Errorf("flash %q does not say %q", flash, want)
		}
		shots.take(a, "member-deactivated")

		recipientID, _ := strconv.ParseInt(kindRecipient.Value, 10, 64)
		var after []models.Record
		if err := store.DB().Where("id IN ?", lcRecordIDs(records)).Find(&after).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range after {
			want := member.ID
			if slices.Contains(moving, r.ID) {
				want = recipientID
			}
			if r.OwnerID != want {
				t.Errorf("%s record %d (open %v) is owned by %d, want %d", r.Kind, r.ID, r.IsOpen, r.OwnerID, want)
			}
		}
		owner := findUser(seeded.OwnerEmail)
		var changes []models.RecordOwnershipChange
		if err := store.DB().Where("account_id = ? AND from_user_id = ?", accountID, member.ID).Find(&changes).Error; err != nil {
			t.Fatal(err)
		}
		changed := map[int64]int{}
		for _, c := range changes {
			changed[c.RecordID]++
			if c.ToUserID != recipientID || c.ChangedByID == nil || *c.ChangedByID != owner.ID {
				t.Errorf("ownership change %+v: want to %d by the owner", c, recipientID)
			}
		}
		for _, id := range moving {
			if changed[id] != 1 {
				t.Errorf("record %d moved with %d ownership history lines, want 1", id, changed[id])
			}
		}
		if len(changes) != len(moving) {
			t.Errorf("%d ownership history lines from the member, want %d (one per moved record)", len(changes), len(moving))
		}

		a.navigate("/settings/users/" + memberID)
		handovers := evaluate[struct {
			Status string `json:"status"`
			Rows   int    `json:"rows"`
			Text   string `json:"text"`
		}](a, `({
			status: document.querySelector('[data-testid="profile-status"]')?.innerText.trim() ?? '',
			rows: document.querySelectorAll('[data-testid="profile-handovers"] tbody tr').length,
			text: document.querySelector('[data-testid="profile-handovers"]')?.innerText ?? '',
		})`)
		if handovers.Status != "Inactive" {
			t.Errorf("the member's profile says %q, want Inactive", handovers.Status)
		}
		if handovers.Rows != len(moving) || !strings.Contains(handovers.Text, kindRecipient.Name) ||
			!strings.Contains(handovers.Text, "Hand-over at deactivation") {
			t.Errorf("the member's ownership history shows %d rows (want %d, to %s): %q",
				handovers.Rows, len(moving), kindRecipient.Name, handovers.Text)
		}
		shots.take(a, "member-profile-handovers")

		for _, m := range consoleA() {
			// The refused invitation above is a 422 page, which Chromium logs.
			if m.Source == "network" && strings.Contains(m.Text, "status of 422") && m.URL == app.URL+"/settings/users/invite" {
				continue
			}
			t.Errorf("browser A console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		for _, m := range consoleB() {
			t.Errorf("browser B console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		t.Logf("lifecycle on %s took %s", db, time.Since(start).Round(time.Millisecond))
	})
}

// movingPerKind reads the confirm step's line on records handed over per kind, whether it says
// "1 records move" or "1 record moves".
var movingPerKind = regexp.MustCompile(`(\d[\d,]*) records? moves? to the owners chosen per kind`)

// lifecycleShots saves numbered full-page screenshots: lifecycle-<db>-NN-<what>.png.
type lifecycleShots struct {
	t   *testing.T
	dir string
	db  string
	n   int
}

func (s *lifecycleShots) take(u *browserUser, what string) {
	s.t.Helper()
	s.n++
	if !savesScreenshots(s.db) {
		return
	}
	// Back at the top, so the sticky top bar is where a person sees it rather than halfway down
	// the capture, wherever the last click scrolled to.
	if _, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
		s.t.Fatalf("scroll up for %s: %v", what, err)
	}
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", what, err)
	}
	path := filepath.Join(s.dir, fmt.Sprintf("lifecycle-%s-%02d-%s.png", s.db, s.n, what))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", path)
}

func lcRandom() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lcJS writes s as a JavaScript string literal.
func lcJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func lcInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// lcLocation is the path and query the browser shows.
func lcLocation(u *browserUser) string {
	u.t.Helper()
	return evaluate[string](u, `location.pathname + location.search`)
}

// lcExpectFlash requires a flash that starts with prefix and returns it.
func lcExpectFlash(t *testing.T, u *browserUser, when, prefix string) string {
	t.Helper()
	flashes := evaluate[[]string](u, `[...document.querySelectorAll('[data-testid="flash"]')].map((f) => f.innerText.trim())`)
	for _, f := range flashes {
		if strings.HasPrefix(f, prefix) {
			return f
		}
	}
	t.Errorf("%s: flashes %q, want one starting %q", when, flashes, prefix)
	return ""
}

func lcRowEmails(u *browserUser) []string {
	u.t.Helper()
	return evaluate[[]string](u, `[...document.querySelectorAll('[data-testid="user-row"] .person-text > i')].map((e) => e.innerText.trim())`)
}

// lcWaitStep waits for htmx to swap in the wizard at step.
func lcWaitStep(u *browserUser, step string) {
	u.t.Helper()
	u.waitFor("the wizard's "+step+" step", `document.querySelector('#wizard')?.dataset.step === `+lcJS(step)+
		` && !document.querySelector('#wizard.htmx-swapping, #wizard.htmx-settling, #wizard form.htmx-request')`)
}

type lcOption struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// lcChoose picks the first real option of a select, as a person would, and returns it with the
// person's name the option shows.
func lcChoose(u *browserUser, selector string) lcOption {
	u.t.Helper()
	opt := evaluate[lcOption](u, `(() => {
		const select = document.querySelector(`+lcJS(selector)+`);
		const option = select && [...select.options].find((o) => o.value);
		if (!option) return {value: '', name: ''};
		select.focus();
		select.value = option.value;
		select.dispatchEvent(new Event('input', {bubbles: true}));
		select.dispatchEvent(new Event('change', {bubbles: true}));
		return {value: option.value, name: option.text.replace(/\s*\(.*\)$/, '').trim()};
	})()`)
	if opt.Value == "" {
		u.t.Fatalf("%s offers nobody to choose", selector)
	}
	return opt
}

// lcMemberWithRecords picks an active member who owns open records and, besides, records that a
// hand-over of that one kind's open records leaves alone, so the test can tell them apart.
func lcMemberWithRecords(t *testing.T, store *models.Store, accountID, exclude int64) (models.User, string, []models.Record) {
	t.Helper()
	var members []models.User
	if err := store.DB().Where("account_id = ? AND status = ? AND role = ? AND id <> ?", accountID, models.StatusActive,
		models.RoleMember, exclude).Order("id").Find(&members).Error; err != nil {
		t.Fatal(err)
	}
	var fallback *models.User
	var fallbackKind string
	var fallbackRecords []models.Record
	for i := range members {
		var records []models.Record
		if err := store.DB().Where("owner_id = ?", members[i].ID).Order("id").Find(&records).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			if !r.IsOpen {
				continue
			}
			if len(records) > 1 {
				return members[i], r.Kind, records
			}
			if fallback == nil {
				fallback, fallbackKind, fallbackRecords = &members[i], r.Kind, records
			}
		}
	}
	if fallback == nil {
		t.Fatal("no active seeded member owns an open record")
	}
	t.Logf("no member owns more than one record: every record of %s moves", fallback.Name)
	return *fallback, fallbackKind, fallbackRecords
}

func lcRecordIDs(records []models.Record) []int64 {
	ids := make([]int64, len(records))
	for i, r := range records {
		ids[i] = r.ID
	}
	return ids
}
