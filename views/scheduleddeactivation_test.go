package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

// berlinLeaveDate is 3 Dec 2026, 17:00 in Berlin (16:00 UTC), chosen by Wen Jensen.
func berlinLeaveDate() *models.ScheduledDeactivationView {
	return &models.ScheduledDeactivationView{ScheduledDeactivation: models.ScheduledDeactivation{ID: 5, UserID: 3,
		DueAt: time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC), TimeZone: "Europe/Berlin", ScheduledByID: 2}, ScheduledByName: "Wen Jensen"}
}

func TestWizardConfirmOffersNowOrALeaveDate(t *testing.T) {
	v := wizardView(views.StepConfirm, readyImpact())
	v.TimeZone = "Europe/Berlin"
	doc := render(t, views.Wizard(v))
	wantAttr(t, one(t, doc, "when-now"), "checked", "")
	if _, checked := one(t, doc, "when-at").Attr("checked"); checked {
		t.Error("a leave date is chosen before the admin asks for one")
	}
	wantAttr(t, one(t, doc, "leave-date"), "type", "date")
	wantAttr(t, one(t, doc, "leave-time"), "type", "time")
	wantContains(t, doc.Find(`label[for="leave_time"]`), "Europe/Berlin")
	wantText(t, one(t, doc, "wizard-confirm"), "Deactivate 2 users")
}

func TestWizardConfirmShowsLeaveDateErrorsBesideTheirFields(t *testing.T) {
	v := wizardView(views.StepConfirm, readyImpact())
	v.TimeZone = "UTC"
	v.Form.When, v.Form.LeaveDate, v.Form.LeaveTime = "at", "2020-01-01", "17:00"
	v.Errors = map[string]string{"leave_date": "Choose a date and time in the future."}
	doc := render(t, views.Wizard(v))
	wantAttr(t, one(t, doc, "when-at"), "checked", "")
	wantText(t, one(t, doc, "error-leave_date"), "Choose a date and time in the future.")
	date := one(t, doc, "leave-date")
	wantAttr(t, date, "value", "2020-01-01")
	wantAttr(t, date, "aria-invalid", "true")
	wantAttr(t, date, "aria-describedby", "leave_date-error")
	absent(t, doc, "error-leave_time")
	wantText(t, one(t, doc, "wizard-confirm"), "Schedule for 2 users")
}

func TestWizardCarriesTheLeaveDateThroughEarlierSteps(t *testing.T) {
	for _, step := range []string{views.StepImpact, views.StepHandover} {
		v := wizardView(step, readyImpact())
		v.Form.When, v.Form.LeaveDate, v.Form.LeaveTime = "at", "2026-12-03", "17:00"
		doc := render(t, views.Wizard(v))
		for name, want := range map[string]string{"when": "at", "leave_date": "2026-12-03", "leave_time": "17:00"} {
			if got := hidden(t, doc, name); got != want {
				t.Errorf("%s step carries %s=%q, want %q", step, name, got, want)
			}
		}
	}
}

func TestProfileShowsTheLeaveDateWithChangeAndCancel(t *testing.T) {
	p := profileOf(models.StatusActive)
	p.Leaving = berlinLeaveDate()
	doc := render(t, views.ProfilePage(profileView(p)))
	wantText(t, one(t, doc, "leave-date").Find("p"), "Leaves on 3 Dec 2026, 17:00 (Europe/Berlin) — scheduled by Wen Jensen")
	wantAttr(t, one(t, doc, "leave-date-change"), "href", "/settings/users/deactivate?change=1&ids=3")
	cancel := one(t, doc, "leave-date-cancel").Closest("form")
	wantAttr(t, cancel, "action", "/settings/users/3/leave-date/cancel")
	wantAttr(t, cancel, "method", "post")
	if cancel.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Error("the cancel form has no CSRF token")
	}

	readOnly := profileView(p)
	readOnly.CanManage = false
	doc = render(t, views.ProfilePage(readOnly))
	one(t, doc, "leave-date")
	absent(t, doc, "leave-date-change")
	absent(t, doc, "leave-date-cancel")

	p.Leaving = nil
	absent(t, render(t, views.ProfilePage(profileView(p))), "leave-date")
}

func TestUserListBadgesLeaversAndOffersTheLeavingFilter(t *testing.T) {
	rows := activeRows()
	rows[1].LeavesAt, rows[1].LeavesTimeZone = ptr(time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)), "Europe/Berlin"
	v := userListView("active", rows, exactCounts(2, 0, 0))
	v.State.Leaving = "1"
	doc := render(t, views.UserListPage(v))
	badges := byTestID(doc, "leaves-on")
	if badges.Length() != 1 {
		t.Fatalf("%d leave-date badges, want 1", badges.Length())
	}
	wantText(t, badges, "Leaves on 3 Dec 2026, 17:00 (Europe/Berlin)")
	wantContains(t, badges.Closest(`[data-testid="user-row"]`), "Finn Garcia")
	wantAttr(t, one(t, doc, "filter-leaving").Find(`option[value="1"]`), "selected", "")
	if got, _ := doc.Find(`#bulk input[name="leaving"]`).Attr("value"); got != "1" {
		t.Errorf("bulk actions on all matching must keep the Leaving filter, carry %q", got)
	}
	wantContains(t, one(t, doc, "summary"), "match these filters")
}

func TestAccountSettingsOffersTheTimeZone(t *testing.T) {
	v := views.AccountSettingsView{Chrome: adminChrome("Account", views.SectionAccount), Errors: map[string]string{}, TimeZone: "Europe/Berlin"}
	doc := render(t, views.AccountSettingsPage(v))
	wantAttr(t, one(t, doc, "time-zone").Find("option[selected]"), "value", "Europe/Berlin")
	wantAttr(t, one(t, doc, "time-zone-form"), "action", "/settings/account/time-zone")

	v.TimeZone, v.Errors = "Atlantis/Capital", map[string]string{"time_zone": "Choose a time zone from the list."}
	doc = render(t, views.AccountSettingsPage(v))
	wantText(t, one(t, doc, "error-time_zone"), "Choose a time zone from the list.")
}
