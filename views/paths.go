package views

import (
	"net/url"
	"strconv"

	"roster/models"
	"roster/routes"
)

// The console's addresses that pages link to, built from the route table in package routes: a
// link names its route and fills the route's parameters, so it cannot point where no route
// answers.

// Addresses without parameters that many pages link to.
var (
	HomePath            = routes.Path(routes.RouteHome)
	UsersPath           = routes.Path(routes.RouteUsers)
	BulkActionPath      = routes.Path(routes.RouteBulkAction) // the Actions menu's choices, for a selection or one row
	RecordsPath         = routes.Path(routes.RouteRecords)
	RecordsExportPath   = routes.Path(routes.RouteRecordsExport)
	RecordsHandoverPath = routes.Path(routes.RouteRecordsHandover)
	OrphanedWorkPath    = routes.Path(routes.RouteOrphanedWork) // work still held by people who have left
)

// UserHref is a user's profile.
func UserHref(id int64) string { return routes.Path(routes.RouteUserProfile, id) }

// UserTransferHref is the page that transfers a user's account to someone else.
func UserTransferHref(id int64) string { return routes.Path(routes.RouteTransfer, id) }

// SelectionHref is a page about a selection of users, given as the "ids" parameter ("1,2,3").
func SelectionHref(name, ids string) string { return routes.Path(name) + "?ids=" + ids }

// UserSelectionHref is a page about a selection of one user.
func UserSelectionHref(name string, id int64) string { return SelectionHref(name, itoa(id)) }

// DeleteUsersHref is the delete page for a selection of users.
func DeleteUsersHref(id int64) string { return UserSelectionHref(routes.RouteDelete, id) }

// UsersTabHref is the first page of a tab of the user list.
func UsersTabHref(status models.UserStatus) string {
	return ListHref(UserListState{Tab: string(status)})
}

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
func SeatQuantityHref(planID int64) string { return routes.Path(routes.RouteSeatQuantity, planID) }

// OwnerRecordsHref is the records page filtered by one owner.
func OwnerRecordsHref(ownerID int64) string {
	return RecordsHref(RecordListState{Owner: strconv.FormatInt(ownerID, 10)})
}

// HandoverUndoHref is the page that undoes the hand-over an audit event recorded.
func HandoverUndoHref(eventID int64) string { return routes.Path(routes.RouteHandoverUndo, eventID) }

// OrphanedWorkHref is a page of the orphaned work report.
func OrphanedWorkHref(page int) string {
	if page <= 1 {
		return OrphanedWorkPath
	}
	return OrphanedWorkPath + "?page=" + strconv.Itoa(page)
}

// OrphanedHandoverHref is the form that hands one former user's work to someone chosen.
func OrphanedHandoverHref(id int64) string { return routes.Path(routes.RouteOrphanedHandover, id) }

// GroupHref is a group's page.
func GroupHref(id int64) string { return routes.Path(routes.RouteGroup, id) }

// WebhookHref is an endpoint's page.
func WebhookHref(id int64) string { return routes.Path(routes.RouteWebhook, id) }

// LoginHref is the sign-in page with its parameters: where to go after signing in, and why the
// session ended.
func LoginHref(query url.Values) string { return withQuery(routes.Path(routes.RouteLogin), query) }
