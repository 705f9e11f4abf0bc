package views

import (
	"strconv"

	"roster/models"
)

// The console's addresses that pages link to, built in one place. The routes that answer them
// are declared in handlers/routes.go.
const (
	UsersPath = "/settings/users"
)

// UserHref is a user's profile.
func UserHref(id int64) string { return UsersPath + "/" + strconv.FormatInt(id, 10) }

// UserTransferHref is the page that transfers a user's account to someone else.
func UserTransferHref(id int64) string { return UserHref(id) + "/transfer" }

// DeleteUsersHref is the delete page for a selection of users.
func DeleteUsersHref(id int64) string { return UsersPath + "/delete?ids=" + strconv.FormatInt(id, 10) }

// deletionFixHref is where the fix for a refused deletion is made, or "" when nothing fixes it.
func deletionFixHref(r models.DeletionReason) string {
	switch r.Fix {
	case models.FixPromoteOwner:
		return UsersPath
	case models.FixTransfer:
		return UserTransferHref(r.UserID)
	case models.FixAnonymise:
		return DeleteUsersHref(r.UserID)
	}
	return ""
}

// SeatQuantityHref is where a plan's purchased seats are changed.
func SeatQuantityHref(planID int64) string {
	return "/settings/seats/plans/" + strconv.FormatInt(planID, 10) + "/quantity"
}

// The records page and what hangs off it.
const (
	RecordsPath         = "/settings/records"
	RecordsExportPath   = RecordsPath + "/export.csv"
	RecordsHandoverPath = RecordsPath + "/hand-over"
)

// OwnerRecordsHref is the records page filtered by one owner.
func OwnerRecordsHref(ownerID int64) string {
	return RecordsHref(RecordListState{Owner: strconv.FormatInt(ownerID, 10)})
}

// HandoverUndoHref is the page that undoes the hand-over an audit event recorded.
func HandoverUndoHref(eventID int64) string {
	return RecordsPath + "/undo/" + strconv.FormatInt(eventID, 10)
}

// OrphanedWorkPath is the report of work still held by people who have left.
const OrphanedWorkPath = "/settings/orphaned-work"

// OrphanedWorkHref is a page of the orphaned work report.
func OrphanedWorkHref(page int) string {
	if page <= 1 {
		return OrphanedWorkPath
	}
	return OrphanedWorkPath + "?page=" + strconv.Itoa(page)
}

// OrphanedHandoverHref is the form that hands one former user's work to someone chosen.
func OrphanedHandoverHref(id int64) string {
	return OrphanedWorkPath + "/" + strconv.FormatInt(id, 10) + "/hand-over"
}

// BulkActionPath takes the Actions menu's choices, for a selection or one row.
const BulkActionPath = UsersPath + "/actions"
