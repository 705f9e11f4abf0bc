package views_test

import (
	"testing"
	"time"

	"roster/models"
	"roster/views"
)

var deletionDue = time.Date(2026, 4, 9, 12, 0, 0, 0, time.UTC)

func inactiveUser(id int64, name string) models.User {
	return models.User{ID: id, Name: name, Email: ptr("someone@example.com"), Role: models.RoleMember, Status: models.StatusInactive}
}

// deleteViewFor is the delete page of one inactive user whose outcomes are refused as given.
func deleteViewFor(refused map[models.DeletionMode][]models.DeletionReason) views.DeleteView {
	u := inactiveUser(21, "Ben Hansen")
	return views.DeleteView{
		Chrome:    adminChrome("Delete users", views.SectionUsers),
		IDs:       "21",
		Users:     []models.User{u},
		Options:   &models.DeletionOptions{User: u, GraceDays: 30, DueAt: deletionDue, Refused: refused},
		GraceDays: 30,
		DueAt:     deletionDue,
		Errors:    map[string]string{},
	}
}

var ownsRecords = models.DeletionReason{Message: "Owns 14 records: transfer them, or anonymise instead.",
	Fix: models.FixTransfer, FixLabel: "Transfer their records", UserID: 21}

func TestDeleteGreysOutRefusedOutcomesWithReasonsAndFixLinks(t *testing.T) {
	doc := render(t, views.DeletePage(deleteViewFor(map[models.DeletionMode][]models.DeletionReason{
		models.DeleteRemove: {ownsRecords, {Message: "Has history (records created, ownership changes, activity or actions on others): anonymise instead.",
			Fix: models.FixAnonymise, FixLabel: "Anonymise instead", UserID: 21}},
	})))

	for _, mode := range []string{"anonymise", "with_history"} {
		wantNoAttr(t, one(t, doc, "mode-"+mode), "disabled")
		if one(t, doc, "outcome-"+mode).HasClass("option-disabled") {
			t.Errorf("%s is allowed but greyed out", mode)
		}
		absent(t, doc, "reasons-"+mode)
	}
	remove := one(t, doc, "outcome-remove")
	if !remove.HasClass("option-disabled") {
		t.Error("Remove is refused but not greyed out")
	}
	wantAttr(t, one(t, doc, "mode-remove"), "disabled", "")
	reasons := one(t, doc, "reasons-remove").Find("li")
	wantTexts(t, reasons,
		"Owns 14 records: transfer them, or anonymise instead. Transfer their records",
		"Has history (records created, ownership changes, activity or actions on others): anonymise instead. Anonymise instead")
	wantAttr(t, reasons.First().Find("a"), "href", "/settings/users/21/transfer")
	wantAttr(t, reasons.Eq(1).Find("a"), "href", "/settings/users/delete?ids=21")
	wantText(t, one(t, doc, "confirm-delete"), "Delete")
}

func TestDeleteOffersNoDeleteButtonWhenEveryOutcomeIsRefused(t *testing.T) {
	lastOwner := models.DeletionReason{Message: "Is the last owner of the account: make someone else an owner first.",
		Fix: models.FixPromoteOwner, FixLabel: "See the active users", UserID: 21}
	noFix := models.DeletionReason{Message: "Already scheduled for deletion."}
	doc := render(t, views.DeletePage(deleteViewFor(map[models.DeletionMode][]models.DeletionReason{
		models.DeleteAnonymise: {lastOwner}, models.DeleteWithHistory: {lastOwner}, models.DeleteRemove: {lastOwner, noFix},
	})))

	absent(t, doc, "confirm-delete")
	if n := doc.Find(`input[name=mode]:not([disabled])`).Length(); n != 0 {
		t.Errorf("%d outcomes can still be chosen", n)
	}
	// A reason that no page fixes has no link.
	noLink := one(t, doc, "reasons-remove").Find("li").Eq(1)
	wantText(t, noLink, "Already scheduled for deletion.")
	if noLink.Find("a").Length() != 0 {
		t.Error("a reason without a fix has a link")
	}
	wantAttr(t, doc.Find(`.form-actions a.btn`), "href", "/settings/users/21")
}

func TestDeleteExplainsTheGracePeriod(t *testing.T) {
	tests := []struct {
		name  string
		grace int
		want  string
	}{
		{"thirty days", 30, "The deletion waits 30 days: they are deleted on 9 Apr 2026 unless undone. Until then they stay inactive, listed as scheduled for deletion, and “Undo delete” brings them back. After that it cannot be undone."},
		{"one day", 1, "The deletion waits 1 day: they are deleted on 9 Apr 2026 unless undone. Until then they stay inactive, listed as scheduled for deletion, and “Undo delete” brings them back. After that it cannot be undone."},
		{"none", 0, "This account has no grace period: the deletion is carried out at once and cannot be undone."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := deleteViewFor(nil)
			v.GraceDays = tt.grace
			wantText(t, one(t, render(t, views.DeletePage(v)), "delete-grace"), tt.want)
		})
	}
}

func TestDeleteOfSeveralUsersAppliesOneOutcomeToAll(t *testing.T) {
	v := views.DeleteView{
		Chrome: adminChrome("Delete users", views.SectionUsers),
		IDs:    "21,22,23",
		Users:  []models.User{inactiveUser(21, "Ben Hansen"), inactiveUser(22, "Chloe Xu"), inactiveUser(23, "Dan Wu")},
		Mode:   string(models.DeleteWithHistory), GraceDays: 30, DueAt: deletionDue,
		Errors: map[string]string{"mode": "Choose what deleting them does."},
	}
	doc := render(t, views.DeletePage(v))

	wantText(t, doc.Find("h1"), "Delete 3 users")
	wantText(t, one(t, doc, "delete-selection"),
		"The chosen outcome applies to all 3 selected users. If it is not allowed for any of them, nothing changes and you see why, person by person.")
	wantAttr(t, one(t, doc, "delete-form").Find("input[name=ids]"), "value", "21,22,23")
	wantAttr(t, one(t, doc, "mode-with_history"), "checked", "")
	wantNoAttr(t, one(t, doc, "mode-anonymise"), "checked")
	wantText(t, one(t, doc, "error-mode"), "Choose what deleting them does.")
	one(t, doc, "confirm-delete")
	wantAttr(t, doc.Find(`.form-actions a.btn`), "href", "/settings/users?tab=inactive")

	single := render(t, views.DeletePage(deleteViewFor(nil)))
	absent(t, single, "delete-selection")
	wantText(t, single.Find("h1"), "Delete Ben Hansen")
}
