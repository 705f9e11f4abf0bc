package views_test

import (
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func dormancyView() views.DormancyView {
	return views.DormancyView{Chrome: adminChrome("Dormant seats", views.SectionDormancy),
		Policy: models.DormancyPolicy{Enabled: true, WarnDays: 60, DeactivateDays: 90}, WarnDays: "60", DeactivateDays: "90",
		Exempt: []models.User{{ID: 7, Name: "Ada <b>Lovelace</b>", Email: ptr("ada@northwind.example"), Status: models.StatusActive}},
		Errors: map[string]string{}}
}

func TestDormancyPageShowsThePolicyAndWhoIsExempt(t *testing.T) {
	doc := render(t, views.DormancyPage(dormancyView()))
	if _, on := one(t, doc, "dormancy-enabled").Attr("checked"); !on {
		t.Fatal("the policy is on but the box is not ticked")
	}
	wantAttr(t, one(t, doc, "warn-days"), "value", "60")
	wantAttr(t, one(t, doc, "deactivate-days"), "value", "90")
	exempt := one(t, doc, "exempt-user")
	if !strings.Contains(exempt.Text(), "Ada <b>Lovelace</b>") || exempt.Find("b").Length() != 0 {
		t.Fatalf("exempt user not shown as text: %q", exempt.Text())
	}
	wantAttr(t, exempt.Find("a"), "href", "/settings/users/7")
	if doc.Find(`input[name="_csrf"]`).Length() == 0 {
		t.Fatal("no CSRF token in the form")
	}
}

func TestDormancyPageShowsErrorsBesideTheFields(t *testing.T) {
	v := dormancyView()
	v.WarnDays, v.DeactivateDays = "60", "62"
	v.Errors = map[string]string{"deactivate_days": "Deactivate at least 7 days after the warning: 67 days or more."}
	doc := render(t, views.DormancyPage(v))
	wantText(t, one(t, doc, "error-deactivate_days"), "Deactivate at least 7 days after the warning: 67 days or more.")
	wantAttr(t, one(t, doc, "deactivate-days"), "aria-invalid", "true")
	wantAttr(t, one(t, doc, "deactivate-days"), "value", "62")
	absent(t, doc, "error-warn_days")
}

func TestSeatsShowsTheDormancyForecast(t *testing.T) {
	v := seatsView()
	pro := models.Plan{ID: 1, Name: "Professional", PriceCents: 3900, Currency: "EUR"}
	on := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	v.Dormancy = views.DormancyForecastView{Forecast: &models.DormancyForecast{
		Policy:        models.DormancyPolicy{Enabled: true, WarnDays: 60, DeactivateDays: 90},
		Until:         time.Date(2026, 4, 9, 0, 0, 0, 0, time.UTC),
		Warnings:      []models.DormancyForecastLine{{User: models.User{ID: 31, Name: "Ben Hansen"}, On: on}},
		Deactivations: []models.DormancyForecastLine{{User: models.User{ID: 32, Name: "Chloe Xu"}, On: on.AddDate(0, 0, 7), Plan: &pro}},
		FreedCents:    map[string]int64{"EUR": 3900}, WarningsTotal: 1, DeactivationsTotal: 150,
	}}
	doc := render(t, views.SeatsPage(v))
	section := one(t, doc, "dormancy-forecast")
	wantText(t, byTestID(section, "dormancy-freed"), "€39.00")
	warning := one(t, doc, "dormancy-warning")
	if !strings.Contains(warning.Text(), "Ben Hansen") || !strings.Contains(warning.Text(), "20 Mar 2026") {
		t.Fatalf("warning row %q", warning.Text())
	}
	deactivation := one(t, doc, "dormancy-deactivation")
	if !strings.Contains(deactivation.Text(), "Chloe Xu") || !strings.Contains(deactivation.Text(), "27 Mar 2026") ||
		!strings.Contains(deactivation.Text(), "Professional") {
		t.Fatalf("deactivation row %q", deactivation.Text())
	}
	wantText(t, one(t, doc, "dormancy-deactivations-total"), "(150)")
	wantText(t, one(t, doc, "dormancy-more"), "The first 1 of 150, soonest first.")
}

func TestSeatsSaysWhenTheDormancyPolicyIsOff(t *testing.T) {
	v := seatsView()
	v.Dormancy = views.DormancyForecastView{Forecast: &models.DormancyForecast{}, CanManagePolicy: true}
	doc := render(t, views.SeatsPage(v))
	off := one(t, doc, "dormancy-off")
	wantAttr(t, off.Find("a"), "href", "/settings/dormancy")
	absent(t, doc, "dormancy-warning")
}

func TestProfileOffersTheDormancyExemption(t *testing.T) {
	p := profileOf(models.StatusActive)
	p.User.DormancyExempt = true
	v := profileView(p)
	v.CanSetDormancyExempt = true
	doc := render(t, views.ProfilePage(v))
	box := one(t, doc, "dormancy-exempt")
	if _, on := box.Attr("checked"); !on {
		t.Fatal("an exempt user's box is not ticked")
	}
	wantAttr(t, one(t, doc, "dormancy-exempt-form"), "action", "/settings/users/3/dormancy-exempt")

	v.CanSetDormancyExempt = false
	doc = render(t, views.ProfilePage(v))
	absent(t, doc, "dormancy-exempt")
	wantText(t, one(t, doc, "profile-dormancy"), "Exempt")
}

func TestAuditNamesTheDormancyPolicy(t *testing.T) {
	e := auditEntry(601, models.AuditUserDeactivated)
	e.Actor = &models.AuditPerson{Name: models.SystemActorLabel(models.SystemDormancy), System: true}
	doc := render(t, views.AuditLogPage(auditView(e)))
	wantText(t, byTestID(one(t, doc, "audit-row"), "audit-actor"), "Dormancy policy")

	p := profileOf(models.StatusInactive)
	system := models.SystemDormancy
	p.RecentActivity = []models.AuditEventView{{AuditEvent: models.AuditEvent{ID: 9, Action: models.AuditUserDeactivated,
		TargetUserID: ptr(int64(3)), SystemActor: &system, CreatedAt: testNow}}}
	doc = render(t, views.ProfilePage(profileView(p)))
	wantText(t, one(t, doc, "profile-system-actor"), "by Dormancy policy")
}
