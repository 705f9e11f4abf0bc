package views_test

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"roster/models"
	"roster/views"
)

// profileOf is the profile of Ada Lovelace (ID 3) in status, as GetUserProfile returns it.
func profileOf(status models.UserStatus) *models.UserProfile {
	u := models.User{ID: 3, AccountID: 1, Email: ptr("ada.lovelace.3@northwind.example"), Name: "Ada Lovelace",
		Phone: "+44 20 7946 0000", Role: models.RoleManager, Status: status, PlanID: ptr(int64(1)),
		CreatedAt: time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC), LastSignInAt: ptr(testNow.Add(-2 * time.Hour))}
	p := &models.UserProfile{
		User:    u,
		Plan:    &models.Plan{ID: 1, Name: "Professional", PriceCents: 3900, Currency: "EUR"},
		Manager: &models.User{ID: 2, Name: "Wen Jensen"},
		Groups: []models.GroupMembership{
			{Group: models.Group{ID: 11, Name: "Sales"}, Owns: true},
			{Group: models.Group{ID: 12, Name: "Support"}},
		},
		OwnedGroups:  []models.Group{{ID: 11, Name: "Sales"}, {ID: 13, Name: "Berlin office"}},
		Records:      []models.RecordCount{{Kind: "deal", Open: 12, Closed: 30}, {Kind: "contact", Open: 1000, Closed: 0}},
		ManagedUsers: 4,
		OpenSessions: 2,
	}
	if status == models.StatusInvited {
		p.User.LastSignInAt = nil
		p.InvitedBy = &models.User{ID: 2, Name: "Wen Jensen"}
		p.OpenInvitation = &models.Invitation{SentAt: testNow.Add(-24 * time.Hour), ExpiresAt: testNow.Add(6 * 24 * time.Hour)}
	}
	return p
}

func profileView(p *models.UserProfile) views.ProfileView {
	return views.ProfileView{Chrome: adminChrome(p.User.Name, views.SectionUsers), Profile: p, CanManage: true}
}

// offeredActions are the data-testids of the lifecycle actions a profile offers, in order.
func offeredActions(doc *goquery.Document) []string {
	var ids []string
	doc.Find(`[data-testid="profile-actions"] [data-testid^="action-"]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-testid")
		ids = append(ids, strings.TrimPrefix(id, "action-"))
	})
	return ids
}

func TestProfileOffersActionsThatFitTheUsersStatus(t *testing.T) {
	scheduled := profileOf(models.StatusInactive)
	scheduled.User.DeletionDueAt = ptr(time.Date(2026, 4, 9, 0, 0, 0, 0, time.UTC))
	scheduled.User.DeletionMode = ptr(string(models.DeleteAnonymise))

	tests := []struct {
		name    string
		profile *models.UserProfile
		want    []string
		status  string
	}{
		{"active", profileOf(models.StatusActive), []string{"reset_password", "transfer", "deactivate", "change-plan"}, "Active"},
		{"inactive", profileOf(models.StatusInactive), []string{"reactivate", "privacy", "transfer", "delete", "change-plan"}, "Inactive"},
		{"invited", profileOf(models.StatusInvited), []string{"remind", "revoke", "change-plan"}, "Invited"},
		{"scheduled for deletion", scheduled, []string{"undo_delete", "privacy", "transfer", "change-plan"}, "Inactive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, views.ProfilePage(profileView(tt.profile)))

			if got := strings.Join(offeredActions(doc), " "); got != strings.Join(tt.want, " ") {
				t.Errorf("actions = %q, want %q", got, strings.Join(tt.want, " "))
			}
			wantText(t, one(t, doc, "profile-status"), tt.status)
			wantText(t, one(t, doc, "profile-name"), "Ada Lovelace")
		})
	}
}

func TestProfileActionsPostForThisUserAndLinkToItsPages(t *testing.T) {
	doc := render(t, views.ProfilePage(profileView(profileOf(models.StatusActive))))

	form := one(t, doc, "action-reset_password").Closest("form")
	wantAttr(t, form, "method", "post")
	wantAttr(t, form, "action", "/settings/users/actions")
	wantAttr(t, form.Find("input[name=ids]"), "value", "3")
	wantAttr(t, form.Find("input[name=action]"), "value", "reset_password")
	wantAttr(t, form.Find("input[name=_csrf]"), "value", "csrf-admin")
	wantAttr(t, one(t, doc, "action-deactivate"), "href", "/settings/users/deactivate?ids=3")
	wantAttr(t, one(t, doc, "action-transfer"), "href", "/settings/users/3/transfer")
	wantAttr(t, one(t, doc, "action-change-plan"), "href", "/settings/users/change-plan?ids=3")

	invited := render(t, views.ProfilePage(profileView(profileOf(models.StatusInvited))))
	// Revoking removes the person from the list, so the action goes back to the Invited tab.
	wantAttr(t, one(t, invited, "action-revoke").Closest("form").Find("input[name=back]"), "value", "/settings/users?tab=invited")
	wantText(t, one(t, invited, "invitation-status"), "Invited 1 day ago · link in 6 days")
}

func TestProfileOffersReactivateOnlyForInactiveUsers(t *testing.T) {
	scheduled := profileOf(models.StatusInactive)
	scheduled.User.DeletionDueAt = ptr(time.Date(2026, 4, 9, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name    string
		profile *models.UserProfile
		want    bool
	}{
		{"active", profileOf(models.StatusActive), false},
		{"invited", profileOf(models.StatusInvited), false},
		{"inactive", profileOf(models.StatusInactive), true},
		// Undo delete, not Reactivate, brings back someone waiting for deletion.
		{"scheduled for deletion", scheduled, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, views.ProfilePage(profileView(tt.profile)))
			if got := byTestID(doc, "action-reactivate").Length() == 1; got != tt.want {
				t.Errorf("Reactivate offered = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProfileExplainsAScheduledDeletion(t *testing.T) {
	p := profileOf(models.StatusInactive)
	p.User.DeletionDueAt = ptr(time.Date(2026, 4, 9, 0, 0, 0, 0, time.UTC))
	p.User.DeletionMode = ptr(string(models.DeleteWithHistory))
	doc := render(t, views.ProfilePage(profileView(p)))
	wantText(t, one(t, doc, "deletion-scheduled"),
		"Scheduled for deletion on 9 Apr 2026 (Delete with history). “Undo delete” brings them back as inactive until then.")
	wantText(t, one(t, doc, "action-undo_delete"), "Undo delete")
	absent(t, doc, "action-delete")

	plain := render(t, views.ProfilePage(profileView(profileOf(models.StatusInactive))))
	absent(t, plain, "deletion-scheduled")
}

func TestProfileOffersNoActionsWithoutManageRights(t *testing.T) {
	for _, status := range []models.UserStatus{models.StatusActive, models.StatusInactive, models.StatusInvited} {
		t.Run(string(status), func(t *testing.T) {
			v := profileView(profileOf(status))
			v.CanManage = false
			doc := render(t, views.ProfilePage(v))

			absent(t, doc, "profile-actions")
			absent(t, doc, "profile-extra-actions")
			if n := doc.Find(`form[action="/settings/users/actions"]`).Length(); n != 0 {
				t.Errorf("a read-only viewer gets %d action forms", n)
			}
			// What they may read is still there; an inactive user keeps the plan but no seat.
			want := "Professional · €39.00 per month"
			if status == models.StatusInactive {
				want = "Professional · no seat while inactive"
			}
			wantText(t, one(t, doc, "profile-plan"), want)
		})
	}
}

func TestProfileOffersImpersonationOrSaysWhyNot(t *testing.T) {
	tests := []struct {
		name           string
		canImpersonate bool
		refusal        string
		canChangeRole  bool
		wantLink       bool
		wantRefusal    string
		wantRole       bool
	}{
		{name: "allowed", canImpersonate: true, wantLink: true},
		{name: "refused with reason", refusal: "they have the same or more rights than you",
			wantRefusal: "Impersonation unavailable: they have the same or more rights than you."},
		{name: "switched off", refusal: "impersonation is switched off for this account", canChangeRole: true,
			wantRefusal: "Impersonation unavailable: impersonation is switched off for this account.", wantRole: true},
		{name: "actor may not impersonate at all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := profileView(profileOf(models.StatusActive))
			v.CanImpersonate, v.ImpersonationRefusal, v.CanChangeRole = tt.canImpersonate, tt.refusal, tt.canChangeRole
			doc := render(t, views.ProfilePage(v))

			link := byTestID(doc, "action-impersonate")
			if got := link.Length() == 1; got != tt.wantLink {
				t.Fatalf("View or act as offered = %v, want %v", got, tt.wantLink)
			}
			if tt.wantLink {
				wantAttr(t, link, "href", "/settings/users/3/impersonate")
				wantText(t, link, "View or act as…")
			}
			if tt.wantRefusal != "" {
				wantText(t, one(t, doc, "impersonation-unavailable"), tt.wantRefusal)
			} else {
				absent(t, doc, "impersonation-unavailable")
			}
			if got := byTestID(doc, "action-change-role").Length() == 1; got != tt.wantRole {
				t.Errorf("Change role offered = %v, want %v", got, tt.wantRole)
			}
			if !tt.wantLink && tt.wantRefusal == "" && !tt.wantRole {
				absent(t, doc, "profile-extra-actions")
			}
		})
	}
}

func TestProfileListsOwnershipHistory(t *testing.T) {
	p := profileOf(models.StatusInactive)
	p.Handovers = []models.OwnershipChangeView{
		{RecordOwnershipChange: models.RecordOwnershipChange{Reason: "deactivation hand-over: left the company",
			ChangedAt: time.Date(2026, 2, 1, 14, 30, 0, 0, time.UTC)},
			RecordKind: "deal", RecordTitle: "Contoso renewal", FromName: "Ada Lovelace", ToName: "Finn Garcia", ChangedByName: "Wen Jensen"},
		{RecordOwnershipChange: models.RecordOwnershipChange{Reason: "account transfer",
			ChangedAt: time.Date(2025, 12, 24, 8, 5, 0, 0, time.UTC)},
			RecordKind: "pin", RecordTitle: "Door code", FromName: "Ben Hansen", ToName: "Ada Lovelace", ChangedByName: "Zoe Weber"},
	}
	doc := render(t, views.ProfilePage(profileView(p)))

	rows := one(t, doc, "profile-handovers").Find("tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("want 2 history rows, got %d", rows.Length())
	}
	wantTexts(t, rows.First().Find("td"), "Deal: Contoso renewal", "Ada Lovelace", "Finn Garcia",
		"1 Feb 2026, 14:30 UTC · Wen Jensen · Hand-over at deactivation: left the company")
	wantTexts(t, rows.Eq(1).Find("td"), "PIN: Door code", "Ben Hansen", "Ada Lovelace",
		"24 Dec 2025, 08:05 UTC · Zoe Weber · Account transfer")

	empty := render(t, views.ProfilePage(profileView(profileOf(models.StatusActive))))
	absent(t, empty, "profile-handovers")
	wantContains(t, empty.Find(`section[aria-labelledby="handovers-title"]`), "No records were handed to or from them.")
}

func TestProfileShowsDetailsGroupsAndRecords(t *testing.T) {
	doc := render(t, views.ProfilePage(profileView(profileOf(models.StatusActive))))

	wantText(t, one(t, doc, "profile-sessions"), "2")
	wantText(t, one(t, doc, "profile-picture"), "None")
	wantTexts(t, one(t, doc, "profile-groups").Find("li"), "Sales Owner", "Support", "Berlin office Owner, not a member")
	wantText(t, one(t, doc, "profile-records-total"), "1,042")
	wantTexts(t, one(t, doc, "profile-records").Find("tbody th"), "Deals", "Contacts")
}

func TestProfileAuditTrailNamesBothPeopleOfAnImpersonation(t *testing.T) {
	p := profileOf(models.StatusActive)
	p.RecentActivity = []models.AuditEventView{
		{AuditEvent: models.AuditEvent{Action: models.AuditRoleChanged, ActorID: ptr(int64(8)), RealActorID: ptr(int64(2)),
			CreatedAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)}, ActorName: "Finn Garcia", RealActorName: "Wen Jensen"},
		{AuditEvent: models.AuditEvent{Action: models.AuditUserDeactivated, ActorID: ptr(int64(99)),
			CreatedAt: time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC)}},
		{AuditEvent: models.AuditEvent{Action: models.AuditSignedIn, ActorID: ptr(int64(3)),
			CreatedAt: time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)}, ActorName: "Ada Lovelace"},
	}
	doc := render(t, views.ProfilePage(profileView(p)))
	wantTexts(t, doc.Find("ol.timeline li"),
		"9 Mar 2026, 10:00 UTC Role changed by Wen Jensen, acting as Finn Garcia",
		"8 Mar 2026, 10:00 UTC User deactivated by Removed user #99 Undo hand-over…",
		"7 Mar 2026, 10:00 UTC Signed in")
}

func TestProfileAuditTrailShowsDetailsWithTheLogsLabels(t *testing.T) {
	p := profileOf(models.StatusInactive)
	p.RecentActivity = []models.AuditEventView{
		{AuditEvent: models.AuditEvent{Action: models.AuditRoleChanged, ActorID: ptr(int64(2)), TargetUserID: ptr(int64(3)),
			Details: `{"from":"group_admin","to":"member"}`, CreatedAt: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)}, ActorName: "Wen Jensen"},
		{AuditEvent: models.AuditEvent{Action: models.AuditUserDeactivated, ActorID: ptr(int64(2)), TargetUserID: ptr(int64(3)),
			Details: `{"records_to":2,"reason":""}`, CreatedAt: time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC)}, ActorName: "Wen Jensen"},
	}
	doc := render(t, views.ProfilePage(profileView(p)))
	details := byTestID(doc, "trail-details")
	wantTexts(t, details.First().Find("dt, dd"), "From", "Group administrator", "To", "Member")
	wantTexts(t, details.Eq(1).Find("dt, dd"), "Records to", "Wen Jensen")
	wantAttr(t, details.Eq(1).Find("dd a"), "href", "/settings/users/2")
}
