package handlers

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// axeSource is axe-core from its npm package (testdata/axe-core/README.md): injected into each
// page by the test, never served by Roster.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// axeViolation is one rule a page breaks, with the elements that break it.
type axeViolation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

// axeRunJS runs every WCAG 2.x A/AA rule and axe's best practices, plus
// label-content-name-mismatch (experimental in axe, so off unless asked for): a button whose
// visible text is not part of its accessible name cannot be spoken to by voice control.
const axeRunJS = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
	rules: {'label-content-name-mismatch': {enabled: true}},
}).then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`

// TestEveryMainPageHasNoAccessibilityViolations opens each page an admin reaches, signed in as
// the owner of a seeded account, at 1280, 768 and 390 px, runs axe-core on it and checks that
// nothing makes the page scroll sideways.
func TestEveryMainPageHasNoAccessibilityViolations(t *testing.T) {
	execPath := findChromium(t)
	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 60)
		someone := func(status models.UserStatus) string {
			var u models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, status, models.RoleMember).
				Order("id").First(&u))
			return strconv.FormatInt(u.ID, 10)
		}
		var group models.Group
		modelstest.Must(t, store.DB().Where("account_id = ?", seeded.Account.ID).Order("id").First(&group))
		plan := firstPlanID(t, store, seeded.Account.ID)
		active, inactive, invited := someone(models.StatusActive), someone(models.StatusInactive), someone(models.StatusInvited)
		pages := []string{
			"/settings/users",
			"/settings/users?tab=inactive",
			"/settings/users?tab=invited",
			"/settings/users/" + active,
			"/settings/users/" + inactive,
			"/settings/users/" + invited,
			"/settings/users/invite",
			"/settings/users/deactivate?ids=" + active,
			"/settings/users/delete?ids=" + inactive,
			"/settings/users/" + active + "/transfer",
			"/settings/users/" + active + "/impersonate",
			"/settings/users/change-plan?ids=" + active,
			"/settings/users/change-role?ids=" + active,
			"/settings/groups",
			"/settings/groups/" + strconv.FormatInt(group.ID, 10),
			"/settings/statistics",
			"/settings/seats",
			"/settings/audit",
			"/settings/account",
			"/settings/account/provisioning",
			"/settings/webhooks",
			"/settings/outbox",
			"/settings/users/" + inactive + "/privacy",
			"/settings/seats/plans/" + plan + "/quantity",
			"/me",
		}

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifactsDir(t), db: filepath.Base(t.Name())}
		check := func(where string) {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axeSource)); err != nil {
				t.Fatalf("%s: inject axe-core: %v", where, err)
			}
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: run axe-core: %v", where, err)
			}
			for _, v := range violations {
				t.Errorf("%s: %s (%s) at %s", where, v.ID, v.Help, strings.Join(v.Nodes, ", "))
			}
		}

		u.navigate("/login")
		check("/login")
		u.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		for _, width := range []int64{1280, 768, 390} {
			u.do(chromedp.EmulateViewport(width, 900))
			for _, path := range pages {
				if status := u.openForStatus(path); status != 200 {
					t.Errorf("%s: status %d", path, status)
					continue
				}
				where := fmt.Sprintf("%s at %d px", path, width)
				check(where)
				// Nothing is cut off or scrolls the page sideways: wide tables scroll in their box.
				if w := evaluate[int64](u, `document.documentElement.scrollWidth`); w > width {
					t.Errorf("%s: the page is %d px wide", where, w)
				}
			}
		}
	})
}

// keyboardState is where focus is and what the folded navigation shows.
type keyboardState struct {
	Focused      string `json:"focused"`
	FocusedText  string `json:"focusedText"`
	NavToggle    bool   `json:"navToggle"`
	NavListShown bool   `json:"navListShown"`
	PageWidth    int    `json:"pageWidth"`
}

const keyboardStateJS = `(() => {
	const a = document.activeElement, toggle = document.querySelector('[data-testid="nav-toggle"]');
	const list = document.getElementById('sidenav-list');
	return {
		focused: a ? (a.getAttribute('data-testid') || a.getAttribute('aria-label') || a.tagName.toLowerCase()) : '',
		focusedText: a ? a.textContent.trim() : '',
		navToggle: !!toggle && toggle.offsetParent !== null,
		navListShown: !!list && list.offsetParent !== null,
		pageWidth: document.documentElement.scrollWidth,
	};
})()`

// TestKeyboardAndNarrowScreens walks what a keyboard user and a phone user meet: "Skip to the
// list" lands one Tab before the first checkbox, each wizard step takes focus to its heading, and
// at 390 px the settings navigation is a menu button that opens the list.
func TestKeyboardAndNarrowScreens(t *testing.T) {
	execPath := findChromium(t)
	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 30)
		var member models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
			Order("id").First(&member))
		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifactsDir(t), db: filepath.Base(t.Name())}
		u.signIn(seeded.OwnerEmail, seeded.OwnerPassword)
		state := func() keyboardState { return evaluate[keyboardState](u, keyboardStateJS) }

		// Skip to the list, then one Tab: the first checkbox of the table.
		u.navigate("/settings/users")
		u.do(chromedp.Focus(chromedp.CSS(`[data-testid="skip-to"]`)))
		u.do(chromedp.KeyEvent("\r"))
		u.do(chromedp.KeyEvent("\t"))
		if got := state(); got.Focused != "Select every user on this page" {
			t.Errorf("after Skip to the list and Tab, focus is on %q, want the page's select-all checkbox", got.Focused)
		}

		// Each wizard step announces itself: focus moves to its heading.
		u.navigate("/settings/users/deactivate?ids=" + strconv.FormatInt(member.ID, 10))
		u.click(`[data-testid="wizard-next"]`)
		u.waitFor("the hand-over step", `document.querySelector('#wizard[data-step="handover"]')`)
		u.waitFor("focus on the step's heading", `document.activeElement && document.activeElement.matches('[data-step-heading]')`)
		if got := state(); got.FocusedText != "Hand their work over" {
			t.Errorf("after Continue, focus is on %q, want the hand-over heading", got.FocusedText)
		}

		// At 390 px the navigation is a menu button naming the current page; it opens the list.
		u.do(chromedp.EmulateViewport(390, 844))
		u.navigate("/settings/users")
		if got := state(); !got.NavToggle || got.NavListShown || got.PageWidth > 390 {
			t.Errorf("at 390 px: toggle shown %v, list shown %v, page %d px wide; want a folded menu and no sideways scroll", got.NavToggle, got.NavListShown, got.PageWidth)
		}
		u.screenshot("keyboard-01-nav-folded-390")
		u.click(`[data-testid="nav-toggle"]`)
		if got := state(); !got.NavListShown {
			t.Error("the menu button does not open the navigation")
		}
		u.screenshot("keyboard-02-nav-open-390")
		u.do(chromedp.EmulateViewport(1280, 900))
		u.navigate("/settings/users")
		if got := state(); got.NavToggle || !got.NavListShown {
			t.Errorf("at 1280 px: toggle shown %v, list shown %v; want the plain list", got.NavToggle, got.NavListShown)
		}
	})
}
