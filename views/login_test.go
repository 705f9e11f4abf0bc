package views_test

import (
	"testing"

	"roster/views"
)

func TestLoginShowsTheErrorAndMarksTheAddress(t *testing.T) {
	doc := render(t, views.LoginPage(views.LoginForm{Email: "wen.jensen.3@northwind.example", Next: "/settings/users?tab=invited",
		Error: "That e-mail address and password do not match an active user.", CSRFToken: "csrf-visitor"}))

	msg := one(t, doc, "login-error")
	wantText(t, msg, "That e-mail address and password do not match an active user.")
	wantAttr(t, msg, "role", "alert")
	email := doc.Find("input#email")
	wantAttr(t, email, "value", "wen.jensen.3@northwind.example")
	wantAttr(t, email, "aria-invalid", "true")
	wantAttr(t, email, "aria-describedby", "login-error")
	// The password is never sent back.
	wantNoAttr(t, doc.Find("input#password"), "value")
}

func TestLoginCarriesTheNextPageAndTheCSRFToken(t *testing.T) {
	doc := render(t, views.LoginPage(views.LoginForm{Next: "/settings/users?tab=invited", CSRFToken: "csrf-visitor"}))

	form := doc.Find(`form[action="/login"]`)
	wantAttr(t, form, "method", "post")
	wantAttr(t, form.Find(`input[type=hidden][name=next]`), "value", "/settings/users?tab=invited")
	wantAttr(t, form.Find(`input[type=hidden][name=_csrf]`), "value", "csrf-visitor")
	wantAttr(t, one(t, doc, "forgot-password"), "href", "/password/forgot")
	wantText(t, doc.Find("title"), "Sign in · Roster")
}

func TestLoginWithoutAnErrorMarksNothing(t *testing.T) {
	doc := render(t, views.LoginPage(views.LoginForm{Next: "/", CSRFToken: "csrf-visitor", Notice: "You have signed out."}))

	absent(t, doc, "login-error")
	email := doc.Find("input#email")
	wantNoAttr(t, email, "aria-invalid")
	wantNoAttr(t, email, "aria-describedby")
	wantText(t, doc.Find(`p.notice[role="status"]`), "You have signed out.")
	if doc.Find("header.topbar, nav.sidenav").Length() != 0 {
		t.Error("the sign-in page shows the console's frame")
	}
}

func TestLoginEscapesWhatWasTyped(t *testing.T) {
	const typed = `"><script>alert(1)</script>`
	doc := render(t, views.LoginPage(views.LoginForm{Email: typed, Next: `/"><img src=x>`, Error: "Too many failed attempts. Wait 15 minutes and try again."}))
	if n := doc.Find("script, img").Length(); n != 0 {
		t.Errorf("what was typed became %d elements", n)
	}
	wantAttr(t, doc.Find("input#email"), "value", typed)
	wantAttr(t, doc.Find("input[name=next]"), "value", `/"><img src=x>`)
}
