package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func auditView(entries ...models.AuditLogEntry) views.AuditLogView {
	return views.AuditLogView{
		Chrome:  adminChrome("Audit log", views.SectionAudit),
		Page:    &models.AuditLogPage{Entries: entries},
		Actions: models.AuditActions(),
	}
}

func auditEntry(id int64, action string) models.AuditLogEntry {
	return models.AuditLogEntry{ID: id, At: time.Date(2026, 3, 9, 16, 4, 5, 0, time.UTC), Action: action,
		ActionLabel: models.AuditActionLabel(action),
		Actor:       &models.AuditPerson{ID: 2, Name: "Wen Jensen"},
		Target:      &models.AuditPerson{ID: 21, Name: "Ben Hansen"},
		IP:          "203.0.113.7"}
}

func TestAuditLogLabelsActionsAndNamesPeopleWithTheirIDs(t *testing.T) {
	deactivated := auditEntry(501, models.AuditUserDeactivated)
	deactivated.Details = []models.AuditDetail{{Label: "Reason", Value: "Left the company"}, {Label: "Records moved", Value: "14"}}
	doc := render(t, views.AuditLogPage(auditView(deactivated)))

	row := one(t, doc, "audit-row")
	wantAttr(t, row, "data-event-id", "501")
	action := byTestID(row, "audit-action")
	wantText(t, action, "User deactivated")
	wantAttr(t, action, "title", "user.deactivated")
	wantText(t, row.Find("time"), "9 Mar 2026 16:04:05")
	wantAttr(t, row.Find("time"), "datetime", "2026-03-09T16:04:05Z")
	wantText(t, byTestID(row, "audit-actor"), "Wen Jensen #2")
	wantText(t, byTestID(row, "audit-target"), "Ben Hansen #21")
	wantTexts(t, byTestID(row, "audit-details").Find("dl > div"), "ReasonLeft the company", "Records moved14")
	wantText(t, row.Find("td.audit-ip"), "203.0.113.7")
	absent(t, doc, "audit-real-actor")
	wantText(t, one(t, doc, "audit-summary"), "Changes, newest first; sign-ins are hidden. Times are UTC. · Show sign-ins too")
	wantAttr(t, one(t, doc, "audit-export"), "href", "/settings/audit/export.csv")
}

func TestAuditLogShowsWhoWasActingAsWhom(t *testing.T) {
	e := auditEntry(502, models.AuditRoleChanged)
	e.Actor = &models.AuditPerson{ID: 8, Name: "Finn Garcia"}
	e.RealActor = &models.AuditPerson{ID: 2, Name: "Wen Jensen"}
	doc := render(t, views.AuditLogPage(auditView(e)))

	actor := byTestID(one(t, doc, "audit-row"), "audit-actor")
	wantText(t, actor, "Wen Jensen #2 acting as Finn Garcia #8")
	wantText(t, byTestID(actor, "audit-real-actor"), "Wen Jensen #2")
	wantText(t, actor.Find(".audit-acting"), "acting as")
}

func TestAuditLogNamesRemovedPeopleAndEventsWithoutAnActor(t *testing.T) {
	e := auditEntry(503, models.AuditUserDeleted)
	e.Actor = nil
	e.Target = &models.AuditPerson{ID: 77, Removed: true}
	e.IP = ""
	anonymised := auditEntry(504, "user.some_future_action")
	anonymised.Target = &models.AuditPerson{ID: 78, Name: models.DeletedUserName}
	doc := render(t, views.AuditLogPage(auditView(e, anonymised)))

	rows := byTestID(doc, "audit-row")
	wantText(t, byTestID(rows.First(), "audit-actor"), "Roster (no one signed in)")
	target := byTestID(rows.First(), "audit-target")
	// Removed for good: named by ID once, not followed by the ID again.
	wantText(t, target, "Removed user #77")
	if !target.Find(".audit-person").HasClass("muted") {
		t.Error("a removed user is not shown muted")
	}
	wantText(t, rows.First().Find("td.audit-ip"), "—")
	// An action without a label yet shows under its stored name.
	wantText(t, byTestID(rows.Eq(1), "audit-action"), "user.some_future_action")
	wantText(t, byTestID(rows.Eq(1), "audit-target"), "(deleted user) #78")
}

func TestAuditLogSaysWhenNothingMatchesTheFilters(t *testing.T) {
	tests := []struct {
		name    string
		state   views.AuditLogState
		want    []string
		summary string
	}{
		{"filtered", views.AuditLogState{Action: models.AuditUserDeleted, From: "2026-01-01"},
			[]string{"No events match these filters.", "Try a wider date range, another action, or part of a name instead of the whole."},
			"Events matching these filters, newest first · Clear filters"},
		{"unfiltered", views.AuditLogState{}, []string{"Nothing has been recorded yet."}, "Changes, newest first; sign-ins are hidden. Times are UTC. · Show sign-ins too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := auditView()
			v.State = tt.state
			doc := render(t, views.AuditLogBody(v))

			wantTexts(t, one(t, doc, "audit-empty").Find("p"), tt.want...)
			wantText(t, one(t, doc, "audit-summary"), tt.summary)
			absent(t, doc, "audit-table")
			absent(t, doc, "audit-export")
		})
	}
}

func TestAuditLogKeepsFiltersAndMarksTheSelectedAction(t *testing.T) {
	v := auditView(auditEntry(505, models.AuditGroupRenamed))
	v.State = views.AuditLogState{Actor: "wen", Action: models.AuditGroupRenamed, To: "2026-03-09"}
	v.Page.NextCursor = "older-1"
	doc := render(t, views.AuditLogBody(v))

	wantAttr(t, one(t, doc, "filter-actor"), "value", "wen")
	wantText(t, one(t, doc, "filter-action").Find("option[selected]"), "Group renamed")
	wantAttr(t, one(t, doc, "filter-to"), "value", "2026-03-09")
	next := one(t, doc, "next-page")
	wantText(t, next, "Older →")
	wantAttr(t, next, "href", "/settings/audit?action=group.renamed&actor=wen&after=older-1&to=2026-03-09")
	absent(t, doc, "prev-page")
	wantAttr(t, one(t, doc, "audit-export"), "href", "/settings/audit/export.csv?action=group.renamed&actor=wen&to=2026-03-09")
}

func TestAuditLogShowsFilterErrorsBesideTheirFields(t *testing.T) {
	v := auditView()
	v.Page = nil
	v.State = views.AuditLogState{From: "2026-02-30", Actor: "w"}
	v.Errors = map[string]string{"from": "Enter a date as YYYY-MM-DD.", "actor": "Type at least 2 characters, or an ID."}
	doc := render(t, views.AuditLogBody(v))

	for field, msg := range v.Errors {
		msgEl := one(t, doc, "error-"+field)
		wantText(t, msgEl, msg)
		control := one(t, doc, "filter-"+field)
		wantAttr(t, control, "aria-invalid", "true")
		wantAttr(t, control, "aria-describedby", field+"-error")
	}
	wantNoAttr(t, one(t, doc, "filter-target"), "aria-invalid")
	invalid := one(t, doc, "audit-invalid")
	wantContains(t, invalid, "Some filters could not be used.", "Correct the fields marked above, or clear the filters.")
	absent(t, doc, "audit-summary")
}

func TestAuditLogShowsTimesInTheAccountsTimeZone(t *testing.T) {
	v := auditView(auditEntry(501, models.AuditUserDeactivated))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	v.Location = berlin
	doc := render(t, views.AuditLogPage(v))
	wantContains(t, one(t, doc, "audit-summary"), "Times are Europe/Berlin.")
	wantText(t, doc.Find("table thead th").First(), "Time (Europe/Berlin)")
	// 16:04 UTC is 17:04 in Berlin in March; the machine-readable time stays UTC.
	row := one(t, doc, "audit-row")
	wantText(t, row.Find("time"), "9 Mar 2026 17:04:05")
	wantAttr(t, row.Find("time"), "datetime", "2026-03-09T16:04:05Z")
}
