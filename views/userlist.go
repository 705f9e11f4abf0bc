package views

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"roster/models"
	"roster/routes"
)

// UserListState is the list's position as it appears in the URL; every link and form of the
// list is built from it, so each state has its own address.
type UserListState struct {
	Tab   string
	Q     string
	Role  string
	Plan  string
	Group string
	// Leaving is "1" to list only users with a leave date.
	Leaving string
	Sort    string
	Dir     string
	After   string
	Before  string
}

// UserListView is the user list page: its state, the page of rows and the filter choices.
type UserListView struct {
	Chrome
	State  UserListState
	Page   *models.UserListPage
	Plans  []models.Plan
	Groups []models.Group
	// MoreGroups says Groups holds only the chosen group, and the filter loads the rest on demand.
	MoreGroups bool
	// Notices explain parameters that were adjusted, e.g. a search term cut to length.
	Notices []string
	// Flashes report the outcome of the action that led here.
	Flashes []Flash
	// CanManage shows selection and bulk actions.
	CanManage bool
	// CanInvite offers inviting people and handling invitations; CanChangeRoles the role change.
	CanInvite      bool
	CanChangeRoles bool
	// CanImpersonate offers View as in each row's menu.
	CanImpersonate bool
	// ReachNote tells a group administrator or manager whom the list is limited to.
	ReachNote string
}

// BulkAction is one entry of the Actions menu.
type BulkAction struct{ Value, Label string }

// bulkActions are the actions that apply to a tab's users and that this viewer may take.
func (v UserListView) bulkActions() []BulkAction {
	var actions []BulkAction
	switch v.State.Tab {
	case "inactive":
		actions = []BulkAction{{"reactivate", "Reactivate"}, {"delete", "Delete…"}, {"undo_delete", "Undo delete"}, {"change_plan", "Change plan…"}}
	case "invited":
		if v.CanInvite {
			actions = []BulkAction{{"remind", "Remind"}, {"revoke", "Revoke invitation"}}
		}
		actions = append(actions, BulkAction{"change_plan", "Change plan…"})
	default:
		actions = []BulkAction{{"deactivate", "Deactivate…"}, {"reset_password", "Reset password"}, {"change_plan", "Change plan…"}}
	}
	if v.CanChangeRoles {
		actions = append(actions, BulkAction{"change_role", "Change role…"})
	}
	return actions
}

// rowMenuViewAs is the row menu's View as entry, a link rather than an action of the list.
const rowMenuViewAs = "view_as"

// hasRowMenu tells whether rows get a "⋯" menu: something applies to someone.
func (v UserListView) hasRowMenu() bool { return v.CanManage || v.CanImpersonate }

// rowActions are the row menu's choices for one person, space-separated: the tab's bulk actions
// that fit their status (models.ActionsFor decides), change role, then View as.
func (v UserListView) rowActions(row models.UserRow) string {
	tab := v.State.Tab
	if tab != "inactive" && tab != "invited" {
		tab = "" // every other value shows the Active tab's actions; keep the keys few
	}
	key := rowMenuKey{tab, v.CanManage, v.CanImpersonate, v.CanInvite, v.CanChangeRoles, row.Status, row.DeletionDueAt != nil}
	if acts, ok := rowMenus.Load(key); ok {
		return acts.(string)
	}
	acts := v.fittingRowActions(row)
	rowMenus.Store(key, acts)
	return acts
}

// rowMenuKey is everything a row menu's choices depend on. A page asks for them three times a
// row; they are worked out once per kind of row and kept, since there are only a few dozen kinds.
type rowMenuKey struct {
	tab                                string
	manage, impersonate, invite, roles bool
	status                             models.UserStatus
	deletionScheduled                  bool
}

var rowMenus sync.Map // rowMenuKey → string

func (v UserListView) fittingRowActions(row models.UserRow) string {
	var acts []string
	if v.CanManage {
		fits := map[string]bool{"change_role": true}
		for _, a := range models.ActionsFor(&models.User{Status: row.Status, DeletionDueAt: row.DeletionDueAt}) {
			fits[string(a)] = true
		}
		for _, a := range v.bulkActions() {
			if fits[a.Value] {
				acts = append(acts, a.Value)
			}
		}
	}
	if v.CanImpersonate && row.Status != models.StatusInvited {
		acts = append(acts, rowMenuViewAs)
	}
	return strings.Join(acts, " ")
}

// tabActions are the row menu's entries for someone on this tab in the usual state; rows that
// differ, such as those scheduled for deletion, name their own.
func (v UserListView) tabActions() string {
	status := models.StatusActive
	switch v.State.Tab {
	case "inactive":
		status = models.StatusInactive
	case "invited":
		status = models.StatusInvited
	}
	return v.rowActions(models.UserRow{Status: status})
}

// rowMenuItems are every entry the shared row menu can show in this tab; each row's button says
// which of them apply.
func (v UserListView) rowMenuItems() []BulkAction {
	var items []BulkAction
	if v.CanManage {
		items = v.bulkActions()
	}
	return items
}

func matchVerb(n int64) string {
	if n == 1 {
		return "matches"
	}
	return "match"
}

// expiryText says when an invitation expires, or that it has.
func expiryText(t *time.Time) string {
	d := t.Sub(Now())
	switch {
	case d <= 0:
		return "Expired"
	case d < 24*time.Hour:
		return "in " + models.Count(int((d+time.Hour-1)/time.Hour), "hour", "hours")
	}
	// Rounded up: a link sent a moment ago for 7 days expires "in 7 days".
	return "in " + models.Count(int((d+24*time.Hour-time.Minute)/(24*time.Hour)), "day", "days")
}

// href is the list's URL for this state.
func (s UserListState) href() string { return withQuery(UsersPath, s.query()) }

// exportHref downloads the whole tab as CSV, with the same filters and order; pages do not
// apply to a download, so the cursors are left out.
func (s UserListState) exportHref() string {
	s.After, s.Before = "", ""
	return withQuery(routes.Path(routes.RouteUsersExport), s.query())
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// query is the state as URL parameters; defaults are left out to keep links short.
func (s UserListState) query() url.Values {
	v := url.Values{}
	set := func(key, value, def string) {
		if value != "" && value != def {
			v.Set(key, value)
		}
	}
	set("tab", s.Tab, "active")
	set("q", s.Q, "")
	set("role", s.Role, "")
	set("plan", s.Plan, "")
	set("group", s.Group, "")
	set("leaving", s.Leaving, "")
	set("sort", s.Sort, "name")
	set("dir", s.Dir, "asc")
	set("after", s.After, "")
	set("before", s.Before, "")
	return v
}

// withTab is the first page of another tab under the same filters.
func (s UserListState) withTab(tab string) string {
	s.Tab, s.After, s.Before = tab, "", ""
	return s.href()
}

// withSort orders by column, flipping the direction when it is already the column.
func (s UserListState) withSort(column string) string {
	dir := "asc"
	if s.Sort == column && s.Dir != "desc" {
		dir = "desc"
	}
	s.Sort, s.Dir, s.After, s.Before = column, dir, "", ""
	return s.href()
}

func (s UserListState) sortIndicator(column string) string {
	if s.Sort != column {
		return "none"
	}
	if s.Dir == "desc" {
		return "descending"
	}
	return "ascending"
}

// nameOrEmailSort is aria-sort for the header that holds both the name and the e-mail sort.
func (s UserListState) nameOrEmailSort() string {
	if s.Sort == "email" {
		return s.sortIndicator("email")
	}
	return s.sortIndicator("name")
}

func (s UserListState) withCursor(after, before string) string {
	s.After, s.Before = after, before
	return s.href()
}

func (s UserListState) cleared() string {
	return UserListState{Tab: s.Tab}.href()
}

func (s UserListState) filtered() bool {
	return s.Q != "" || s.Role != "" || s.Plan != "" || s.Group != "" || s.Leaving != ""
}

var tabLabels = map[string]string{"active": "Active", "inactive": "Inactive", "invited": "Invited"}

func tabLabel(tab string) string { return tabLabels[tab] }

func planValue(p models.Plan) string { return strconv.FormatInt(p.ID, 10) }

// PlanValue is a plan's value in forms.
func PlanValue(p models.Plan) string { return planValue(p) }

// ListHref is the user list's URL for a state.
func ListHref(s UserListState) string { return s.href() }

func groupValue(g models.Group) string { return strconv.FormatInt(g.ID, 10) }

func (v UserListView) count(tab string) models.TabCount {
	return v.Page.Counts[models.UserStatus(tab)]
}

// countText writes a tab count, "1,000+" where counting stopped.
func countText(c models.TabCount) string {
	if c.AtLeast {
		return thousands(c.N) + "+"
	}
	return thousands(c.N)
}

func lowerTab(tab string) string { return tab }

func sortArrow(s UserListState, column string) string {
	switch s.sortIndicator(column) {
	case "ascending":
		return "▲"
	case "descending":
		return "▼"
	}
	return ""
}

// groupsColumnClass hides the groups first on the Invited tab, whose invitation columns matter more.
func groupsColumnClass(tab string) string {
	if tab == "invited" {
		return "hide-lg"
	}
	return "hide-md"
}

// pageChrome adds "Skip to the list": the rows sit below search, filters, tabs and bulk actions,
// a couple of dozen Tab stops a keyboard user need not walk through.
func (v UserListView) pageChrome() Chrome {
	c := v.Chrome
	if len(v.Page.Rows) > 0 {
		c.SkipTo = &SkipLink{Href: "#user-rows", Label: "Skip to the list"}
	}
	return c
}
