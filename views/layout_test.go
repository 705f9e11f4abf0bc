package views_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/views"
)

// renderFrame renders the smallest signed-in page: the frame around an error.
func renderFrame(t *testing.T, c views.Chrome) *goquery.Document {
	t.Helper()
	return render(t, views.SignedInErrorPage(c, 404, "Not found", "There is nothing at this address."))
}

func TestLayoutShowsTheNavigationEachRoleMayOpen(t *testing.T) {
	tests := []struct {
		role    string
		section string
		want    []string
		current string
	}{
		{"owner", views.SectionAccount, []string{"User management", "Groups", "Team statistics", "Seats & billing", "Audit log", "Account"}, "Account"},
		{"admin", views.SectionUsers, []string{"User management", "Groups", "Team statistics", "Seats & billing", "Audit log"}, "User management"},
		{"support", views.SectionAudit, []string{"User management", "Audit log"}, "Audit log"},
		{"finance", views.SectionSeats, []string{"Seats & billing"}, "Seats & billing"},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			c := adminChrome("Page", tt.section)
			c.Nav = navFor(tt.role)
			doc := render(t, views.Layout(c))

			nav := doc.Find(`nav.sidenav[aria-label="Settings"]`)
			if nav.Length() != 1 {
				t.Fatalf("want the settings navigation, found %d", nav.Length())
			}
			wantTexts(t, nav.Find("a"), tt.want...)
			current := nav.Find(`a[aria-current="page"]`)
			if current.Length() != 1 {
				t.Fatalf("want one current entry, got %d", current.Length())
			}
			wantText(t, current, tt.current)
		})
	}

	t.Run("member", func(t *testing.T) {
		c := adminChrome("Home", views.SectionHome)
		c.Nav = nil
		doc := render(t, views.Layout(c))
		if doc.Find("nav.sidenav").Length() != 0 {
			t.Error("a member, who may open none of Settings, gets the settings navigation")
		}
		one(t, doc, "current-user")
	})
}

func TestLayoutLinksEachEntryToItsSection(t *testing.T) {
	c := adminChrome("Page", views.SectionGroups)
	c.Nav = navFor("owner")
	doc := render(t, views.Layout(c))
	var hrefs []string
	doc.Find("nav.sidenav a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	want := []string{"/settings/users", "/settings/groups", "/settings/statistics", "/settings/seats", "/settings/audit", "/settings/account"}
	if len(hrefs) != len(want) {
		t.Fatalf("hrefs = %q, want %q", hrefs, want)
	}
	for i := range want {
		if hrefs[i] != want[i] {
			t.Errorf("entry %d links to %q, want %q", i, hrefs[i], want[i])
		}
	}
}

func TestLayoutNamesTheAccountAndTheSignedInUser(t *testing.T) {
	c := adminChrome("User management", views.SectionUsers)
	c.Notice = "Your impersonation of Ben Hansen ended: its 30 minutes were up."
	doc := render(t, views.Layout(c))

	wantText(t, doc.Find("title"), "User management · Roster")
	wantText(t, one(t, doc, "account-name"), "Northwind Traders")
	wantText(t, one(t, doc, "current-user"), "Wen Jensen")
	wantText(t, doc.Find(".topbar-user-name .muted"), "Admin")
	wantText(t, doc.Find(".topbar .avatar"), "WJ")
	wantText(t, one(t, doc, "notice"), "Your impersonation of Ben Hansen ended: its 30 minutes were up.")

	signOut := doc.Find(`form[action="/logout"]`)
	wantAttr(t, signOut, "method", "post")
	wantAttr(t, signOut.Find("input[name=_csrf]"), "value", "csrf-admin")
	// Every htmx request carries the CSRF token.
	var headers map[string]string
	if err := json.Unmarshal([]byte(doc.Find("body").AttrOr("hx-headers", "")), &headers); err != nil || headers["X-CSRF-Token"] != "csrf-admin" {
		t.Errorf("body hx-headers = %q", doc.Find("body").AttrOr("hx-headers", ""))
	}
	absent(t, doc, "impersonation-banner")
}

func TestLayoutShowsTheImpersonationBannerWithBothNamesAndStop(t *testing.T) {
	endsAt := time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)
	tests := []struct {
		name     string
		readOnly bool
		left     int
		want     string
		act      bool
	}{
		{"view as", true, 30,
			"Wen Jensen, you are viewing as Ben Hansen (read-only). Ends at 12:30 UTC · 30 minutes left.", false},
		{"act as", false, 1,
			"Wen Jensen, you are acting as Ben Hansen: changes are recorded with both your names. Ends at 12:30 UTC · 1 minute left.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := adminChrome("Home", views.SectionHome)
			// While impersonating, the frame shows the impersonated user as signed in.
			c.UserName, c.UserRole, c.Nav = "Ben Hansen", "Member", nil
			c.Impersonation = &views.ImpersonationBanner{RealName: "Wen Jensen", AsName: "Ben Hansen", ReadOnly: tt.readOnly,
				EndsAt: endsAt, MinutesLeft: tt.left}
			doc := render(t, views.Layout(c))

			banner := one(t, doc, "impersonation-banner")
			wantAttr(t, banner, "role", "region")
			wantAttr(t, banner, "aria-label", "Impersonation")
			wantText(t, banner.Find("p"), tt.want)
			wantText(t, byTestID(banner, "impersonated-name"), "Ben Hansen")
			if got := banner.HasClass("impersonation-banner-act"); got != tt.act {
				t.Errorf("act-as styling = %v, want %v", got, tt.act)
			}
			stop := byTestID(banner, "stop-impersonation")
			wantText(t, stop, "Stop")
			form := stop.Closest("form")
			wantAttr(t, form, "action", "/impersonation/stop")
			wantAttr(t, form, "method", "post")
			wantAttr(t, form.Find("input[name=_csrf]"), "value", "csrf-admin")
			wantText(t, one(t, doc, "current-user"), "Ben Hansen")
			// View as marks the page read-only, so that its buttons can say why they are disabled;
			// stopping and signing out stay allowed.
			_, readOnly := doc.Find("body").Attr("data-read-only")
			if readOnly != tt.readOnly {
				t.Errorf("page marked read-only = %v, want %v", readOnly, tt.readOnly)
			}
			if tt.readOnly {
				wantText(t, doc.Find("#read-only-note"), "Read-only while viewing as Ben Hansen.")
			}
			if _, ok := form.Attr("data-allowed-read-only"); !ok {
				t.Error("the Stop form must stay usable while viewing as")
			}
		})
	}
}

func TestLayoutEscapesNamesInTheFrame(t *testing.T) {
	c := adminChrome(`<script>alert(1)</script>`, views.SectionUsers)
	c.AccountName = `<img src=x onerror=alert(1)>`
	c.UserName = `<b>Eve</b>`
	c.Impersonation = &views.ImpersonationBanner{RealName: `<i>Mallory</i>`, AsName: `<u>Trent</u>`, EndsAt: testNow, MinutesLeft: 5}
	doc := render(t, views.Layout(c))

	if n := doc.Find("img, b, i, u").Length(); n != 0 {
		t.Errorf("names became %d elements", n)
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("src", "") == "" {
			t.Errorf("an inline script appeared: %q", s.Text())
		}
	})
	wantText(t, doc.Find("title"), `<script>alert(1)</script> · Roster`)
	wantText(t, one(t, doc, "account-name"), `<img src=x onerror=alert(1)>`)
	wantText(t, one(t, doc, "current-user"), `<b>Eve</b>`)
	wantText(t, one(t, doc, "impersonated-name"), `<u>Trent</u>`)
	wantContains(t, one(t, doc, "impersonation-banner"), `<i>Mallory</i>, you are`)
}

func TestErrorPageInsideTheConsoleKeepsTheFrame(t *testing.T) {
	c := adminChrome("Not found", "")
	c.Impersonation = &views.ImpersonationBanner{RealName: "Wen Jensen", AsName: "Ben Hansen", ReadOnly: true, EndsAt: testNow, MinutesLeft: 12}
	doc := renderFrame(t, c)

	wantText(t, one(t, doc, "error-title"), "Not found")
	wantText(t, one(t, doc, "error-message"), "There is nothing at this address.")
	wantText(t, doc.Find(`section[aria-labelledby="error-title"] p.muted`), "Error 404")
	wantText(t, one(t, doc, "account-name"), "Northwind Traders")
	one(t, doc, "impersonation-banner")
	one(t, doc, "stop-impersonation")
	if doc.Find("nav.sidenav a").Length() != 5 {
		t.Error("the navigation is not kept on a signed-in error page")
	}
	if doc.Find(`nav.sidenav a[aria-current]`).Length() != 0 {
		t.Error("an error page marks a section as current")
	}
	wantText(t, doc.Find("title"), "Not found · Roster")
}

func TestErrorPageForVisitorsIsBare(t *testing.T) {
	doc := render(t, views.ErrorPage(403, "This form has expired", "For your security, forms expire. Go back, reload the page and submit it again."))

	wantText(t, one(t, doc, "error-title"), "This form has expired")
	wantText(t, one(t, doc, "error-message"), "For your security, forms expire. Go back, reload the page and submit it again.")
	wantText(t, doc.Find(`section[aria-labelledby="error-title"] p.muted`), "Error 403")
	wantAttr(t, doc.Find(`section a:contains("Back to Roster")`), "href", "/")
	if !doc.Find("body").HasClass("bare") {
		t.Error("the visitor's error page is not the bare page")
	}
	for _, sel := range []string{"header.topbar", "nav.sidenav", `form[action="/logout"]`, "script"} {
		if n := doc.Find(sel).Length(); n != 0 {
			t.Errorf("the visitor's error page has %d %s", n, sel)
		}
	}
	absent(t, doc, "account-name")
	absent(t, doc, "impersonation-banner")
}

func TestLayoutNavigationCanFoldIntoAMenuNamingTheCurrentPage(t *testing.T) {
	doc := render(t, views.Layout(adminChrome("Page", views.SectionSeats)))
	toggle := one(t, doc, "nav-toggle")
	wantText(t, toggle, "Settings: Seats & billing ▾")
	wantAttr(t, toggle, "aria-controls", "sidenav-list")
	wantAttr(t, toggle, "aria-expanded", "false")
	if doc.Find("ul#sidenav-list a").Length() != len(navFor("admin")) {
		t.Error("the folded menu must hold every entry of the navigation")
	}
}
