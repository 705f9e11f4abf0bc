package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/models/modelstest"
)

func TestUserListPage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded := modelstest.Seeded(t, store, 80)
		b := app.newBrowser(t)
		b.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)

		t.Run("WholePageWithTabsAndCounts", func(t *testing.T) {
			res := b.get("/settings/users")
			if res.status != http.StatusOK || !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "HX-Request") {
				t.Fatalf("status %d, Vary %q", res.status, res.header.Values("Vary"))
			}
			doc := res.doc(t)
			if doc.Find("html").Length() != 1 || doc.Find("#user-filters").Length() != 1 {
				t.Fatal("a direct load must return the whole page with the filters")
			}
			for _, tab := range []string{"active", "inactive", "invited"} {
				var want int64
				store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", seeded.Account.ID, tab).Count(&want)
				if got := doc.Find(`[data-testid="count-` + tab + `"]`).Text(); got != strconv.FormatInt(want, 10) {
					t.Errorf("%s tab shows %q, want %d", tab, got, want)
				}
			}
			if rows := doc.Find(`[data-testid="user-row"]`).Length(); rows != models.DefaultPageSize {
				t.Errorf("first page has %d rows, want %d", rows, models.DefaultPageSize)
			}
			if cur, _ := doc.Find(`a[aria-current="page"][data-testid^="tab-"]`).Attr("data-testid"); cur != "tab-active" {
				t.Errorf("current tab %q, want tab-active", cur)
			}
		})
		t.Run("HtmxGetsOnlyTheListFragment", func(t *testing.T) {
			res := b.get("/settings/users?tab=inactive", "HX-Request", "true")
			doc := res.doc(t)
			if doc.Find("html > body > *").First().Is("header") || strings.Contains(res.body, "<html") {
				t.Fatal("htmx request got the whole page")
			}
			if doc.Find(`#user-list`).Length() != 1 || doc.Find(`#filter-state[hx-swap-oob]`).Length() != 1 {
				t.Fatalf("fragment lacks the list or the out-of-band filter state: %s", res.body[:min(300, len(res.body))])
			}
			if tab, _ := doc.Find(`#filter-state input[name="tab"]`).Attr("value"); tab != "inactive" {
				t.Fatalf("out-of-band tab %q, want inactive", tab)
			}
			for _, header := range []string{"HX-Boosted", "HX-History-Restore-Request"} {
				full := b.get("/settings/users?tab=inactive", "HX-Request", "true", header, "true")
				if !strings.Contains(full.body, "<html") {
					t.Errorf("request with %s must get the whole page", header)
				}
			}
		})
		t.Run("PagingLinksWalkTheWholeTab", func(t *testing.T) {
			var active int64
			store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", seeded.Account.ID, "active").Count(&active)
			seen := map[string]bool{}
			path := "/settings/users?sort=email"
			for pages := 0; path != "" && pages < 10; pages++ {
				doc := b.get(path).doc(t)
				doc.Find(`[data-testid="user-row"] a.person`).Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					seen[href] = true
				})
				path, _ = doc.Find(`[data-testid="next-page"]`).Attr("href")
			}
			if int64(len(seen)) != active {
				t.Fatalf("Next links reached %d users, the tab has %d", len(seen), active)
			}
		})
		t.Run("SearchFindsByNameAndEmail", func(t *testing.T) {
			var someone models.User
			store.DB().Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, "active", "member").Order("id").First(&someone)
			for _, q := range []string{someone.EmailAddress(), strings.ToUpper(someone.EmailAddress())} {
				doc := b.get("/settings/users?q=" + url.QueryEscape(q)).doc(t)
				if rows := doc.Find(`[data-testid="user-row"]`); rows.Length() != 1 || !strings.Contains(rows.Text(), someone.Name) {
					t.Errorf("search %q: %d rows", q, rows.Length())
				}
			}
		})
	})
}

func TestUserListSurvivesHostileParameters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		hostile := []string{
			"tab=deleted", "tab=%3Cscript%3E", "page=-1", "page=99999999999999999999999",
			"q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "q=%27%20OR%201%3D1%20--", "q=" + strings.Repeat("a", 20000),
			"q=%ff%fe", "q=%00", "sort=name;DROP%20TABLE%20users", "dir=sideways", "role=%3Cb%20id%3Dx%3E", "plan=abc",
			"plan=-7", "group=1e9", "group=99999999999999999999", "after=garbage", "before=%25%25%25",
			"after=" + strings.Repeat("x", 5000), "after=eyJrIjoiJyBPUiAxPTEiLCJpIjotMX0", "tab=invited&tab=active",
		}
		for _, query := range hostile {
			for _, headers := range [][]string{nil, {"HX-Request", "true"}} {
				res := b.get("/settings/users?"+query, headers...)
				if res.status != http.StatusOK {
					t.Errorf("?%.60s: status %d, want a normal page", query, res.status)
				}
				if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<b id=x>") || strings.Contains(res.body, `<b id="x">`) {
					t.Errorf("?%.60s: unescaped input in the page", query)
				}
			}
		}
		long := b.get("/settings/users?q=" + strings.Repeat("a", 500)).doc(t)
		if v, _ := long.Find("#q").Attr("value"); len(v) != models.MaxSearchLength {
			t.Errorf("a long search should be cut to %d characters and say so; field holds %d", models.MaxSearchLength, len(v))
		}
	})
}

func TestUserProfilePage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		seeded, other := modelstest.Seeded(t, store, 40), modelstest.Seeded(t, store, 40)
		b := app.newBrowser(t)
		b.mustSignIn(seeded.OwnerEmail, seeded.OwnerPassword)
		var manager, foreign models.User
		store.DB().Where("account_id = ? AND role = ?", seeded.Account.ID, models.RoleGroupAdmin).Order("id").First(&manager)
		store.DB().Where("account_id = ?", other.Account.ID).Order("id").First(&foreign)

		res := b.get("/settings/users/" + strconv.FormatInt(manager.ID, 10))
		doc := res.doc(t)
		if res.status != http.StatusOK || doc.Find(`[data-testid="profile-name"]`).Text() != manager.Name {
			t.Fatalf("profile: status %d name %q", res.status, doc.Find(`[data-testid="profile-name"]`).Text())
		}
		var records int64
		store.DB().Model(&models.Record{}).Where("owner_id = ?", manager.ID).Count(&records)
		if got := doc.Find(`[data-testid="profile-records-total"]`).Text(); got != strconv.FormatInt(records, 10) {
			t.Errorf("profile shows %s records, the database holds %d", got, records)
		}
		if doc.Find(`[data-testid="profile-groups"] li`).Length() == 0 {
			t.Error("a group administrator's profile lists no groups")
		}
		for _, id := range []string{strconv.FormatInt(foreign.ID, 10), "0", "-1", "abc", "99999999999999999999", "1;DROP", "%3Cscript%3E"} {
			if res := b.get("/settings/users/" + id); res.status != http.StatusNotFound {
				t.Errorf("profile %q: status %d, want 404", id, res.status)
			}
		}
	})
}

func TestNamesAreEscapedEverywhere(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		hostileName := `<img src=x onerror=alert(1)>"'`
		store.DB().Model(&models.User{}).Where("id = ?", acc.Owner.ID).Update("name", hostileName)
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		for _, path := range []string{"/settings/users", "/settings/users/" + strconv.FormatInt(acc.Owner.ID, 10)} {
			res := b.get(path)
			if strings.Contains(res.body, "<img src=x") {
				t.Errorf("%s renders the name as HTML", path)
			}
			if !strings.Contains(res.doc(t).Text(), hostileName) {
				t.Errorf("%s does not show the name as text", path)
			}
		}
	})
}

// With more groups than a page offers, the group filter comes with the chosen group only and
// fetches every option when opened; the page stays within its size.
func TestGroupFilterOfManyGroupsComesOnDemand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		var chosen int64
		for i := range models.GroupChoicesShown + 150 {
			id := addTestGroup(t, store, acc, fmt.Sprintf("Regional team %03d <i>", i), acc.Owner)
			if i == 123 {
				chosen = id
			}
		}
		b := app.newBrowser(t)
		b.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		page := b.get("/settings/users?group=" + strconv.FormatInt(chosen, 10))
		filter := page.doc(t).Find(`[data-testid="group-filter-on-demand"]`)
		if filter.Length() != 1 || filter.Find("option").Length() != 2 {
			t.Fatalf("the page's group filter has %d options", filter.Find("option").Length())
		}
		options := b.get(filter.AttrOr("hx-get", "")+"?group="+strconv.FormatInt(chosen, 10), "HX-Request", "true")
		if options.status != http.StatusOK {
			t.Fatalf("options: status %d", options.status)
		}
		doc := options.doc(t)
		if n := doc.Find("option").Length(); n != models.GroupChoicesShown+151 {
			t.Errorf("%d options, want Any group and all %d groups", n, models.GroupChoicesShown+150)
		}
		if got := doc.Find("option[selected]").Text(); got != "Regional team 123 <i>" {
			t.Errorf("selected %q", got)
		}
		if strings.Contains(options.body, "<i>") || strings.Contains(options.body, "<html") {
			t.Error("options must come as escaped text, without a page around them")
		}

		visitor := app.newBrowser(t)
		if res := visitor.get("/settings/users/group-options"); res.status == http.StatusOK && strings.Contains(res.body, "Regional team") {
			t.Error("someone signed out got the account's groups")
		}
	})
}
