package handlers

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// userCSVColumns are the columns every user export starts with; each tab adds its own after them.
func userCSVColumns() []string {
	return []string{"ID", "Name", "E-mail", "Role", "Status", "Plan", "Manager", "Groups", "Created (UTC)"}
}

// parseExport reads a CSV download as a spreadsheet would, after checking what makes it one.
func parseExport(t *testing.T, res response) [][]string {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("export: status %d: %.200s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	body, ok := strings.CutPrefix(res.body, "\ufeff")
	if !ok {
		t.Fatal("the export does not start with a UTF-8 byte order mark, which Excel needs")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	if len(records) == 0 {
		t.Fatal("the export has no header row")
	}
	return records
}

func TestUserExport(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded, other := modelstest.Seeded(t, store, 80), modelstest.Seeded(t, store, 40)
		b := app.newBrowser(t)
		b.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)

		t.Run("TheTabWithItsFilters", func(t *testing.T) {
			var want []int64
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
				Order("id").Pluck("id", &want))
			res := b.get("/settings/users/export.csv?tab=active&role=member&after=eyJrIjoieiIsImkiOjF9")
			wantName := `attachment; filename="users-active-` + store.Now().Format(time.DateOnly) + `.csv"`
			if got := res.header.Get("Content-Disposition"); got != wantName {
				t.Errorf("Content-Disposition %q, want %q", got, wantName)
			}
			records := parseExport(t, res)
			if want := append(userCSVColumns(), "Last sign-in (UTC)"); !slices.Equal(records[0], want) {
				t.Fatalf("header %q, want %q", records[0], want)
			}
			var got []int64
			for _, rec := range records[1:] {
				id, _ := strconv.ParseInt(rec[0], 10, 64)
				got = append(got, id)
				if rec[3] != models.RoleMember.Label() || rec[4] != "Active" {
					t.Fatalf("row %q is not an active member", rec)
				}
			}
			slices.Sort(got)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("exported %d users, want the tab's %d active members (a cursor must not cut the export)", len(got), len(want))
			}
		})
		t.Run("InvitedTabHasTheInvitation", func(t *testing.T) {
			var invited int64
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", seeded.Account.ID, models.StatusInvited).Count(&invited))
			records := parseExport(t, b.get("/settings/users/export.csv?tab=invited&sort=created&dir=desc"))
			if want := append(userCSVColumns(), "Invited by", "Sent (UTC)", "Reminded (UTC)", "Expires (UTC)"); !slices.Equal(records[0], want) {
				t.Fatalf("header %q, want %q", records[0], want)
			}
			if int64(len(records)-1) != invited || invited == 0 {
				t.Fatalf("%d rows, the tab holds %d", len(records)-1, invited)
			}
		})
		t.Run("NeverAnotherAccount", func(t *testing.T) {
			var theirs models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", other.Account.ID, models.StatusActive).Order("id").First(&theirs))
			records := parseExport(t, b.get("/settings/users/export.csv?q="+url.QueryEscape(theirs.EmailAddress())))
			if len(records) != 1 {
				t.Fatalf("a search for another account's user exports %d rows", len(records)-1)
			}
		})
		t.Run("TheListLinksToItsExport", func(t *testing.T) {
			path := "/settings/users?tab=inactive&q=a&sort=email&dir=desc&after=eyJrIjoieiIsImkiOjF9"
			for _, headers := range [][]string{nil, {"HX-Request", "true"}} {
				href, ok := b.get(path, headers...).doc(t).Find(`[data-testid="export-csv"]`).Attr("href")
				want := "/settings/users/export.csv?dir=desc&q=a&sort=email&tab=inactive"
				if !ok || href != want {
					t.Fatalf("headers %q: export link %q, want %q", headers, href, want)
				}
				parseExport(t, b.get(href))
			}
		})
		t.Run("MembersAreRefused", func(t *testing.T) {
			var member models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND role = ? AND status = ?", seeded.Account.ID, models.RoleMember, models.StatusActive).First(&member))
			mb := app.newBrowser(t)
			mb.mustSignIn(member.EmailAddress(), seeded.OwnerPassword)
			res := mb.get("/settings/users/export.csv")
			if res.status != http.StatusForbidden || strings.Contains(res.header.Get("Content-Type"), "csv") || strings.Contains(res.body, "@") {
				t.Fatalf("member export: status %d", res.status)
			}
		})
		t.Run("VisitorsAreSentToSignIn", func(t *testing.T) {
			res := app.newBrowser(t).get("/settings/users/export.csv?tab=inactive")
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
				t.Fatalf("visitor export: status %d location %q", res.status, res.header.Get("Location"))
			}
		})
	})
}

// Names are typed by people, and a spreadsheet runs a cell that starts with = + - @ as a formula:
// every such cell must come out as text.
func TestUserExportDefusesFormulas(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		group := models.Group{AccountID: acc.Account.ID, Name: "@evil", OwnerID: acc.Owner.ID, CreatedAt: time.Now()}
		if err := store.DB().Create(&group).Error; err != nil {
			t.Fatal(err)
		}
		names := []string{`=HYPERLINK("http://evil.example","x")`, "+1", "-2", "@SUM(1)", "\tTab", "\rReturn", "Plain Name", "Ann = Bob"}
		for i, name := range names {
			email := "formula" + strconv.Itoa(i) + "@example.com"
			now := time.Now().UTC()
			u := models.User{AccountID: acc.Account.ID, Email: &email, Name: name, Role: models.RoleMember, Status: models.StatusInactive,
				CreatedAt: now, UpdatedAt: now}
			if err := store.DB().Create(&u).Error; err != nil {
				t.Fatal(err)
			}
			if err := store.DB().Create(&models.GroupMember{GroupID: group.ID, UserID: u.ID, AccountID: acc.Account.ID, CreatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		records := parseExport(t, b.get("/settings/users/export.csv?tab=inactive"))
		got := map[string]bool{}
		for _, rec := range records[1:] {
			got[rec[1]] = true
			if rec[7] != "'@evil" {
				t.Errorf("groups cell %q, want it prefixed with an apostrophe", rec[7])
			}
		}
		for _, name := range names {
			want := name
			if strings.ContainsRune("=+-@\t\r", rune(name[0])) {
				want = "'" + name
			}
			// Lines end in CRLF (RFC 4180), so encoding/csv writes a lone carriage return as nothing.
			want = strings.ReplaceAll(want, "\r", "")
			if !got[want] {
				t.Errorf("name %q: %q is not among the exported names %v", name, want, got)
			}
		}
	})
}

func TestUserExportSurvivesHostileParameters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		hostile := []string{
			"tab=deleted", "tab=%3Cscript%3E", "tab=..%2F..%2Fetc", "tab=active%22%0D%0AX-Injected:%201",
			"q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "q=%27%20OR%201%3D1%20--", "q=" + strings.Repeat("a", 20000),
			"q=%ff%fe", "q=%00", "sort=name;DROP%20TABLE%20users", "dir=sideways", "role=%3Cb%3E", "plan=abc",
			"plan=-7", "group=1e9", "group=99999999999999999999", "after=garbage", "before=%25%25%25",
			"after=" + strings.Repeat("x", 5000), "after=eyJrIjoiJyBPUiAxPTEiLCJpIjotMX0", "tab=invited&tab=active",
		}
		for _, query := range hostile {
			res := b.get("/settings/users/export.csv?" + query)
			if res.status != http.StatusOK {
				t.Errorf("?%.60s: status %d, want a CSV", query, res.status)
				continue
			}
			if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="users-active-`) &&
				!strings.HasPrefix(cd, `attachment; filename="users-invited-`) || res.header.Get("X-Injected") != "" {
				t.Errorf("?%.60s: Content-Disposition %q", query, cd)
			}
			parseExport(t, res)
		}
	})
}
