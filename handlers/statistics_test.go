package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/models/modelstest"
)

func TestStatisticsPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 80)
		b := app.newBrowser(t)
		b.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)

		t.Run("ChartAndTableMatchTheDatabase", func(t *testing.T) {
			res := b.get("/settings/statistics")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			doc := res.doc(t)
			svg := doc.Find(`svg[data-testid="statistics-chart"][role="img"]`)
			if svg.Length() != 1 || svg.Find("title").First().Text() == "" {
				t.Fatal("no labelled SVG chart on the page")
			}
			if n := svg.Find(`[data-testid="chart-month"]`).Length(); n != models.DefaultStatisticsMonths {
				t.Errorf("chart has %d month groups, want %d", n, models.DefaultStatisticsMonths)
			}
			if doc.Find(`[data-testid="chart-legend"] li`).Length() != 3 {
				t.Error("legend should name all three kinds")
			}
			if cur, _ := doc.Find(`.sidenav a[aria-current="page"]`).Attr("href"); cur != "/settings/statistics" {
				t.Errorf("current nav entry %q", cur)
			}

			from := models.MonthStart(time.Now()).AddDate(0, 1-models.DefaultStatisticsMonths, 0)
			to := models.MonthStart(time.Now()).AddDate(0, 1, 0)
			var total int64
			modelstest.Must(t, store.DB().Model(&models.Activity{}).Where("account_id = ? AND occurred_at >= ? AND occurred_at < ?", seeded.Account.ID, from, to).Count(&total))
			if got := doc.Find(`[data-testid="statistics-grand-total"]`).Text(); got != models.Thousands(total) {
				t.Errorf("grand total %q, the database holds %d", got, total)
			}
			rows := doc.Find(`[data-testid="statistics-row"]`)
			if rows.Length() == 0 {
				t.Fatal("no user rows")
			}
			rows.Each(func(_ int, row *goquery.Selection) {
				id, _ := row.Attr("data-user-id")
				var n int64
				modelstest.Must(t, store.DB().Model(&models.Activity{}).Where("account_id = ? AND user_id = ? AND occurred_at >= ? AND occurred_at < ?",
					seeded.Account.ID, id, from, to).Count(&n))
				if got := row.Find(`[data-testid="statistics-total"]`).Text(); got != models.Thousands(n) {
					t.Errorf("user %s total %q, the database holds %d", id, got, n)
				}
			})
		})
		t.Run("RangeAndKind", func(t *testing.T) {
			doc := b.get("/settings/statistics?from=2026-01&to=2026-03&kind=deal_won").doc(t)
			if n := doc.Find(`[data-testid="chart-month"]`).Length(); n != 3 {
				t.Errorf("three months asked for, chart has %d groups", n)
			}
			if v, _ := doc.Find(`#kind option[selected]`).Attr("value"); v != models.ActivityDealWon {
				t.Errorf("kind select shows %q", v)
			}
		})
		t.Run("DeletedUserIsNotLinked", func(t *testing.T) {
			var user models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleMember, models.StatusActive).Order("id").First(&user))
			modelstest.Must(t, store.DB().Create(&models.Activity{AccountID: seeded.Account.ID, UserID: user.ID, Kind: models.ActivityComment, OccurredAt: time.Now().UTC()}))
			modelstest.Must(t, store.DB().Exec("UPDATE users SET status = ?, name = '' WHERE id = ?", models.StatusDeleted, user.ID))
			row := b.get("/settings/statistics").doc(t).Find(`[data-testid="statistics-row"][data-user-id="` + strconv.FormatInt(user.ID, 10) + `"]`)
			if got := row.Find(`[data-testid="statistics-name"]`).Text(); got != models.DeletedUserName || row.Find("a").Length() != 0 {
				t.Errorf("anonymised user shown as %q with %d links", got, row.Find("a").Length())
			}
		})
		t.Run("MembersAreRefused", func(t *testing.T) {
			var member models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleMember, models.StatusActive).Order("id desc").First(&member))
			mb := app.newBrowser(t)
			mb.mustSignIn(member.EmailAddress(), seeded.OwnerPassword)
			if res := mb.get("/settings/statistics"); res.status != http.StatusForbidden {
				t.Errorf("member: status %d, want 403", res.status)
			}
			if strings.Contains(mb.get("/settings/users").body, "Team statistics") {
				t.Error("member sees the Team statistics nav entry")
			}
		})
		t.Run("HostileParametersNever500", func(t *testing.T) {
			hostile := []string{
				"from=9999-99", "to=9999-99", "from=9999-12&to=9999-12", "from=0000-01", "from=2026-13", "from=-2026-01",
				"from=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "to=" + strings.Repeat("9", 20000), "kind=%3Cb%3Ebold%3C%2Fb%3E",
				"kind=" + strings.Repeat("x", 5000), "from=2026-06&to=2020-01", "from=1970-01&to=2026-11", "from=%ff%fe", "from=%00",
				"kind=deal_won&kind=comment", "from=2026-1", "from=20260101",
			}
			for _, q := range hostile {
				res := b.get("/settings/statistics?" + q)
				if res.status != http.StatusOK {
					t.Errorf("?%.60s: status %d, want a normal page", q, res.status)
					continue
				}
				if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<b>bold") {
					t.Errorf("?%.60s: unescaped input in the page", q)
				}
				if n := res.doc(t).Find(`[data-testid="chart-month"]`).Length(); n < 1 || n > models.MaxStatisticsMonths {
					t.Errorf("?%.60s: %d months drawn", q, n)
				}
			}
			if doc := b.get("/settings/statistics?from=2020-01&to=2026-11").doc(t); doc.Find(`[data-testid="notice"]`).Length() != 1 {
				t.Error("a range cut to 24 months should say so")
			}
		})
	})
}
