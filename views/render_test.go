package views_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"roster/views"
)

// testNow is the clock every view renders against, so that "3 days ago" and "in 7 days" are
// the same on every run.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	views.Now = func() time.Time { return testNow }
	os.Exit(m.Run())
}

// renderHTML renders a component to its HTML, failing the test if it cannot.
func renderHTML(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.String()
}

// render renders a component and parses it, as a browser would, for goquery.
func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(renderHTML(t, c)))
	if err != nil {
		t.Fatalf("parse rendered HTML: %v", err)
	}
	return doc
}

// byTestID selects the elements marked data-testid="id".
func byTestID(s interface {
	Find(string) *goquery.Selection
}, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}

// text is what a reader sees of a selection: its text with runs of white space collapsed.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// texts is text of each element of a selection.
func texts(s *goquery.Selection) []string {
	out := []string{}
	s.Each(func(_ int, e *goquery.Selection) { out = append(out, text(e)) })
	return out
}

// one is the single element marked data-testid="id"; the test fails if there is not exactly one.
func one(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	s := byTestID(doc, id)
	if s.Length() != 1 {
		t.Fatalf("want one element with data-testid=%q, found %d", id, s.Length())
	}
	return s
}

// absent fails the test if an element marked data-testid="id" is shown.
func absent(t *testing.T, doc *goquery.Document, id string) {
	t.Helper()
	if n := byTestID(doc, id).Length(); n != 0 {
		t.Errorf("want no element with data-testid=%q, found %d: %q", id, n, text(byTestID(doc, id)))
	}
}

// wantText fails the test unless the selection reads exactly want.
func wantText(t *testing.T, s *goquery.Selection, want string) {
	t.Helper()
	if got := text(s); got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

// wantContains fails the test unless the selection's text contains each of want.
func wantContains(t *testing.T, s *goquery.Selection, want ...string) {
	t.Helper()
	got := text(s)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("text %q does not contain %q", got, w)
		}
	}
}

// wantAttr fails the test unless the first element of s has attribute name set to want.
func wantAttr(t *testing.T, s *goquery.Selection, name, want string) {
	t.Helper()
	got, ok := s.Attr(name)
	if !ok {
		t.Errorf("%s: attribute %s missing, want %q", describe(s), name, want)
		return
	}
	if got != want {
		t.Errorf("%s: %s = %q, want %q", describe(s), name, got, want)
	}
}

// wantNoAttr fails the test if the first element of s has attribute name.
func wantNoAttr(t *testing.T, s *goquery.Selection, name string) {
	t.Helper()
	if got, ok := s.Attr(name); ok {
		t.Errorf("%s: unexpected %s=%q", describe(s), name, got)
	}
}

func describe(s *goquery.Selection) string {
	if s.Length() == 0 {
		return "(no element)"
	}
	id, _ := s.Attr("id")
	testID, _ := s.Attr("data-testid")
	return goquery.NodeName(s) + "#" + id + "[" + testID + "]"
}

// wantTexts fails the test unless the elements of s read exactly want, in order.
func wantTexts(t *testing.T, s *goquery.Selection, want ...string) {
	t.Helper()
	got := texts(s)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("texts = %q, want %q", got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// navFor is the settings navigation the console gives each role, in its order.
func navFor(role string) []views.NavItem {
	users := views.NavItem{Section: views.SectionUsers, Label: "User management", Href: "/settings/users"}
	groups := views.NavItem{Section: views.SectionGroups, Label: "Groups", Href: "/settings/groups"}
	statistics := views.NavItem{Section: views.SectionStatistics, Label: "Team statistics", Href: "/settings/statistics"}
	seats := views.NavItem{Section: views.SectionSeats, Label: "Seats & billing", Href: "/settings/seats"}
	audit := views.NavItem{Section: views.SectionAudit, Label: "Audit log", Href: "/settings/audit"}
	account := views.NavItem{Section: views.SectionAccount, Label: "Account", Href: "/settings/account"}
	switch role {
	case "owner":
		return []views.NavItem{users, groups, statistics, seats, audit, account}
	case "admin":
		return []views.NavItem{users, groups, statistics, seats, audit}
	case "support":
		return []views.NavItem{users, audit}
	case "finance":
		return []views.NavItem{seats}
	}
	return nil
}

// adminChrome is the frame of a page seen by an admin of the demo account.
func adminChrome(title, section string) views.Chrome {
	return views.Chrome{Title: title, AccountName: "Northwind Traders", UserName: "Wen Jensen", UserRole: "Admin",
		CSRFToken: "csrf-admin", Section: section, Nav: navFor("admin")}
}
