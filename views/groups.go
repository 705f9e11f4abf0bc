package views

import (
	"net/url"

	"roster/models"
	"roster/routes"
)

// GroupListView is Settings > Groups: the groups the actor sees, a search and, for those who
// may, the form that creates one.
type GroupListView struct {
	Chrome
	Page    *models.GroupListPage
	Search  string
	Flashes []string
	Notices []string
	// CanCreate shows the create form; group administrators are told why they have none.
	CanCreate bool
	// Name and Owner are the create form's values, Errors its messages by field.
	Name   string
	Owner  string
	Errors map[string]string
}

// GroupView is one group's page with the forms the actor may use.
type GroupView struct {
	Chrome
	Detail  *models.GroupDetail
	Flashes []string
	// CanManage offers rename, removing members and transferring ownership.
	CanManage bool
	// ManagesAll offers adding members and deleting the group.
	ManagesAll bool
	// ActorOwns is true when the actor owns the group: handing it on takes it out of their view
	// unless they see every group.
	ActorOwns bool
	// Name and Emails are what was typed in the rename and add forms; Problems are the refused
	// addresses of an add, each with what is wrong with it.
	Name     string
	Emails   string
	Problems []models.InviteLine
	// Selected are the members ticked for removal when the form comes back with a message.
	Selected map[int64]bool
	Errors   map[string]string
	After    string
	Before   string
}

// groupsHref is the group list's address for a search and a position.
func groupsHref(search, after, before string) string {
	v := url.Values{}
	if search != "" {
		v.Set("q", search)
	}
	if after != "" {
		v.Set("after", after)
	}
	if before != "" {
		v.Set("before", before)
	}
	return withQuery(routes.Path(routes.RouteGroups), v)
}

func groupPageHref(id int64, after, before string) string {
	v := url.Values{}
	if after != "" {
		v.Set("after", after)
	}
	if before != "" {
		v.Set("before", before)
	}
	return withQuery(GroupHref(id), v)
}

func (v GroupView) isOwner(id int64) bool { return v.Detail.Group.OwnerID == id }

func memberCountText(n int64) string {
	if n == 1 {
		return "1 member"
	}
	return thousands(n) + " members"
}

func groupCountText(n int64, search string) string {
	noun := " groups"
	if n == 1 {
		noun = " group"
	}
	if search != "" {
		return thousands(n) + noun + " match “" + search + "”"
	}
	return thousands(n) + noun
}
