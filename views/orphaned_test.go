package views_test

import (
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func TestFlashNamesAndLinksAreEscaped(t *testing.T) {
	v := userListView("inactive", activeRows(), exactCounts(0, 2, 0))
	v.CSRFToken = "token"
	hostile := `<script>alert(1)</script>`
	v.Flashes = []views.Flash{{Text: hostile + " deactivated; 12 records to Finn Jensen.", Links: []views.FlashLink{
		{Label: "Reactivate", Action: "reactivate", ID: 7},
		{Label: hostile + "’s records", Href: views.OwnerRecordsHref(7)},
		{Label: "bad", Href: "javascript:alert(1)"},
	}}}
	html := renderHTML(t, views.UserListPage(v))
	if strings.Contains(html, "<script>alert") {
		t.Fatal("a name in a message was not escaped")
	}
	doc := render(t, views.UserListPage(v))
	wantText(t, one(t, doc, "flash-text"), hostile+" deactivated; 12 records to Finn Jensen.")
	links := doc.Find(`[data-testid="flash-link"]`)
	if href, _ := links.First().Attr("href"); href != "/settings/records?owner=7" {
		t.Fatalf("records link %q", href)
	}
	if href, _ := links.Eq(1).Attr("href"); strings.HasPrefix(href, "javascript:") {
		t.Fatalf("unsafe link kept: %q", href)
	}
	form := one(t, doc, "flash-action").Closest("form")
	if form.Find(`input[name="action"]`).AttrOr("value", "") != "reactivate" || one(t, doc, "flash-action").AttrOr("value", "") != "7" || one(t, doc, "flash-action").AttrOr("name", "") != "ids" ||
		form.Find(`input[name="_csrf"]`).AttrOr("value", "") != "token" || form.AttrOr("action", "") != "/settings/users/actions" {
		t.Fatal("Reactivate must post the bulk action for that one person with the token")
	}
}

func TestOrphanedWorkPage(t *testing.T) {
	due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	work := &models.OrphanedWork{People: 2, OpenRecords: 3, Groups: 1, Reports: 1, Page: 1, HasNext: true, Owners: []models.OrphanedOwner{
		{User: models.User{ID: 3, Name: "<b>Nora</b>", Status: models.StatusInactive, DeletionDueAt: &due},
			Records:     []models.RecordCount{{Kind: "deal", Open: 2, Closed: 1}, {Kind: "contact", Closed: 4}},
			OpenRecords: 2, Groups: []models.Group{{ID: 1, Name: "Leads"}}, Reports: 1,
			SuggestedID: 9, SuggestedName: "Finn Jensen", SuggestedWhy: "manager"},
		{User: models.User{ID: 4, Name: "(deleted user)", Status: models.StatusDeleted}, Records: []models.RecordCount{{Kind: "pin", Open: 1}}, OpenRecords: 1},
	}}
	v := views.OrphanedWorkView{Chrome: views.Chrome{CSRFToken: "token", Section: views.SectionOrphaned}, Work: work}
	doc := render(t, views.OrphanedWorkPage(v))
	wantText(t, one(t, doc, "orphaned-totals"), "2 people hold 3 open records, 1 group and 1 report.")
	rows := doc.Find(`[data-testid="orphan"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	nora := rows.First()
	wantText(t, nora.Find(`[data-testid="orphan-name"]`), "<b>Nora</b>")
	if got := nora.Find(`[data-testid="orphan-records"] li`).First().Text(); got != "Deals: 2 open, 1 closed" {
		t.Fatalf("first record line %q", got)
	}
	if !strings.Contains(nora.Text(), "Deletion scheduled 20 Dec 2026") {
		t.Fatal("the row should say when the deletion is due")
	}
	button := nora.Find(`[data-testid="orphan-suggested"]`)
	wantText(t, button, "Hand to Finn Jensen (their manager)")
	form := button.Closest("form")
	if form.AttrOr("action", "") != "/settings/orphaned-work/3/hand-over" || form.Find(`input[name="to"]`).AttrOr("value", "") != "9" {
		t.Fatal("the suggestion must post to the person's hand-over with the suggested recipient")
	}
	if href, _ := nora.Find(`[data-testid="orphan-records-link"]`).Attr("href"); href != "/settings/records?owner=3" {
		t.Fatalf("records link %q", href)
	}
	anon := rows.Eq(1)
	if anon.Find(`a[data-testid="orphan-name"]`).Length() != 0 || anon.Find(`[data-testid="orphan-suggested"]`).Length() != 0 {
		t.Fatal("an anonymised person has no profile link, and no suggestion without manager or fallback")
	}
	if anon.Find(`[data-testid="orphan-choose"]`).Length() != 1 {
		t.Fatal("every row offers a choice of recipient")
	}
	if href, _ := one(t, doc, "orphaned-next").Attr("href"); href != "/settings/orphaned-work?page=2" {
		t.Fatalf("next %q", href)
	}
}

func TestNavigationShowsOrphanedCount(t *testing.T) {
	doc := renderFrame(t, views.Chrome{Nav: []views.NavItem{
		{Section: views.SectionUsers, Label: "User management", Href: "/settings/users"},
		{Section: views.SectionOrphaned, Label: "Orphaned work", Href: views.OrphanedWorkPath, Count: 1234},
	}})
	if got := one(t, doc, "nav-count-orphaned").Text(); got != "(1,234 waiting)" {
		t.Fatalf("count reads %q", got)
	}
	if doc.Find(`[data-testid="nav-count-users"]`).Length() != 0 {
		t.Fatal("no count where there is none")
	}
}

func TestRowMenusOfferWhatAppliesToEachPerson(t *testing.T) {
	due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		tab  string
		row  models.UserRow
		acts string
		own  bool // the row names its own entries, unlike the tab's usual ones
	}{
		{"active", models.UserRow{ID: 3, Name: "Ada", Status: models.StatusActive}, "deactivate reset_password change_plan change_role view_as", false},
		{"inactive", models.UserRow{ID: 4, Name: "Ina", Status: models.StatusInactive}, "reactivate delete change_plan change_role view_as", false},
		{"inactive", models.UserRow{ID: 5, Name: "Sam", Status: models.StatusInactive, DeletionDueAt: &due}, "undo_delete change_plan change_role view_as", true},
		{"invited", models.UserRow{ID: 6, Name: "Ivo", Status: models.StatusInvited}, "remind revoke change_plan change_role", false},
	} {
		t.Run(c.tab+"/"+c.row.Name, func(t *testing.T) {
			v := userListView(c.tab, []models.UserRow{c.row}, exactCounts(1, 1, 1))
			v.CanImpersonate = true
			doc := render(t, views.UserListPage(v))
			menu := one(t, doc, "row-menu")
			wantAttr(t, menu, "role", "menu")
			row := one(t, doc, "user-row")
			acts := menu.AttrOr("data-acts", "")
			if c.own {
				acts = row.AttrOr("data-acts", "")
			} else if _, ok := row.Attr("data-acts"); ok {
				t.Fatal("a row like any other on its tab carries no entries of its own")
			}
			if acts != c.acts {
				t.Fatalf("entries %q, want %q", acts, c.acts)
			}
			for _, act := range strings.Fields(c.acts) {
				item := menu.Find(`[role="menuitem"][value="` + act + `"]`)
				if act == "view_as" {
					item = menu.Find(`a[role="menuitem"][data-act="view_as"]`)
					wantAttr(t, item, "data-href", "/settings/users/{id}/impersonate")
				} else {
					wantAttr(t, item, "form", "row-action")
					wantAttr(t, item, "name", "action")
				}
				if item.Length() != 1 {
					t.Fatalf("menu lacks %s", act)
				}
			}
			form := one(t, doc, "row-action-form")
			if form.AttrOr("action", "") != "/settings/users/actions" || form.Find(`input[name="_csrf"]`).Length() != 1 ||
				!strings.HasPrefix(form.Find(`input[name="back"]`).AttrOr("value", ""), "/settings/users") {
				t.Fatal("the row menu must post the bulk action with a CSRF token")
			}
		})
	}
	t.Run("SupportSeesOnlyViewAs", func(t *testing.T) {
		v := userListView("active", activeRows(), exactCounts(2, 0, 0))
		v.CanManage, v.CanChangeRoles, v.CanImpersonate = false, false, true
		doc := render(t, views.UserListPage(v))
		wantAttr(t, one(t, doc, "row-menu"), "data-acts", "view_as")
	})
	t.Run("MembersGetNoMenu", func(t *testing.T) {
		v := userListView("active", activeRows(), exactCounts(2, 0, 0))
		v.CanManage, v.CanChangeRoles = false, false
		doc := render(t, views.UserListPage(v))
		if doc.Find(`[data-testid="row-menu"]`).Length() != 0 {
			t.Fatal("nothing applies, so no menu")
		}
	})
}
