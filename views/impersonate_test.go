package views_test

import (
	"testing"

	"roster/models"
	"roster/views"
)

func impersonateView() views.ImpersonateView {
	return views.ImpersonateView{
		Chrome:  adminChrome("Impersonate", views.SectionUsers),
		Target:  models.User{ID: 21, Name: "Ben Hansen", Role: models.RoleMember, Status: models.StatusActive},
		Minutes: 30,
		Errors:  map[string]string{},
	}
}

func TestImpersonateOffersViewAsAndActAs(t *testing.T) {
	doc := render(t, views.ImpersonatePage(impersonateView()))

	wantText(t, doc.Find("h1"), "See Roster as Ben Hansen")
	wantContains(t, doc.Find("p.lede"), "For 30 minutes you see what Ben Hansen sees.")
	form := one(t, doc, "impersonate-form")
	wantAttr(t, form, "action", "/settings/users/21/impersonate")
	// View as is the safe default.
	wantAttr(t, one(t, doc, "mode-view"), "checked", "")
	wantNoAttr(t, one(t, doc, "mode-act"), "checked")
	wantText(t, one(t, doc, "mode-act").Closest(".option").Find(".hint"), "Changes are allowed and recorded with both names. Needs a reason.")
	one(t, doc, "start-impersonation")
	absent(t, doc, "impersonation-refused")
}

func TestImpersonateExplainsARefusalInsteadOfTheForm(t *testing.T) {
	v := impersonateView()
	v.Refusal = "You cannot impersonate Ben Hansen: they have the same or more rights than you."
	doc := render(t, views.ImpersonatePage(v))

	refused := one(t, doc, "impersonation-refused")
	wantAttr(t, refused, "role", "alert")
	wantText(t, refused, v.Refusal)
	absent(t, doc, "impersonate-form")
	absent(t, doc, "start-impersonation")
}

func TestImpersonateKeepsActAsAndShowsTheReasonError(t *testing.T) {
	v := impersonateView()
	v.Mode = "act"
	v.Errors = map[string]string{"reason": "Act as needs a reason."}
	doc := render(t, views.ImpersonatePage(v))

	wantAttr(t, one(t, doc, "mode-act"), "checked", "")
	wantText(t, one(t, doc, "error-reason"), "Act as needs a reason.")
	wantAttr(t, one(t, doc, "impersonate-reason"), "aria-describedby", "reason-error")
}

func TestHomeLocksPasswordAndSessionsWhileImpersonated(t *testing.T) {
	p := profileOf(models.StatusActive)
	v := views.HomeView{Chrome: adminChrome("Home", views.SectionHome), Profile: p, Name: p.User.Name, Phone: p.User.Phone}

	doc := render(t, views.HomePage(v))
	one(t, doc, "own-password-form")
	one(t, doc, "sign-out-elsewhere")
	absent(t, doc, "security-locked")

	v.Impersonated = true
	v.Impersonation = &views.ImpersonationBanner{RealName: "Wen Jensen", AsName: "Ada Lovelace", EndsAt: testNow, MinutesLeft: 10}
	doc = render(t, views.HomePage(v))
	wantText(t, one(t, doc, "security-locked"), "Someone impersonating Ada Lovelace cannot change their password or end their sessions.")
	absent(t, doc, "own-password-form")
	absent(t, doc, "sign-out-elsewhere")
	one(t, doc, "impersonation-banner")
}
