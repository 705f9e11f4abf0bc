package views_test

import (
	"testing"

	"roster/models"
	"roster/views"
)

func transferView(status models.UserStatus) views.TransferView {
	return views.TransferView{
		Chrome: adminChrome("Transfer account: Ben Hansen", views.SectionUsers),
		Impact: models.UserImpact{
			User:         models.User{ID: 21, Name: "Ben Hansen", Email: ptr("ben@example.com"), Role: models.RoleManager, Status: status},
			Records:      []models.RecordCount{{Kind: "deal", Open: 3, Closed: 1}, {Kind: "lead", Open: 1000, Closed: 200}},
			OwnedGroups:  []models.Group{{ID: 11, Name: "Sales"}, {ID: 12, Name: "Support"}},
			ManagedUsers: 1,
		},
		Recipients: recipients(),
		Form:       views.TransferForm{Then: "leave"},
		Errors:     map[string]string{},
		GraceDays:  30,
		DueAt:      deletionDue,
	}
}

func TestTransferShowsWhatMovesToTheRecipient(t *testing.T) {
	doc := render(t, views.TransferPage(transferView(models.StatusActive)))

	wantText(t, doc.Find("h1"), "Transfer Ben Hansen’s account")
	wantText(t, one(t, doc, "transfer-records"), "1,204")
	wantText(t, one(t, doc, "transfer-groups"), "2")
	wantText(t, one(t, doc, "transfer-managed"), "1")
	wantText(t, one(t, doc, "transfer-role"), "Manager")
	kinds := one(t, doc, "transfer-records-table").Find("tbody tr")
	wantTexts(t, kinds.First().Children(), "Deals", "3", "1", "4")
	wantTexts(t, kinds.Eq(1).Children(), "Leads", "1,000", "200", "1,200")
	wantTexts(t, doc.Find("ul.summary-list li"),
		"Every record, open and closed, gets the new owner, with a line in its ownership history.",
		"2 groups get the recipient as owner, who joins as a member: Sales, Support",
		"1 person gets the new manager.",
		"Ben Hansen becomes a member; the recipient becomes Manager unless their role already carries as many rights.")
}

func TestTransferListsRecipientsWithTheirRoles(t *testing.T) {
	v := transferView(models.StatusActive)
	v.Recipients = append(v.Recipients, models.Recipient{ID: 30, Name: "Ivy Chen", Email: "ivy@example.com", Role: models.RoleMember})
	v.Form.To = "8"
	doc := render(t, views.TransferPage(v))

	to := one(t, doc, "transfer-to")
	wantTexts(t, to.Find("option"), "Choose someone",
		"Wen Jensen (wen.jensen.2@northwind.example) · Admin",
		"Finn Garcia (finn.garcia.8@northwind.example) · Group administrator",
		"Ivy Chen (ivy@example.com)")
	wantAttr(t, to.Find("option[selected]"), "value", "8")
	wantAttr(t, one(t, doc, "transfer-form"), "action", "/settings/users/21/transfer")
}

func TestTransferOffersWhatBecomesOfThemByStatus(t *testing.T) {
	t.Run("active", func(t *testing.T) {
		doc := render(t, views.TransferPage(transferView(models.StatusActive)))
		one(t, doc, "then-deactivate")
		absent(t, doc, "then-inactive")
		wantText(t, one(t, doc, "then-leave").Parent(), "Leave them as they are: active, as a member who owns nothing")
		wantAttr(t, one(t, doc, "then-leave"), "checked", "")
		wantContains(t, one(t, doc, "outcome-then-delete").Find("p.hint").First(), "They are deactivated now.")
	})
	t.Run("inactive", func(t *testing.T) {
		doc := render(t, views.TransferPage(transferView(models.StatusInactive)))
		absent(t, doc, "then-deactivate")
		wantText(t, one(t, doc, "then-inactive"), "They are inactive and stay inactive unless you delete them.")
		wantText(t, one(t, doc, "then-leave").Parent(), "Leave them as they are: inactive, as a member who owns nothing")
		hint := text(one(t, doc, "outcome-then-delete").Find("p.hint").First())
		if hint != "Until the deletion is carried out they stay inactive, listed as scheduled for deletion, and “Undo delete” brings them back." {
			t.Errorf("delete hint for an inactive user = %q", hint)
		}
	})
}

func TestTransferSaysWhenTheDeletionWouldHappen(t *testing.T) {
	tests := []struct {
		grace int
		want  string
	}{
		{30, "Delete them after the grace period (30 days, on 9 Apr 2026)"},
		{0, "Delete them: this account has no grace period, so the deletion is carried out at once"},
	}
	for _, tt := range tests {
		v := transferView(models.StatusActive)
		v.GraceDays = tt.grace
		doc := render(t, views.TransferPage(v))
		wantText(t, one(t, doc, "then-delete").Parent(), tt.want)
	}

	doc := render(t, views.TransferPage(transferView(models.StatusActive)))
	// A transfer never removes a user outright: their records keep pointing at them.
	absent(t, doc, "transfer-mode-remove")
	one(t, doc, "transfer-mode-anonymise")
	one(t, doc, "transfer-mode-with_history")
}

func TestTransferShowsEachErrorBesideItsField(t *testing.T) {
	v := transferView(models.StatusActive)
	v.Form = views.TransferForm{Then: "delete", Reason: "x"}
	v.Errors = map[string]string{
		"to":     "Choose who receives everything.",
		"mode":   "Choose what deleting them does.",
		"reason": "Keep the reason under 500 characters.",
	}
	doc := render(t, views.TransferPage(v))

	to := one(t, doc, "transfer-to")
	wantAttr(t, to, "aria-invalid", "true")
	wantAttr(t, to, "aria-describedby", "to-hint to-error")
	wantText(t, one(t, doc, "error-to"), "Choose who receives everything.")
	if !to.Closest(".field").HasClass("has-error") {
		t.Error("the recipient field is not marked as in error")
	}

	mode := one(t, doc, "error-mode")
	wantText(t, mode, "Choose what deleting them does.")
	wantAttr(t, mode.Closest("fieldset"), "aria-describedby", "mode-error")

	reason := doc.Find("textarea#reason")
	wantAttr(t, reason, "aria-invalid", "true")
	wantAttr(t, reason, "aria-describedby", "reason-error")
	wantText(t, one(t, doc, "error-reason"), "Keep the reason under 500 characters.")
	wantAttr(t, one(t, doc, "then-delete"), "checked", "")
}

func TestTransferExplainsARefusalInsteadOfTheForm(t *testing.T) {
	v := transferView(models.StatusActive)
	v.Refusal = "Ben Hansen is the last owner of the account: make someone else an owner first."
	doc := render(t, views.TransferPage(v))

	refusal := one(t, doc, "transfer-refusal")
	wantAttr(t, refusal, "role", "alert")
	wantText(t, refusal, "Nothing was changed. Ben Hansen is the last owner of the account: make someone else an owner first.")
	absent(t, doc, "transfer-form")
	absent(t, doc, "transfer-confirm")
	wantAttr(t, doc.Find(`a.btn:contains("Back to the profile")`), "href", "/settings/users/21")
}
