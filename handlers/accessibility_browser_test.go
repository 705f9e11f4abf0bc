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
// the owner of a seeded account, at desktop width and at 390 px, and runs axe-core on it.
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
		for _, width := range []int64{1280, 390} {
			u.do(chromedp.EmulateViewport(width, 900))
			for _, path := range pages {
				if status := u.openForStatus(path); status != 200 {
					t.Errorf("%s: status %d", path, status)
					continue
				}
				check(fmt.Sprintf("%s at %d px", path, width))
			}
		}
	})
}
