package handlers

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"roster/models"
	"roster/models/modelstest"
)

// TestBrowserRolesGroupsImpersonation clicks through issue 6 in headless Chromium, with a
// screenshot of each step: a role change, a group administrator's restricted view, a group
// ownership transfer, "View as" on an inactive user with a write refused, "Act as" with a
// reason, the banner, stop, and the audit log naming both identities.
func TestBrowserRolesGroupsImpersonation(t *testing.T) {
	execPath := findChromium(t)
	artifacts := artifactsDir(t)

	eachDatabaseAtOnce(t, func(t *testing.T, store *models.Store) {
		db := filepath.Base(t.Name())
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		groupAdmin := addPerson(t, store, acc, "Gina Groupadmin", models.RoleGroupAdmin, models.StatusActive)
		support := addPerson(t, store, acc, "Sue Support", models.RoleSupport, models.StatusActive)
		mona := addPerson(t, store, acc, "Mona Member", models.RoleMember, models.StatusActive)
		max := addPerson(t, store, acc, "Max Member", models.RoleMember, models.StatusActive)
		otto := addPerson(t, store, acc, "Otto Outsider", models.RoleMember, models.StatusActive)
		ines := addPerson(t, store, acc, "Ines Inactive", models.RoleMember, models.StatusInactive)
		now := time.Now().UTC()
		group := models.Group{AccountID: acc.Account.ID, Name: "Field sales", OwnerID: groupAdmin.ID, CreatedAt: now}
		if err := store.DB().Create(&group).Error; err != nil {
			t.Fatal(err)
		}
		for _, m := range []*models.User{groupAdmin, mona, max} {
			if err := store.DB().Create(&models.GroupMember{GroupID: group.ID, UserID: m.ID, AccountID: acc.Account.ID, CreatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		profile := func(u *models.User) string { return "/settings/users/" + strconv.FormatInt(u.ID, 10) }

		ctx := startBrowser(t, execPath)
		u := &browserUser{t: t, ctx: ctx, base: app.URL, shots: artifacts, db: db}
		signInAs := func(email string) { t.Helper(); u.signIn(email, modelstest.Password) }
		// Each stretch between two sign-ins must leave the browser console clean.
		var console func() []chromedp.ConsoleMessage
		watch := func() { console = collectConsoleErrors(ctx) }
		clean := func(stretch string) {
			t.Helper()
			if errs := console(); len(errs) > 0 {
				t.Fatalf("console errors while %s: %+v", stretch, errs)
			}
		}
		signOut := func(stretch string) { t.Helper(); clean(stretch); u.signOut() }
		text := func(selector string) string {
			t.Helper()
			return evaluate[string](u, `document.querySelector('`+selector+`')?.innerText ?? ''`)
		}

		// The owner makes Otto a manager.
		signInAs(acc.Owner.EmailAddress())
		watch()
		u.navigate(profile(otto))
		if status := u.clickAndLoad(`[data-testid="action-change-role"]`); status != http.StatusOK {
			t.Fatalf("open change role: %d", status)
		}
		u.click(`[data-testid="role-manager"]`)
		u.screenshot("roles-01-change-role")
		if status := u.clickAndLoad(`[data-testid="confirm-change-role"]`); status != http.StatusOK {
			t.Fatalf("change role: %d", status)
		}
		if flash := text(`[data-testid="flash"]`); !strings.Contains(flash, "to Manager") {
			t.Fatalf("flash after the role change: %q", flash)
		}
		u.screenshot("roles-02-role-changed")
		var changed models.User
		if err := store.DB().Take(&changed, otto.ID).Error; err != nil || changed.Role != models.RoleManager {
			t.Fatalf("Otto's role after the change: %q (%v)", changed.Role, err)
		}
		signOut("changing a role")

		// The group administrator sees only the members of their group, then hands it to Max.
		signInAs(groupAdmin.EmailAddress())
		watch()
		u.navigate("/settings/users")
		list := text(`[data-testid="user-table"]`)
		if !strings.Contains(list, "Mona Member") || !strings.Contains(list, "Max Member") || strings.Contains(list, "Otto Outsider") {
			t.Fatalf("the group administrator's list: %q", list)
		}
		if n := evaluate[int](u, `document.querySelectorAll('[data-testid="invite-button"]').length`); n != 0 {
			t.Fatal("a group administrator is offered invitations")
		}
		u.screenshot("roles-03-group-admin-restricted")
		u.navigate("/settings/groups/" + strconv.FormatInt(group.ID, 10))
		u.screenshot("roles-04-group-page")
		if status := u.clickAndLoad(`[data-testid="make-owner"][value="` + strconv.FormatInt(max.ID, 10) + `"]`); status != http.StatusOK {
			t.Fatalf("transfer ownership: %d", status)
		}
		if flash := text(`[data-testid="flash"]`); !strings.Contains(flash, "new owner") {
			t.Fatalf("flash after the transfer: %q", flash)
		}
		u.screenshot("roles-05-group-transferred")
		var g models.Group
		store.DB().Take(&g, group.ID)
		if g.OwnerID != max.ID {
			t.Fatalf("group owner %d, want Max (%d)", g.OwnerID, max.ID)
		}
		signOut("handing the group on")

		// Support views Ines, who is inactive: a banner, and a write refused.
		signInAs(support.EmailAddress())
		watch()
		u.navigate(profile(ines))
		if status := u.clickAndLoad(`[data-testid="action-impersonate"]`); status != http.StatusOK {
			t.Fatalf("open impersonate: %d", status)
		}
		u.screenshot("roles-06-impersonate-form")
		if status := u.clickAndLoad(`[data-testid="start-impersonation"]`); status != http.StatusOK {
			t.Fatalf("start view as: %d", status)
		}
		banner := text(`[data-testid="impersonation-banner"]`)
		if !strings.Contains(banner, "Sue Support") || !strings.Contains(banner, "viewing as") || !strings.Contains(banner, "Ines Inactive") {
			t.Fatalf("banner: %q", banner)
		}
		u.screenshot("roles-07-view-as-banner")
		u.do(chromedp.SetValue(chromedp.CSS(`#own-phone`), "+1 555 0100"))
		// Buttons that would change something are disabled and say why; stopping is not.
		saveState := evaluate[struct {
			Disabled bool   `json:"disabled"`
			Title    string `json:"title"`
			Stop     bool   `json:"stop"`
		}](u, `({disabled: document.querySelector('[data-testid="save-own-details"]').disabled,
			title: document.querySelector('[data-testid="save-own-details"]').title,
			stop: document.querySelector('[data-testid="stop-impersonation"]').disabled})`)
		if !saveState.Disabled || saveState.Title != "Read-only while viewing as another user" || saveState.Stop {
			t.Fatalf("under view as: save disabled %v (%q), stop disabled %v", saveState.Disabled, saveState.Title, saveState.Stop)
		}
		// The server refuses the write even when the button is forced.
		evaluate[bool](u, `(document.querySelector('[data-testid="save-own-details"]').disabled = false, true)`)
		if status := u.clickAndLoad(`[data-testid="save-own-details"]`); status != http.StatusForbidden {
			t.Fatalf("a write under view as: %d, want 403", status)
		}
		if msg := text(`[data-testid="error-message"]`); !strings.Contains(msg, "read-only") {
			t.Fatalf("refusal message %q", msg)
		}
		u.screenshot("roles-08-view-as-write-refused")
		// The browser logs the refusal's 403 itself; from here on, nothing may be logged.
		console()
		watch()
		if status := u.clickAndLoad(`[data-testid="stop-impersonation"]`); status != http.StatusOK {
			t.Fatalf("stop: %d", status)
		}
		u.screenshot("roles-09-stopped")

		// Support acts as Mona with a reason and fixes her phone number.
		u.navigate(profile(mona) + "/impersonate")
		u.click(`[data-testid="mode-act"]`)
		u.typeInto(`[data-testid="impersonate-reason"]`, "Ticket 4711: phone number wrong")
		if status := u.clickAndLoad(`[data-testid="start-impersonation"]`); status != http.StatusOK {
			t.Fatalf("start act as: %d", status)
		}
		u.do(chromedp.SetValue(chromedp.CSS(`#own-phone`), "+44 20 7946 0001"))
		if status := u.clickAndLoad(`[data-testid="save-own-details"]`); status != http.StatusOK {
			t.Fatalf("a write under act as: %d", status)
		}
		if banner := text(`[data-testid="impersonation-banner"]`); !strings.Contains(banner, "acting as") {
			t.Fatalf("banner under act as: %q", banner)
		}
		u.screenshot("roles-10-act-as-saved")
		if status := u.clickAndLoad(`[data-testid="stop-impersonation"]`); status != http.StatusOK {
			t.Fatalf("stop: %d", status)
		}
		var saved models.User
		if err := store.DB().Take(&saved, mona.ID).Error; err != nil || saved.Phone != "+44 20 7946 0001" {
			t.Fatalf("Mona's phone after act as: %q (%v)", saved.Phone, err)
		}
		signOut("acting as Mona")

		// Mona herself changes her password on her home page and ends her other sessions.
		signInAs(mona.EmailAddress())
		watch()
		u.navigate("/me")
		u.typeInto("#current-password", modelstest.Password)
		u.typeInto("#new-password", "correct horse battery staple")
		if status := u.clickAndLoad(`[data-testid="own-password-form"] button[type="submit"]`); status != http.StatusOK {
			t.Fatalf("change password: %d", status)
		}
		if flash := text(`[data-testid="flash"]`); !strings.Contains(flash, "Changed your password") {
			t.Fatalf("flash after the password change: %q", flash)
		}
		if status := u.clickAndLoad(`[data-testid="sign-out-elsewhere"]`); status != http.StatusOK {
			t.Fatalf("sign out elsewhere: %d", status)
		}
		u.screenshot("roles-11-own-page")
		signOut("changing one's own password")
		u.signIn(mona.EmailAddress(), "correct horse battery staple")
		u.signOut()

		// The owner reads the audit log: Mona's change names Sue as the one who really made it.
		signInAs(acc.Owner.EmailAddress())
		watch()
		u.navigate("/settings/audit")
		log := text(`[data-testid="audit-table"]`)
		for _, want := range []string{"Sue Support", "Mona Member", "Ines Inactive", "Gina Groupadmin", "Otto Outsider"} {
			if !strings.Contains(log, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
		// Mona's phone change: Sue did it, acting as Mona.
		row := evaluate[map[string]string](u, `(() => {
			const row = [...document.querySelectorAll('[data-testid="audit-row"]')]
				.find(r => r.querySelector('[data-testid="audit-action"]')?.title === 'user.details_changed');
			return {real: row?.querySelector('[data-testid="audit-real-actor"]')?.innerText ?? '',
				actor: row?.querySelector('[data-testid="audit-actor"]')?.innerText ?? ''};
		})()`)
		if !strings.Contains(row["real"], "Sue Support") || !strings.Contains(row["actor"], "Mona Member") {
			t.Fatalf("the act-as change in the log: real actor %q, actor %q", row["real"], row["actor"])
		}
		u.screenshot("roles-12-audit-log")
		clean("reading the audit log")
	})
}
