package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func groupListView(rows ...models.GroupRow) views.GroupListView {
	return views.GroupListView{
		Chrome:    adminChrome("Groups", views.SectionGroups),
		Page:      &models.GroupListPage{Rows: rows, Total: int64(len(rows))},
		CanCreate: true,
		Errors:    map[string]string{},
	}
}

func groupRows() []models.GroupRow {
	created := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	return []models.GroupRow{
		{ID: 11, Name: "Sales", OwnerID: 8, OwnerName: "Finn Garcia", OwnerStatus: models.StatusActive, MemberCount: 12000, CreatedAt: created},
		{ID: 12, Name: "Support", OwnerID: 21, OwnerName: "Ben Hansen", OwnerStatus: models.StatusInactive, MemberCount: 1, CreatedAt: created},
	}
}

func TestGroupListShowsEachGroupWithOwnerAndMembers(t *testing.T) {
	doc := render(t, views.GroupListPage(groupListView(groupRows()...)))

	rows := byTestID(doc, "group-row")
	if rows.Length() != 2 {
		t.Fatalf("want 2 group rows, got %d", rows.Length())
	}
	wantAttr(t, byTestID(rows.First(), "group-link"), "href", "/settings/groups/11")
	wantTexts(t, rows.First().Find("td"), "Sales", "Finn Garcia", "12,000", "1 Jun 2025")
	// An owner who left is marked so an admin hands the group on.
	wantText(t, rows.Eq(1).Find("td").Eq(1), "Ben Hansen Inactive")
	wantText(t, one(t, doc, "group-summary"), "2 groups")
	one(t, doc, "group-create-form")
	absent(t, doc, "groups-scope-note")
}

func TestGroupListShowsEmptyStateForEachKindOfViewer(t *testing.T) {
	tests := []struct {
		name      string
		search    string
		canCreate bool
		want      string
		summary   string
	}{
		{"search without matches", "nordic", true, "No group matches this search.", "0 groups match “nordic”"},
		{"admin, no groups yet", "", true, "No groups yet. Create the first one above.", "0 groups"},
		{"group administrator who owns none", "", false, "You own no groups.", "0 groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := groupListView()
			v.Search, v.CanCreate = tt.search, tt.canCreate
			doc := render(t, views.GroupList(v))
			wantText(t, one(t, doc, "empty"), tt.want)
			wantText(t, one(t, doc, "group-summary"), tt.summary)
			absent(t, doc, "group-table")
		})
	}
}

func TestGroupListExplainsWhyGroupAdministratorsCannotCreate(t *testing.T) {
	v := groupListView(groupRows()[:1]...)
	v.CanCreate = false
	doc := render(t, views.GroupListPage(v))
	absent(t, doc, "group-create-form")
	wantContains(t, one(t, doc, "groups-scope-note"), "Only owners and admins create and delete groups and add members")
	wantText(t, one(t, doc, "group-summary"), "1 group")
}

func TestGroupListCreateFormShowsErrorsBesideItsFields(t *testing.T) {
	v := groupListView(groupRows()...)
	v.Name, v.Owner = "Sales", "nobody@example.com"
	v.Errors = map[string]string{"name": "A group with this name exists already.", "owner": "No active user has this address."}
	doc := render(t, views.GroupListPage(v))

	for field, msg := range v.Errors {
		wantText(t, one(t, doc, "error-"+field), msg)
		wantAttr(t, one(t, doc, "group-"+field), "aria-invalid", "true")
	}
	wantAttr(t, one(t, doc, "group-name"), "value", "Sales")
	wantAttr(t, one(t, doc, "group-owner"), "aria-describedby", "owner-hint owner-error")
}

func TestGroupListPagerKeepsTheSearch(t *testing.T) {
	v := groupListView(groupRows()...)
	v.Search = "s"
	v.Page.PrevCursor, v.Page.NextCursor = "p1", "n1"
	doc := render(t, views.GroupList(v))
	wantAttr(t, one(t, doc, "prev-page"), "href", "/settings/groups?before=p1&q=s")
	wantAttr(t, one(t, doc, "next-page"), "href", "/settings/groups?after=n1&q=s")

	v.Page.PrevCursor, v.Page.NextCursor = "", ""
	doc = render(t, views.GroupList(v))
	absent(t, doc, "prev-page")
	absent(t, doc, "next-page")
}

func groupView() views.GroupView {
	return views.GroupView{
		Chrome: adminChrome("Sales", views.SectionGroups),
		Detail: &models.GroupDetail{
			Group:     models.Group{ID: 11, Name: "Sales", OwnerID: 8},
			OwnerName: "Finn Garcia", OwnerEmail: "finn.garcia.8@northwind.example", OwnerStatus: models.StatusActive,
			OwnerIsMember: true, MemberCount: 3,
			Members: []models.GroupMemberRow{
				{ID: 21, Name: "Ben Hansen", Email: "ben@example.com", Role: models.RoleMember, Status: models.StatusActive},
				{ID: 8, Name: "Finn Garcia", Email: "finn.garcia.8@northwind.example", Role: models.RoleGroupAdmin, Status: models.StatusActive},
				{ID: 22, Name: "Chloe Xu", Email: "chloe@example.com", Role: models.RoleMember, Status: models.StatusInvited},
			},
		},
		Name:       "Sales",
		CanManage:  true,
		ManagesAll: true,
		Errors:     map[string]string{},
	}
}

func TestGroupPageShowsOwnerAndMembers(t *testing.T) {
	doc := render(t, views.GroupPage(groupView()))

	wantText(t, one(t, doc, "group-title"), "Sales")
	wantText(t, one(t, doc, "group-summary"), "Owned by Finn Garcia · 3 members")
	rows := byTestID(doc, "member-row")
	if rows.Length() != 3 {
		t.Fatalf("want 3 member rows, got %d", rows.Length())
	}
	wantText(t, byTestID(rows.Eq(1), "owner-badge"), "Owner")
	if byTestID(rows.First(), "owner-badge").Length() != 0 {
		t.Error("a member who is not the owner has the owner badge")
	}
	wantTexts(t, byTestID(doc, "member-status"), "Active", "Active", "Invited")
}

func TestGroupPageOffersMakeOwnerOnlyForOtherActiveMembers(t *testing.T) {
	doc := render(t, views.GroupPage(groupView()))

	makeOwner := byTestID(doc, "make-owner")
	if makeOwner.Length() != 1 {
		t.Fatalf("want Make owner for the one other active member, got %d", makeOwner.Length())
	}
	wantAttr(t, makeOwner, "aria-label", "Make owner: Ben Hansen")
	wantAttr(t, makeOwner, "value", "21")
	wantAttr(t, makeOwner, "form", "transfer-owner")
	wantAttr(t, one(t, doc, "group-owner-form"), "action", "/settings/groups/11/owner")
	wantAttr(t, doc.Find(`[data-testid="member-row"] input[name=ids]`).First(), "aria-label", "Select Ben Hansen")
}

func TestGroupPageFormsFollowTheActorsRights(t *testing.T) {
	tests := []struct {
		name                             string
		canManage, managesAll, actorOwns bool
		want, wantAbsent                 []string
	}{
		{"admin", true, true, false,
			[]string{"group-rename-form", "group-add-form", "group-delete-form", "remove-members", "make-owner"},
			[]string{"add-members-note", "transfer-warning"}},
		{"group administrator who owns it", true, false, true,
			[]string{"group-rename-form", "add-members-note", "remove-members", "transfer-warning"},
			[]string{"group-add-form", "group-delete-form"}},
		{"support, read only", false, false, false,
			[]string{"add-members-note"},
			[]string{"group-rename-form", "group-add-form", "group-delete-form", "remove-members", "make-owner", "group-owner-form"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := groupView()
			v.CanManage, v.ManagesAll, v.ActorOwns = tt.canManage, tt.managesAll, tt.actorOwns
			doc := render(t, views.GroupPage(v))
			for _, id := range tt.want {
				if byTestID(doc, id).Length() == 0 {
					t.Errorf("%s missing", id)
				}
			}
			for _, id := range tt.wantAbsent {
				absent(t, doc, id)
			}
			if !tt.canManage && doc.Find(`input[type=checkbox]`).Length() != 0 {
				t.Error("a read-only viewer can tick members")
			}
		})
	}
}

func TestGroupPageListsRefusedAddressesAndErrors(t *testing.T) {
	v := groupView()
	v.Emails = "ghost@example.com, ben@example.com"
	v.Problems = []models.InviteLine{
		{Input: "ghost@example.com", Problem: "Nobody in this account has this address."},
		{Input: "ben@example.com", Problem: "Already a member."},
		{Input: "chloe@example.com"},
	}
	v.Errors = map[string]string{"delete": "Remove the 3 members first.", "owner_id": "Choose the active member who becomes the owner."}
	doc := render(t, views.GroupPage(v))

	wantText(t, one(t, doc, "add-problems").Find("p").First(), "Nobody was added. Fix 2 addresses, or remove them, and add again.")
	rows := byTestID(doc, "add-problem")
	if rows.Length() != 2 {
		t.Fatalf("want 2 refused addresses, got %d", rows.Length())
	}
	wantTexts(t, rows.First().Find("td"), "ghost@example.com", "Nobody in this account has this address.")
	wantText(t, one(t, doc, "group-emails"), "ghost@example.com, ben@example.com")
	wantText(t, byTestID(one(t, doc, "group-delete-form"), "error-delete"), "Remove the 3 members first.")
	wantText(t, one(t, doc, "error-owner_id"), "Choose the active member who becomes the owner.")
}

func TestGroupPageSaysWhenTheOwnerIsNotAMember(t *testing.T) {
	v := groupView()
	v.Detail.OwnerIsMember = false
	v.Detail.OwnerStatus = models.StatusInactive
	v.Detail.Members = nil
	v.Detail.MemberCount = 0
	doc := render(t, views.GroupPage(v))
	wantText(t, one(t, doc, "group-summary"), "Owned by Finn Garcia Inactive (not a member) · 0 members")
	wantText(t, one(t, doc, "no-members"), "No members.")
	absent(t, doc, "member-table")
}
