package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

func TestChangePlanOffersEveryPlanWithItsFreeSeats(t *testing.T) {
	v := views.ChangePlanView{
		Chrome: adminChrome("Change plan", views.SectionUsers), IDs: "21,22", Count: 2, Plan: "2", Back: "/settings/users?tab=inactive",
		Plans: inviteView().Plans, Errors: map[string]string{"plan": "Plan Starter lacks 2 seats: 2 needed, 0 free."},
	}
	doc := render(t, views.ChangePlanPage(v))

	wantText(t, one(t, doc, "change-plan-selection"),
		"Move 2 selected users to another plan. Active users take a seat of the new plan and invitations reserve one; inactive users just get the plan. If anyone cannot move, nothing changes.")
	sel := one(t, doc, "change-plan-select")
	wantTexts(t, sel.Find("option"), "Professional — 3 of 10 seats free, €39.00 a month", "Starter — no free seat (120 purchased), $9.00 a month")
	wantAttr(t, sel.Find("option[selected]"), "value", "2")
	wantText(t, one(t, doc, "error-plan"), "Plan Starter lacks 2 seats: 2 needed, 0 free.")
	form := one(t, doc, "change-plan-form")
	wantAttr(t, form.Find("input[name=ids]"), "value", "21,22")
	wantAttr(t, form.Find("input[name=back]"), "value", "/settings/users?tab=inactive")
	wantAttr(t, form.Find(".form-actions a.btn"), "href", "/settings/users?tab=inactive")
}

func TestChangeRoleDescribesEachRoleItOffers(t *testing.T) {
	v := views.ChangeRoleView{
		Chrome: adminChrome("Change role", views.SectionUsers), IDs: "21", Count: 1, Role: "manager", Back: "/settings/users/21",
		Roles: []models.Role{models.RoleAdmin, models.RoleManager, models.RoleMember},
	}
	doc := render(t, views.ChangeRolePage(v))

	wantText(t, one(t, doc, "change-role-selection"),
		"Give 1 selected user another role. It applies from their next click. If anyone cannot have it, nothing changes and you see why.")
	wantTexts(t, doc.Find(`[data-testid="change-role-form"] .option strong`), "Admin", "Manager", "Member")
	wantText(t, one(t, doc, "role-admin").Closest(".option").Find(".hint"), models.RoleDescriptions[models.RoleAdmin])
	wantAttr(t, one(t, doc, "role-manager"), "checked", "")
	absent(t, doc, "role-owner")
}

func TestRefusalShowsInPlaceWithEveryReasonAndTheFix(t *testing.T) {
	c := adminChrome("User management", views.SectionUsers)
	c.Refusal = &views.Refusal{Heading: "Nothing changed: not enough free seats",
		Lines:    []string{"Plan Starter lacks 2 seats: 2 needed, 0 free.", "Ben <b>Hansen</b>: Already inactive."},
		FixLabel: "Buy seats", FixHref: "/settings/seats/plans/2/quantity"}
	doc := render(t, views.Layout(c))

	refusal := one(t, doc, "refusal")
	wantAttr(t, refusal, "role", "alert")
	wantText(t, one(t, doc, "refusal-title"), "Nothing changed: not enough free seats")
	wantTexts(t, one(t, doc, "refusal-reasons").Find("li"), c.Refusal.Lines...)
	wantAttr(t, one(t, doc, "refusal-fix"), "href", "/settings/seats/plans/2/quantity")
	wantText(t, one(t, doc, "refusal-fix"), "Buy seats")

	c.Refusal.FixHref = ""
	absent(t, render(t, views.Layout(c)), "refusal-fix")
}

func TestPrivacyOffersOnlyWhatIsOnFile(t *testing.T) {
	u := inactiveUser(21, "Ben Hansen")
	tests := []struct {
		name             string
		phone, picture   string
		want, wantAbsent []string
	}{
		{"phone and picture", "+49 30 1234567", "https://example.com/ben.png",
			[]string{"remove-phone", "remove-picture"}, []string{"no-phone", "no-picture"}},
		{"nothing on file", "", "", []string{"no-phone", "no-picture"}, []string{"remove-phone", "remove-picture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := u
			user.Phone, user.PictureURL = tt.phone, tt.picture
			doc := render(t, views.PrivacyPage(views.PrivacyView{Chrome: adminChrome("Privacy edit", views.SectionUsers), User: &user,
				Name: user.Name, Errors: map[string]string{}}))
			for _, id := range tt.want {
				one(t, doc, id)
			}
			for _, id := range tt.wantAbsent {
				absent(t, doc, id)
			}
			wantAttr(t, one(t, doc, "privacy-form"), "action", "/settings/users/21/privacy")
		})
	}
}

func TestPrivacyShowsErrorsOrARefusal(t *testing.T) {
	user := inactiveUser(21, "Ben Hansen")
	v := views.PrivacyView{Chrome: adminChrome("Privacy edit", views.SectionUsers), User: &user, Name: "",
		Errors: map[string]string{"name": "Enter a name.", "edit": "Change the name or tick something to remove."}}
	doc := render(t, views.PrivacyPage(v))
	wantText(t, one(t, doc, "error-name"), "Enter a name.")
	wantAttr(t, doc.Find("input#name"), "aria-invalid", "true")
	wantText(t, one(t, doc, "error-edit"), "Change the name or tick something to remove.")

	user.Status = models.StatusActive
	v = views.PrivacyView{Chrome: adminChrome("Privacy edit", views.SectionUsers), User: &user,
		Refusal: "Only deactivated users can be edited this way; active users change their own details."}
	doc = render(t, views.PrivacyPage(v))
	wantText(t, one(t, doc, "privacy-refusal"), "Nothing was changed. Only deactivated users can be edited this way; active users change their own details.")
	absent(t, doc, "privacy-form")
}

func TestForgotPasswordAnswersTheSameWhateverTheAddress(t *testing.T) {
	doc := render(t, views.ForgotPasswordPage(views.ForgotPasswordView{Email: "someone@example.com", Sent: true}))
	wantText(t, one(t, doc, "forgot-sent"),
		"If an account exists for someone@example.com, we sent a link to it. Open it within an hour to choose a new password; it works once.")
	absent(t, doc, "send-reset-link")

	doc = render(t, views.ForgotPasswordPage(views.ForgotPasswordView{Email: "not-an-address", CSRFToken: "csrf-visitor",
		Errors: map[string]string{"email": "Enter the e-mail address you sign in with."}}))
	absent(t, doc, "forgot-sent")
	one(t, doc, "send-reset-link")
	wantText(t, one(t, doc, "error-email"), "Enter the e-mail address you sign in with.")
	wantAttr(t, doc.Find("input#email"), "aria-invalid", "true")
	wantAttr(t, doc.Find("input#email"), "value", "not-an-address")
}

func TestResetPasswordShowsForWhomAndEachError(t *testing.T) {
	v := views.ResetPasswordView{Token: "tok", CSRFToken: "csrf-visitor",
		Reset:  &models.PasswordResetView{Email: "ben@example.com", AccountName: "Northwind Traders", ExpiresAt: time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)},
		Errors: map[string]string{"password_confirm": "The two passwords differ."}}
	doc := render(t, views.ResetPasswordPage(v))

	wantText(t, one(t, doc, "reset-email"), "ben@example.com")
	wantAttr(t, doc.Find(`form[action="/password/reset/tok"]`), "method", "post")
	wantText(t, one(t, doc, "error-password_confirm"), "The two passwords differ.")
	wantAttr(t, doc.Find("input#password_confirm"), "aria-invalid", "true")
	wantNoAttr(t, doc.Find("input#password"), "aria-invalid")
	wantContains(t, doc.Find("section"), "This link works once, until 10 Mar 2026, 13:00 UTC.")
}

func TestAcceptInvitationNamesWhoInvitedThem(t *testing.T) {
	inv := &models.InvitationView{AccountName: "Northwind Traders", Email: "zoe@example.com", InviterName: "Wen Jensen",
		ExpiresAt: time.Date(2026, 3, 17, 12, 0, 0, 0, time.UTC)}
	doc := render(t, views.AcceptPage(views.AcceptView{Token: "tok", Invitation: inv, Name: "Zoe",
		Errors: map[string]string{"password": "Use at least 12 characters."}}))

	wantText(t, doc.Find("h1"), "Join Northwind Traders")
	wantContains(t, doc.Find("section"), "Wen Jensen invited you as zoe@example.com.", "This link works once, until 17 Mar 2026.")
	wantText(t, one(t, doc, "error-password"), "Use at least 12 characters.")
	wantAttr(t, doc.Find("input#password"), "aria-invalid", "true")
	wantAttr(t, doc.Find("input#name"), "value", "Zoe")
	wantText(t, one(t, doc, "accept"), "Join Northwind Traders")

	inv.InviterName = ""
	doc = render(t, views.AcceptPage(views.AcceptView{Token: "tok", Invitation: inv}))
	wantContains(t, doc.Find("section"), "You were invited as zoe@example.com.")
}
