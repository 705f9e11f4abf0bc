package handlers

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/models/modelstest"
)

// userWithRole makes an active user of the seeded account take role and returns their e-mail.
func userWithRole(t *testing.T, store *models.Store, accountID int64, role models.Role, skip int) string {
	t.Helper()
	var u models.User
	if err := store.DB().Where("account_id = ? AND role = ? AND status = ? AND plan_id IS NOT NULL", accountID, models.RoleMember, models.StatusActive).
		Order("id").Offset(skip).First(&u).Error; err != nil {
		t.Fatal(err)
	}
	store.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("role", role)
	return u.EmailAddress()
}

func readCSV(t *testing.T, res response) [][]string {
	t.Helper()
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: status %d, type %q", res.status, res.header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, utf8BOM))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return records
}

func TestSeatsPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 120)
		id := seeded.Account.ID
		owner := app.newBrowser(t)
		owner.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)

		t.Run("NumbersMatchTheDatabase", func(t *testing.T) {
			res := owner.get("/settings/seats")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			doc := res.doc(t)
			var plans []models.Plan
			store.DB().Where("account_id = ?", id).Find(&plans)
			rows := doc.Find(`[data-testid="seats-row"]`)
			if rows.Length() != len(plans) {
				t.Fatalf("%d rows, %d plans", rows.Length(), len(plans))
			}
			for _, p := range plans {
				row := doc.Find(`[data-testid="seats-row"][data-plan-id="` + strconv.FormatInt(p.ID, 10) + `"]`)
				var inUse, reserved int64
				store.DB().Model(&models.User{}).Where("plan_id = ? AND status = ?", p.ID, models.StatusActive).Count(&inUse)
				store.DB().Model(&models.User{}).Where("plan_id = ? AND status = ?", p.ID, models.StatusInvited).Count(&reserved)
				free := max(0, int64(p.SeatsPurchased)-inUse-reserved)
				for sel, want := range map[string]int64{"seats-purchased": int64(p.SeatsPurchased), "seats-in-use": inUse, "seats-reserved": reserved, "seats-free": free} {
					if got := row.Find(`[data-testid="` + sel + `"]`).Text(); got != models.Thousands(want) {
						t.Errorf("plan %s %s: %q, the database says %d", p.Name, sel, got, want)
					}
				}
				if got := row.Find(`[data-testid="seats-monthly"]`).Text(); !strings.Contains(got, models.Thousands(int64(p.SeatsPurchased)*p.PriceCents/100)) {
					t.Errorf("plan %s monthly cost %q", p.Name, got)
				}
				if v, _ := row.Find(`form[action="/settings/seats/plans/` + strconv.FormatInt(p.ID, 10) + `/quantity"] input[name="quantity"]`).Attr("value"); v != strconv.Itoa(p.SeatsPurchased) {
					t.Errorf("plan %s: quantity form shows %q", p.Name, v)
				}
			}
			if !strings.Contains(doc.Find(`[data-testid="seats-note"]`).Text(), "never changes the number you buy") {
				t.Error("the note about deactivation is missing")
			}
			charts := doc.Find(`svg[data-testid="seats-chart"][role="img"]`)
			if charts.Length() != len(plans) {
				t.Errorf("%d charts for %d plans", charts.Length(), len(plans))
			}
			charts.Each(func(_ int, svg *goquery.Selection) {
				if n := svg.Find(`[data-testid="seats-chart-month"]`).Length(); n != 12 {
					t.Errorf("chart with %d months", n)
				}
				if svg.Find("title").First().Text() == "" || svg.Find(`[data-testid="seats-chart-purchased"]`).Length() != 1 {
					t.Error("chart without title or purchased line")
				}
			})
			if doc.Find(`[data-testid="seats-legend"] li`).Length() != 2 {
				t.Error("legend should name in use and purchased")
			}
			if cur, _ := doc.Find(`.sidenav a[aria-current="page"]`).Attr("href"); cur != "/settings/seats" {
				t.Errorf("current nav entry %q", cur)
			}
		})

		t.Run("IdleListFilters", func(t *testing.T) {
			var active []models.User
			store.DB().Where("account_id = ? AND status = ? AND plan_id IS NOT NULL", id, models.StatusActive).Order("id").Find(&active)
			now := time.Now().UTC()
			store.DB().Exec("UPDATE users SET last_sign_in_at = ? WHERE account_id = ?", now, id)
			set := func(u models.User, daysAgo int) {
				store.DB().Exec("UPDATE users SET last_sign_in_at = ? WHERE id = ?", now.AddDate(0, 0, -daysAgo), u.ID)
			}
			set(active[1], 45)
			set(active[2], 75)
			set(active[3], 100)
			store.DB().Exec("UPDATE users SET last_sign_in_at = NULL WHERE id = ?", active[4].ID)
			var inactive models.User
			store.DB().Where("account_id = ? AND status = ?", id, models.StatusInactive).First(&inactive)
			store.DB().Exec("UPDATE users SET last_sign_in_at = NULL WHERE id = ?", inactive.ID)
			for days, want := range map[int][]int64{30: {active[4].ID, active[3].ID, active[2].ID, active[1].ID}, 60: {active[4].ID, active[3].ID, active[2].ID}, 90: {active[4].ID, active[3].ID}} {
				doc := owner.get("/settings/seats?idle=" + strconv.Itoa(days)).doc(t)
				var got []int64
				doc.Find(`[data-testid="idle-row"]`).Each(func(_ int, s *goquery.Selection) {
					v, _ := s.Attr("data-user-id")
					n, _ := strconv.ParseInt(v, 10, 64)
					got = append(got, n)
				})
				if len(got) != len(want) {
					t.Errorf("%d days: %v, want %v", days, got, want)
					continue
				}
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("%d days: %v, want %v", days, got, want)
					}
				}
				if cur := doc.Find(`[data-testid="idle-tab"][aria-current="page"]`).Text(); cur != strconv.Itoa(days)+" days" {
					t.Errorf("current tab %q", cur)
				}
				form := doc.Find(`form[data-testid="idle-form"][action="/settings/users/actions"]`)
				if v, _ := form.Find(`input[name="action"]`).Attr("value"); v != "deactivate" || form.Find(`input[name="ids"]`).Length() != len(want) {
					t.Errorf("%d days: deactivation form missing or incomplete", days)
				}
			}
			// The button opens the deactivation wizard.
			res := owner.submit("/settings/seats?idle=90", "/settings/users/actions", url.Values{"action": {"deactivate"}, "ids": {strconv.FormatInt(active[3].ID, 10)}})
			if res.status != http.StatusOK || res.doc(t).Find(`[data-testid="wizard"]`).Length() == 0 {
				t.Errorf("deactivate selected: status %d, no wizard", res.status)
			}
		})

		t.Run("FinanceAdminMember", func(t *testing.T) {
			finance := app.newBrowser(t)
			finance.mustSignIn(userWithRole(t, store, id, models.RoleFinance, 0), seeded.OwnerPassword)
			if res := finance.get("/"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/settings/seats" {
				t.Errorf("finance home: %d to %q", res.status, res.header.Get("Location"))
			}
			doc := finance.get("/settings/seats").doc(t)
			if doc.Find(`[data-testid="quantity-form"]`).Length() == 0 {
				t.Error("finance sees no quantity form")
			}
			if doc.Find(`[data-testid="idle-deactivate"]`).Length() != 0 {
				t.Error("finance may not deactivate users")
			}
			if strings.Contains(doc.Find(".sidenav").Text(), "User management") {
				t.Error("finance sees User management in the navigation")
			}
			for _, path := range []string{"/settings/users", "/settings/users/export.csv", "/settings/statistics"} {
				if res := finance.get(path); res.status != http.StatusForbidden {
					t.Errorf("finance %s: %d, want 403", path, res.status)
				}
			}
			readCSV(t, finance.get("/settings/seats/export.csv"))
			readCSV(t, finance.get("/settings/seats/ledger.csv"))

			admin := app.newBrowser(t)
			admin.mustSignIn(userWithRole(t, store, id, models.RoleAdmin, 1), seeded.OwnerPassword)
			res := admin.get("/settings/seats")
			if res.status != http.StatusOK {
				t.Fatalf("admin: %d", res.status)
			}
			doc = res.doc(t)
			if doc.Find(`[data-testid="quantity-form"]`).Length() != 0 {
				t.Error("admin sees the quantity form")
			}
			if doc.Find(`[data-testid="seats-note"]`).Length() != 1 {
				t.Error("admin does not see the note")
			}

			member := app.newBrowser(t)
			var m models.User
			store.DB().Where("account_id = ? AND role = ? AND status = ?", id, models.RoleMember, models.StatusActive).Order("id desc").First(&m)
			member.mustSignIn(m.EmailAddress(), seeded.OwnerPassword)
			for _, path := range []string{"/settings/seats", "/settings/seats/export.csv", "/settings/seats/ledger.csv"} {
				if res := member.get(path); res.status != http.StatusForbidden {
					t.Errorf("member %s: %d, want 403", path, res.status)
				}
			}
		})

		t.Run("ExportsMatch", func(t *testing.T) {
			records := readCSV(t, owner.get("/settings/seats/export.csv"))
			var plans []models.Plan
			store.DB().Where("account_id = ?", id).Order("name, id").Find(&plans)
			if len(records) != len(plans)+1 || records[0][0] != "Plan ID" {
				t.Fatalf("%d records for %d plans", len(records), len(plans))
			}
			for i, p := range plans {
				r := records[i+1]
				var inUse int64
				store.DB().Model(&models.User{}).Where("plan_id = ? AND status = ?", p.ID, models.StatusActive).Count(&inUse)
				if r[0] != strconv.FormatInt(p.ID, 10) || r[2] != strconv.Itoa(p.SeatsPurchased) || r[3] != strconv.FormatInt(inUse, 10) {
					t.Errorf("row %v, plan %+v with %d in use", r, p, inUse)
				}
			}
			from := time.Now().UTC().AddDate(-1, 0, 0)
			to := time.Now().UTC()
			ledger := readCSV(t, owner.get("/settings/seats/ledger.csv?from="+from.Format(time.DateOnly)+"&to="+to.Format(time.DateOnly)))
			var n int64
			store.DB().Model(&models.SeatLedgerEntry{}).Where("account_id = ? AND changed_at >= ? AND changed_at < ?", id,
				from.Truncate(24*time.Hour), to.Truncate(24*time.Hour).AddDate(0, 0, 1)).Count(&n)
			if int64(len(ledger)-1) != n || n == 0 {
				t.Errorf("ledger export has %d rows, the database %d", len(ledger)-1, n)
			}
			if len(ledger[0]) != 8 || ledger[0][0] != "Time (UTC)" {
				t.Errorf("ledger header %v", ledger[0])
			}
			// A formula in a name never reaches the spreadsheet as one.
			var u models.User
			store.DB().Where("account_id = ? AND status = ?", id, models.StatusActive).Order("id").Offset(5).First(&u)
			store.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("name", "=HYPERLINK(\"http://x\")")
			for _, r := range readCSV(t, owner.get("/settings/seats/ledger.csv?from="+from.Format(time.DateOnly)))[1:] {
				if strings.HasPrefix(r[3], "=") {
					t.Errorf("formula in the export: %v", r)
				}
			}
		})

		t.Run("HostileParametersNever500", func(t *testing.T) {
			for _, q := range []string{"idle=7", "idle=-1", "idle=%3Cscript%3E", "idle=" + strings.Repeat("9", 5000), "after=n.0", "after=x.y",
				"after=99999999999999999999.1", "after=" + strings.Repeat("1", 3000) + ".1", "after=-5.3", "after=n.-1", "after=%00", "idle=90&after=1.1"} {
				res := owner.get("/settings/seats?" + q)
				if res.status != http.StatusOK || strings.Contains(res.body, "<script>") {
					t.Errorf("?%.60s: status %d", q, res.status)
				}
			}
			for _, q := range []string{"from=9999-99-99", "to=0000-01-01", "from=2026-13-01", "from=%3Cb%3E", "from=2030-01-01&to=2020-01-01",
				"from=" + strings.Repeat("2", 4000), "to=9998-12-31", "from=1970-01-01"} {
				if res := owner.get("/settings/seats/ledger.csv?" + q); res.status != http.StatusOK {
					t.Errorf("ledger ?%.60s: status %d", q, res.status)
				}
			}
		})
	})
}
