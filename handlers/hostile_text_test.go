package handlers

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// hostileTexts are what a script can post where a person types: bytes that are not UTF-8
// (PostgreSQL refuses them with 22021), NUL (refused too), an escape and a right-to-left
// override.
var hostileTexts = map[string]string{
	"invalid UTF-8":      "Ada\xff\xfe",
	"NUL":                "Ada\x00Lovelace",
	"escape":             "Ada\x1b[31mLovelace",
	"right-to-left mark": "Ada \u202egnp.exe",
}

// Every free-text field of every form answers a hostile text with a message beside the field,
// never a 500, and every search or cursor with a page, on SQLite and PostgreSQL alike.
func TestHostileTextInEveryForm(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		app := newTestApp(t, store)
		acc := modelstest.NewAccount(t, store)
		member := addPerson(t, store, acc, "Mo Member", models.RoleMember, models.StatusActive)
		leaver := addPerson(t, store, acc, "Lee Leaver", models.RoleMember, models.StatusActive)
		former := addPerson(t, store, acc, "Fay Former", models.RoleMember, models.StatusInactive)
		var plan models.Plan
		store.DB().Where("account_id = ?", acc.Account.ID).Take(&plan)
		owner := app.newBrowser(t)
		owner.mustSignIn(acc.Owner.EmailAddress(), modelstest.Password)
		if res := owner.submit("/settings/groups", "/settings/groups", url.Values{"name": {"Hostile tests"}}); res.status != http.StatusSeeOther {
			t.Fatalf("create a group: status %d", res.status)
		}
		var group models.Group
		store.DB().Where("account_id = ? AND name = ?", acc.Account.ID, "Hostile tests").Take(&group)
		invitation := inviteFor(t, owner, store, plan.ID, "hostile-invitee-"+acc.Account.Name[5:]+"@example.com")

		type form struct {
			name          string
			page, action  string
			values        url.Values
			field         string // the form field the hostile text goes into
			messageBeside string // selects the message beside it
		}
		profile := fmt.Sprintf("/settings/users/%d", member.ID)
		forms := []form{
			{name: "own name", page: "/me", action: "/me", values: url.Values{"phone": {""}}, field: "name", messageBeside: "#name-error"},
			{name: "own phone", page: "/me", action: "/me", values: url.Values{"name": {"Olivia Owner"}}, field: "phone", messageBeside: "#phone-error"},
			{name: "privacy edit of a name", page: fmt.Sprintf("/settings/users/%d/privacy", former.ID), action: fmt.Sprintf("/settings/users/%d/privacy", former.ID), field: "name", messageBeside: "#name-error"},
			{name: "new group", page: "/settings/groups", action: "/settings/groups", field: "name", messageBeside: "#name-error"},
			{name: "group rename", page: fmt.Sprintf("/settings/groups/%d", group.ID), action: fmt.Sprintf("/settings/groups/%d/rename", group.ID), field: "name", messageBeside: "#name-error"},
			{name: "group members", page: fmt.Sprintf("/settings/groups/%d", group.ID), action: fmt.Sprintf("/settings/groups/%d/members", group.ID), field: "emails", messageBeside: "#emails-error"},
			{name: "new group's owner", page: "/settings/groups", action: "/settings/groups", values: url.Values{"name": {"Fine name"}}, field: "owner", messageBeside: "#owner-error"},
			{name: "impersonation reason", page: profile + "/impersonate", action: profile + "/impersonate", values: url.Values{"mode": {"act"}}, field: "reason", messageBeside: "#reason-error"},
			{name: "transfer reason", page: fmt.Sprintf("/settings/users/%d/transfer", leaver.ID), action: fmt.Sprintf("/settings/users/%d/transfer", leaver.ID),
				values: url.Values{"to": {fmt.Sprint(member.ID)}, "then": {models.TransferThens[0]}}, field: "reason", messageBeside: "#reason-error"},
			{name: "deactivation reason", page: "/settings/users", action: "/settings/users/deactivate",
				values: url.Values{"ids": {fmt.Sprint(leaver.ID)}, "step": {"confirm"}, "records_mode": {"keep"}}, field: "reason", messageBeside: "#reason-error"},
			{name: "seat quantity reason", page: fmt.Sprintf("/settings/seats/plans/%d/quantity", plan.ID), action: fmt.Sprintf("/settings/seats/plans/%d/quantity", plan.ID),
				values: url.Values{"quantity": {"12"}}, field: "reason", messageBeside: "#reason-error"},
			{name: "invitation addresses", page: "/settings/users/invite", action: "/settings/users/invite", values: url.Values{"plan": {fmt.Sprint(plan.ID)}, "role": {"member"}},
				field: "addresses", messageBeside: `#addresses-error, [data-testid="invite-problem"]`},
			{name: "forgotten password address", page: "/password/forgot", action: "/password/forgot", field: "email", messageBeside: "#email-error"},
			{name: "accepted invitation name", page: "/invitations/" + invitation, action: "/invitations/" + invitation,
				values: url.Values{"password": {"a long enough password"}, "password_confirm": {"a long enough password"}}, field: "name", messageBeside: "#name-error"},
		}
		for _, f := range forms {
			for kind, text := range hostileTexts {
				b := owner
				if strings.HasPrefix(f.action, "/password/") || strings.HasPrefix(f.action, "/invitations/") {
					b = app.newBrowser(t)
				}
				values := url.Values{}
				for k, v := range f.values {
					values[k] = v
				}
				values.Set(f.field, text)
				res := b.submit(f.page, f.action, values)
				if res.status >= 500 || res.status < 400 {
					t.Errorf("%s with %s: status %d, want a refusal", f.name, kind, res.status)
					continue
				}
				if msg := strings.TrimSpace(res.doc(t).Find(f.messageBeside).Text()); msg == "" {
					t.Errorf("%s with %s: status %d and no message beside the field", f.name, kind, res.status)
				}
			}
		}
		// Nothing hostile was stored on the way.
		var stored int64
		store.DB().Model(&models.User{}).Where("account_id = ? AND (name LIKE ? OR name LIKE ?)", acc.Account.ID, "%gnp.exe%", "%Lovelace%").Count(&stored)
		if stored != 0 {
			t.Errorf("%d users stored with a hostile name", stored)
		}

		// Sign-in refuses them like any wrong address, and searches and cursors show a page.
		for kind, text := range hostileTexts {
			res := app.newBrowser(t).signIn(text, text)
			if res.status != http.StatusUnauthorized {
				t.Errorf("sign-in with %s: status %d, want 401", kind, res.status)
			}
			cursor := base64URL(`{"k":"` + strings.ReplaceAll(text, "\x00", `\u0000`) + `","i":1}`)
			for _, path := range []string{
				"/settings/users?q=" + url.QueryEscape(text),
				"/settings/users?tab=invited&sort=email&q=" + url.QueryEscape(text),
				"/settings/users?after=" + cursor,
				"/settings/users?before=" + cursor + "&sort=email",
				"/settings/groups?q=" + url.QueryEscape(text),
				"/settings/groups?after=" + cursor,
				fmt.Sprintf("/settings/groups/%d?after=%s", group.ID, cursor),
				"/settings/audit?actor=" + url.QueryEscape(text) + "&target=" + url.QueryEscape(text) + "&action=" + url.QueryEscape(text),
				"/settings/users/export.csv?q=" + url.QueryEscape(text),
				"/settings/statistics?kind=" + url.QueryEscape(text),
			} {
				if res := owner.get(path); res.status != http.StatusOK {
					t.Errorf("GET %s: status %d, want 200", path, res.status)
				}
			}
		}
		// A search that held hostile characters says what was left out.
		if notice := owner.get("/settings/users?q=" + url.QueryEscape("Mo\xffMember")).body; !strings.Contains(notice, "left out of the search") {
			t.Error("no notice for a search with characters that are not text")
		}
	})
}

// inviteFor invites address through the invite form and returns the token of its link, as the
// invitee would read it in their e-mail.
func inviteFor(t *testing.T, b *browser, store *models.Store, planID int64, address string) string {
	t.Helper()
	res := b.submit("/settings/users/invite", "/settings/users/invite", url.Values{"addresses": {address}, "plan": {fmt.Sprint(planID)}, "role": {"member"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("invite %s: status %d", address, res.status)
	}
	var mail models.OutboxMessage
	if err := store.DB().Where("to_address = ?", address).Order("id DESC").Take(&mail).Error; err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`/invitations/([0-9a-f]{64})`).FindStringSubmatch(mail.ActionURL + " " + mail.Body)
	if token == nil {
		t.Fatalf("no invitation link in %q", mail.Body)
	}
	return token[1]
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
