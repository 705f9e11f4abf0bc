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

// RecordsHref is the records page filtered to one owner's records.
func RecordsHref(owner int64) string {
	return "/settings/records?owner=" + strconv.FormatInt(owner, 10)
}

// BulkActionPath takes the Actions menu's choices, for a selection or one row.
const BulkActionPath = UsersPath + "/actions"
