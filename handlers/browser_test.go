package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// browserTimeout bounds each browser subtest (one database's run), so that a page that never
// reaches the state a step waits for fails the test instead of hanging it. Each subtest has its
// own: on a loaded machine one run can take a minute or more (the longest, three), and a
// deadline shared with the other database's run left the second one no time at all. Steps that
// wait for the page give up after ten seconds on their own, so this only bounds the whole.
const browserTimeout = 5 * time.Minute

// browserTimeoutMargin ends a browser run this long before the test binary's own timeout, so
// that it fails as a test, and the package's cleanups (which drop its databases) still run,
// instead of the binary panicking.
const browserTimeoutMargin = 30 * time.Second

// TestBrowserClickThrough signs in and walks the user list in headless Chromium, as an
// administrator would: tabs, the back button, live search and a profile, with htmx doing the
// swaps. It saves a full-page screenshot of each stop for people to look at.
func TestBrowserClickThrough(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		start := time.Now()
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 80)
		accountID := seeded.Account.ID

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}

		// A wrong password, first, on a fresh page: the form says so and keeps the e-mail.
		u.navigate("/login")
		u.typeInto("#email", seeded.OwnerEmail)
		u.typeInto("#password", "not the password")
		if status := u.clickAndLoad(`form[action="/login"] button[type="submit"]`); status != http.StatusUnauthorized {
			t.Errorf("wrong password: status %d, want 401", status)
		}
		login := evaluate[loginState](u, loginStateJS)
		if login.Path != "/login" || login.Email != seeded.OwnerEmail {
			t.Errorf("after a wrong password: at %q with e-mail field %q, want /login with %q", login.Path, login.Email, seeded.OwnerEmail)
		}
		if want := "That e-mail address and password do not match an active user."; login.Error != want {
			t.Fatalf("login error %q, want %q", login.Error, want)
		}

		// From here on, anything the page logs as an error (an exception, a refused script or
		// style, a failed request) is a failure.
		console := collectConsoleErrors(ctx)

		// Sign in on a fresh page and land on the user list.
		u.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		counts := map[string]int64{}
		for _, status := range []string{"active", "inactive", "invited"} {
			var n int64
			store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", accountID, status).Count(&n)
			counts[status] = n
		}
		ids := func(status string) []string {
			var users []models.User
			store.DB().Where("account_id = ? AND status = ?", accountID, status).Find(&users)
			var out []string
			for _, user := range users {
				out = append(out, "/settings/users/"+strconv.FormatInt(user.ID, 10))
			}
			return out
		}

		list := u.list()
		if list.Path != "/settings/users" || list.Search != "" {
			t.Fatalf("signed in at %s?%s, want /settings/users", list.Path, list.Search)
		}
		if list.Current != "tab-active" {
			t.Errorf("current tab %q, want tab-active", list.Current)
		}
		for status, n := range counts {
			if got := list.Counts[status]; got != strconv.FormatInt(n, 10) {
				t.Errorf("%s tab shows %q, the database holds %d", status, got, n)
			}
		}
		if want := min(counts["active"], models.DefaultPageSize); int64(len(list.Rows)) != want {
			t.Errorf("active tab lists %d rows, want %d", len(list.Rows), want)
		}
		u.screenshot("01-users-active")

		// The Inactive tab: htmx swaps the list and pushes the address.
		u.click(`[data-testid="tab-inactive"]`)
		u.waitFor("the inactive tab", `location.search.includes('tab=inactive') &&
			document.querySelector('[data-testid="tab-inactive"][aria-current="page"]')`)
		list = u.list()
		if list.Current != "tab-inactive" {
			t.Errorf("current tab %q, want tab-inactive", list.Current)
		}
		if !strings.Contains(list.Summary, "inactive") {
			t.Errorf("summary %q does not mention inactive users", list.Summary)
		}
		if got := list.Counts["inactive"]; got != strconv.FormatInt(counts["inactive"], 10) {
			t.Errorf("inactive tab shows %q, the database holds %d", got, counts["inactive"])
		}
		inactive := ids("inactive")
		if len(list.Rows) == 0 || int64(len(list.Rows)) != min(counts["inactive"], models.DefaultPageSize) {
			t.Errorf("inactive tab lists %d rows, the database holds %d inactive users", len(list.Rows), counts["inactive"])
		}
		for _, row := range list.Rows {
			if !slices.Contains(inactive, row.Href) {
				t.Errorf("inactive tab lists %q (%s), who is not inactive", row.Name, row.Href)
			}
		}
		u.screenshot("02-users-inactive")

		// The browser's back button brings the active tab back, with its address.
		u.back("/settings/users")
		u.waitFor("the active tab after going back", `!location.search.includes('tab=inactive') &&
			document.querySelector('[data-testid="tab-active"][aria-current="page"]')`)
		list = u.list()
		if list.Path != "/settings/users" || list.Search != "" || list.Current != "tab-active" {
			t.Errorf("after going back: %s?%s on %q, want /settings/users on tab-active", list.Path, list.Search, list.Current)
		}
		active := ids("active")
		for _, row := range list.Rows {
			if !slices.Contains(active, row.Href) {
				t.Errorf("active tab after going back lists %q (%s), who is not active", row.Name, row.Href)
			}
		}

		// Live search for a member's e-mail address narrows the list to that person.
		var member models.User
		store.DB().Where("account_id = ? AND status = ? AND role = ?", accountID, models.StatusActive, models.RoleMember).
			Order("id").First(&member)
		if member.ID == 0 {
			t.Fatal("the seeded account has no active member")
		}
		u.typeInto("#q", member.EmailAddress())
		u.waitFor("one search result", `location.search.includes('q=') &&
			document.querySelectorAll('[data-testid="user-row"]').length === 1`)
		list = u.list()
		if len(list.Rows) != 1 || list.Rows[0].Name != member.Name {
			t.Fatalf("search for %s shows %+v, want only %q", member.EmailAddress(), list.Rows, member.Name)
		}
		if list.Current != "tab-active" || strings.Contains(list.Search, "tab=inactive") {
			t.Errorf("search ran on %q (%s), want the active tab", list.Current, list.Search)
		}
		if !strings.Contains(list.Summary, "1 active user matches these filters") {
			t.Errorf("summary %q does not say the list is filtered", list.Summary)
		}
		u.screenshot("03-users-search")

		// The row's link opens the profile.
		if status := u.clickAndLoad(`[data-testid="user-row"] a.person`); status != http.StatusOK {
			t.Fatalf("profile: status %d", status)
		}
		profile := evaluate[profileState](u, profileStateJS)
		if want := "/settings/users/" + strconv.FormatInt(member.ID, 10); profile.Path != want {
			t.Errorf("profile at %s, want %s", profile.Path, want)
		}
		if profile.Name != member.Name {
			t.Errorf("profile name %q, want %q", profile.Name, member.Name)
		}
		u.screenshot("04-profile")

		// The list on a phone: no sideways scrolling, and the e-mail moves under the name.
		u.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		u.navigate("/settings/users")
		phone := evaluate[phoneState](u, phoneStateJS)
		if phone.ViewportWidth != 375 {
			t.Errorf("phone viewport is %dpx wide, want 375", phone.ViewportWidth)
		}
		if phone.PageWidth > phone.ViewportWidth {
			t.Errorf("at 375px the page is %dpx wide and scrolls sideways", phone.PageWidth)
		}
		if phone.Rows == 0 || !phone.EmailUnderName || phone.EmailColumnShown {
			t.Errorf("at 375px: %d rows, e-mail under the name %v, e-mail column shown %v", phone.Rows, phone.EmailUnderName, phone.EmailColumnShown)
		}
		u.screenshot("05-users-phone")

		for _, m := range console() {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		t.Logf("browser run on %s took %s", db, time.Since(start).Round(time.Millisecond))
	})
}

// eachDatabaseAtOnce runs a browser test's flow once per database, both runs at the same time: a
// run spends most of its time waiting on Chromium, and the two share no database. Browser tests
// themselves still run one after another, so no two runs compete for the SQLite file.
func eachDatabaseAtOnce(t *testing.T, fn func(t *testing.T, store *models.Store)) {
	t.Helper()
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		t.Parallel()
		fn(t, store)
	})
}

// findChromium is the browser to drive: $ROSTER_CHROMIUM, or the first one on the PATH. Without
// one the test skips, except in CI, which installs Chromium, so a missing one is a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ROSTER_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("ROSTER_CHROMIUM=%s: %v", p, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found in CI (looked for chromium, chromium-browser and google-chrome; set ROSTER_CHROMIUM)")
	}
	t.Skip("no Chromium found: install Debian's chromium to run browser tests (apt-get install chromium), or set ROSTER_CHROMIUM")
	return ""
}

// savesScreenshots tells whether a browser run on db saves its full-page screenshots: the SQLite
// run's, or every run's with ROSTER_TEST_SCREENSHOTS=all. The pages look the same on both
// databases, and each full-page capture costs Chromium about a second of CPU (ten and more on a
// loaded machine): taken on both runs they were most of the package's time.
func savesScreenshots(db string) bool {
	return db == "sqlite" || os.Getenv("ROSTER_TEST_SCREENSHOTS") == "all"
}

// artifactsDir is where screenshots go: $ROSTER_TEST_ARTIFACTS, or test-artifacts/ at the repo root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ROSTER_TEST_ARTIFACTS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(filepath.Dir(wd), "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser opens a fresh browser context (its own cookies and storage, as a browser of its
// own would have) in the package's Chromium and returns the context of its first tab. The tab
// closes when the test ends, and everything stops browserTimeout from now.
func startBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	deadline := time.Now().Add(browserTimeout)
	if end, ok := t.Deadline(); ok && end.Add(-browserTimeoutMargin).Before(deadline) {
		deadline = end.Add(-browserTimeoutMargin)
	}
	if time.Until(deadline) < 10*time.Second {
		t.Fatal("no time left for a browser run before the test binary's timeout")
	}
	browser, err := chromium.get(execPath, deadline)
	if err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancelDeadline := context.WithDeadline(tab, deadline)
	// Cleanups run last in, first out: close the tab gracefully, then drop the deadline. A tab
	// that failed to open can leave chromedp's cancel waiting forever, which once held a package
	// for minutes until Go's timeout killed it, so it gets a bounded wait.
	t.Cleanup(cancelDeadline)
	t.Cleanup(func() {
		closeCtx, cancel := context.WithTimeout(tab, 5*time.Second)
		defer cancel()
		if err := chromedp.Cancel(closeCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing the browser tab: %v", err)
		}
		if !waitAtMost(15*time.Second, cancelTab) {
			t.Log("closing the browser tab: gave up after 15 s")
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab in %s: %v", execPath, err)
	}
	return ctx
}

// chromium is one headless Chromium for the package's browser tests. Starting one takes seconds,
// ten and more on a loaded machine, once per database run of every browser test; each run opens
// a browser context of its own in it instead. TestMain stops it.
var chromium sharedChromium

type sharedChromium struct {
	mu      sync.Mutex
	browser context.Context // its first tab, the parent of every run's browser context
	stop    func()
}

// get returns the running browser, starting it (again, if it died) by deadline.
func (c *sharedChromium) get(execPath string, deadline time.Time) (context.Context, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.browser != nil && c.browser.Err() == nil {
		return c.browser, nil
	}
	c.stopLocked()
	profile, err := os.MkdirTemp("", "roster-chromium-")
	if err != nil {
		return nil, err
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Runs share the browser, so most of the time some tab is in the background: it must
		// not have its timers and rendering slowed down as a hidden tab would.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	c.browser = browser
	c.stop = func() {
		// Bounded, like closing a tab: a browser that never came up must not hold the package.
		waitAtMost(15*time.Second, cancelBrowser)
		waitAtMost(15*time.Second, cancelAlloc)
		os.RemoveAll(profile)
	}
	// The browser lives as long as browser's context, so the deadline only bounds the wait for it.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browser) }()
	select {
	case err = <-started:
	case <-time.After(time.Until(deadline)):
		err = context.DeadlineExceeded
	}
	if err != nil {
		c.stopLocked()
		return nil, err
	}
	return browser, nil
}

// Stop ends the browser, if one runs.
func (c *sharedChromium) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopLocked()
}

func (c *sharedChromium) stopLocked() {
	if c.stop != nil {
		c.stop()
	}
	c.browser, c.stop = nil, nil
}

// waitAtMost runs fn and waits at most d for it to return; it reports whether it did.
func waitAtMost(d time.Duration, fn func()) bool {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// collectConsoleErrors gathers the errors and exceptions the tab logs from now on; the func it
// returns stops collecting and returns them.
func collectConsoleErrors(ctx context.Context) func() []chromedp.ConsoleMessage {
	ctx, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(ctx)
	var (
		mu   sync.Mutex
		errs []chromedp.ConsoleMessage
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m)
				mu.Unlock()
			}
		}
	}()
	return func() []chromedp.ConsoleMessage {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// browserUser is one person at the browser: every step fails the test with what went wrong.
type browserUser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
	db    string
}

func (u *browserUser) do(actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, actions...); err != nil {
		u.t.Fatal(err)
	}
}

func (u *browserUser) navigate(path string) {
	u.t.Helper()
	u.do(chromedp.Navigate(u.base + path))
}

// signIn signs in on the sign-in page and fails the test unless the console opens.
func (u *browserUser) signIn(email, password string) {
	u.t.Helper()
	u.navigate("/login")
	u.typeInto("#email", email)
	u.typeInto("#password", password)
	if status := u.clickAndLoad(`form[action="/login"] button[type="submit"]`); status != http.StatusOK {
		u.t.Fatalf("sign in as %s: final status %d", email, status)
	}
}

// signOut uses the top bar's Sign out button.
func (u *browserUser) signOut() {
	u.t.Helper()
	if status := u.clickAndLoad(`form[action="/logout"] button`); status != http.StatusOK {
		u.t.Fatalf("sign out: status %d", status)
	}
}

func (u *browserUser) typeInto(selector, text string) {
	u.t.Helper()
	u.do(chromedp.SendKeys(chromedp.CSS(selector), text))
}

// click clicks an element that changes the page in place, as an htmx link does.
func (u *browserUser) click(selector string) {
	u.t.Helper()
	u.do(chromedp.Click(chromedp.CSS(selector)))
}

// clickAndLoad clicks an element that loads a new page, waits for it and returns its HTTP status
// (after redirects).
func (u *browserUser) clickAndLoad(selector string) int {
	u.t.Helper()
	return u.load("clicking "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// openForStatus opens path as a new page and returns its HTTP status (after redirects).
func (u *browserUser) openForStatus(path string) int {
	u.t.Helper()
	return u.load("opening "+path, chromedp.Navigate(u.base+path))
}

// load runs an action that loads a new page, waits for it and returns its HTTP status.
func (u *browserUser) load(what string, action chromedp.Action[chromedp.Void]) int {
	u.t.Helper()
	// The marker stays behind with the old document, so the new one is recognisable below.
	evaluate[bool](u, `window.rosterOldPage = true`)
	res, err := chromedp.RunResponse(u.ctx, action)
	if err != nil {
		u.t.Fatalf("%s: %v", what, err)
	}
	if res != nil {
		return int(res.Status)
	}
	// chromedp ends the wait, without a response, at the first in-document navigation it hears
	// of; on a loaded machine that can be a pushState htmx made before the action. Wait for the
	// new document instead, and read its status from the page.
	u.waitFor("the page after "+what, `!window.rosterOldPage && document.readyState === 'complete'`)
	return evaluate[int](u, `performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0`)
}

// back presses the browser's back button: the previous history entry, which must be want.
// htmx entries are pushed with pushState, so going back loads no page; waitFor sees the result.
func (u *browserUser) back(want string) {
	u.t.Helper()
	u.do(chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		history, err := cdp.Call(ctx, tgt, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		if history.CurrentIndex < 1 {
			return errors.New("no history entry to go back to")
		}
		prev := history.Entries[history.CurrentIndex-1]
		if prev.URL != u.base+want {
			return fmt.Errorf("the previous history entry is %s, want %s", prev.URL, u.base+want)
		}
		_, err = cdp.Call(ctx, tgt, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: prev.ID})
		return err
	}))
}

// waitFor polls a JavaScript condition until it holds, and fails with the page's state if it
// does not within ten seconds.
func (u *browserUser) waitFor(what, condition string) {
	u.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for {
		_, err = chromedp.Run(u.ctx, chromedp.Poll[bool]("!!("+condition+")",
			chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		// A page that Chromium replaced while polling (a redirect still settling, a document
		// restored from history) takes its script context with it: poll again in the new one.
		if err == nil || !lostScriptContext(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		state, _ := chromedp.Run(u.ctx, chromedp.Evaluate[string](
			`location.href + ' | ' + (document.querySelector('[data-testid="summary"]')?.innerText ?? 'no summary')`))
		u.t.Fatalf("waiting for %s: %v (page: %s)", what, err, state)
	}
}

// lostScriptContext tells whether err says the page's script context went away under a call.
func lostScriptContext(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed")
}

func (u *browserUser) screenshot(name string) {
	u.t.Helper()
	if !savesScreenshots(u.db) {
		return
	}
	png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(u.shots, "browser-"+u.db+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.t.Logf("screenshot: %s", path)
}

func evaluate[T any](u *browserUser, js string) T {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		u.t.Fatalf("read the page: %v", err)
	}
	return v
}

// listState is what the user list shows.
type listState struct {
	Path    string            `json:"path"`
	Search  string            `json:"search"`
	Current string            `json:"current"`
	Counts  map[string]string `json:"counts"`
	Summary string            `json:"summary"`
	Rows    []struct {
		Name string `json:"name"`
		Href string `json:"href"`
	} `json:"rows"`
}

func (u *browserUser) list() listState {
	u.t.Helper()
	return evaluate[listState](u, `(() => {
		const text = (sel) => document.querySelector(sel)?.innerText.trim() ?? '';
		const counts = {};
		for (const tab of ['active', 'inactive', 'invited']) counts[tab] = text('[data-testid="count-' + tab + '"]');
		return {
			path: location.pathname,
			search: location.search.replace(/^\?/, ''),
			current: document.querySelector('[data-testid^="tab-"][aria-current="page"]')?.dataset.testid ?? '',
			counts,
			summary: text('[data-testid="summary"]'),
			rows: [...document.querySelectorAll('[data-testid="user-row"] a.person')].map((a) => ({
				name: a.querySelector('.person-text > b').innerText.trim(),
				href: a.getAttribute('href'),
			})),
		};
	})()`)
}

type loginState struct {
	Path  string `json:"path"`
	Email string `json:"email"`
	Error string `json:"error"`
}

const loginStateJS = `({
	path: location.pathname,
	email: document.querySelector('#email')?.value ?? '',
	error: document.querySelector('[data-testid="login-error"]')?.innerText.trim() ?? '',
})`

type profileState struct {
	Path string `json:"path"`
	Name string `json:"name"`
}

const profileStateJS = `({
	path: location.pathname,
	name: document.querySelector('[data-testid="profile-name"]')?.innerText.trim() ?? '',
})`

type phoneState struct {
	ViewportWidth    int  `json:"viewportWidth"`
	PageWidth        int  `json:"pageWidth"`
	Rows             int  `json:"rows"`
	EmailUnderName   bool `json:"emailUnderName"`
	EmailColumnShown bool `json:"emailColumnShown"`
}

const phoneStateJS = `(() => {
	const shown = (el) => !!el && el.getClientRects().length > 0;
	const row = document.querySelector('[data-testid="user-row"]');
	return {
		viewportWidth: document.documentElement.clientWidth,
		pageWidth: document.documentElement.scrollWidth,
		rows: document.querySelectorAll('[data-testid="user-row"]').length,
		emailUnderName: shown(row?.querySelector('.person-text > i')),
		emailColumnShown: shown(row?.querySelector('td.hide-sm')),
	};
})()`
