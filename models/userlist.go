package models

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// UserSort is a column the user list can be ordered by. Each has an index that matches it, so
// every page is read in index order however deep the admin has paged.
type UserSort string

const (
	SortName    UserSort = "name"
	SortEmail   UserSort = "email"
	SortCreated UserSort = "created"
)

// UserSorts lists the orderings the list offers, default first.
var UserSorts = []UserSort{SortName, SortEmail, SortCreated}

// Bounds of the user list's parameters.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	MaxSearchLength = 100
)

// PlanFilterNone selects users without a plan.
const PlanFilterNone int64 = -1

// UserListQuery is one view of Settings > User Management: a tab, its filters, an ordering and a
// position. The zero value of every filter means "any".
type UserListQuery struct {
	Status  UserStatus
	Search  string
	Role    Role
	PlanID  int64
	GroupID int64
	// Leaving keeps only users with a leave date (ScheduleDeactivation); it applies to the
	// Active tab, where they are, and so leaves the other tabs empty.
	Leaving bool
	Sort    UserSort
	Desc    bool
	// After and Before are opaque cursors from a previous page; at most one is set.
	After    string
	Before   string
	PageSize int
	// WithChoices also loads the plans and groups the filters offer, for a whole page rather
	// than a fragment.
	WithChoices bool
	// scopedTo limits the list to the users a group administrator or manager reaches; nil for
	// account-wide actors.
	scopedTo *Actor
}

// forActor fixes the query to what actor may list.
func (q UserListQuery) forActor(actor *Actor) UserListQuery {
	q = q.normalized()
	if !actor.ReachesAccount() {
		q.scopedTo = actor
	}
	return q
}

// UserRow is one line of the user list.
type UserRow struct {
	ID    int64
	Name  string
	Email string
	// PictureURL is where the user's profile picture is served; empty shows their initials.
	PictureURL    string
	Role          Role
	Status        UserStatus
	PlanName      string
	ManagerName   string
	InvitedByName string
	LastSignInAt  *time.Time
	CreatedAt     time.Time
	Groups        []string `gorm:"-"`
	// Invitation details, on the Invited tab.
	InvitedAt  *time.Time
	RemindedAt *time.Time
	ExpiresAt  *time.Time
	// DeletionDueAt is set on the Inactive tab for users scheduled for deletion.
	DeletionDueAt *time.Time
	// LeavesAt and LeavesTimeZone are set on the Active tab for users with a leave date: when,
	// and the zone it was chosen in.
	LeavesAt       *time.Time
	LeavesTimeZone string
	SortKey        string `gorm:"column:sort_key"`
}

// FilteredCountLimit is where counting stops under a search or filter: "1,000+" is as useful to
// a person as the exact number and costs a bounded amount of work.
var FilteredCountLimit int64 = 1000

// countScanLimit bounds the single pass that counts every tab of a filtered list at once.
var countScanLimit = 5000

// TabCount is how many users a tab holds; AtLeast marks a count that stopped at the limit.
type TabCount struct {
	N       int64
	AtLeast bool
}

// UserListPage is what the list shows: its rows, the count on every tab under the same filters,
// and cursors to the neighbouring pages ("" where there is none).
type UserListPage struct {
	Rows       []UserRow
	Counts     map[UserStatus]TabCount
	NextCursor string
	PrevCursor string
	// Plans and Groups are what the filters offer (ID and name), when the query asked for them:
	// the account's plans, and the groups the actor sees (as ListGroups). When the actor sees
	// more than GroupChoicesShown groups, MoreGroups is set and Groups holds only the group
	// filtered by, if any: the filter loads the rest when someone opens it (FilterGroups).
	Plans      []Plan
	Groups     []Group
	MoreGroups bool
}

// GroupChoicesShown is how many groups a list page offers in its filter at most; an account with
// hundreds of groups would otherwise send each of them with every page.
const GroupChoicesShown = 50

type listCursor struct {
	Key string `json:"k"`
	ID  int64  `json:"i"`
}

func encodeCursor(key string, id int64) string {
	raw, _ := json.Marshal(listCursor{Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor returns false for anything that is not a cursor this code made; the list then
// starts from the beginning rather than failing.
func decodeCursor(s string) (listCursor, bool) {
	var c listCursor
	if s == "" || len(s) > 1024 {
		return c, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.ID <= 0 || c.Key != cleanText(c.Key) {
		return c, false
	}
	return c, true
}

// sortExpression is the SQL the ordering compares on. Creation times are compared as text in a
// fixed-width format so that one cursor format serves every column on both databases.
func (s *Store) sortExpression(sort UserSort) string {
	switch sort {
	case SortEmail:
		return "users.email"
	case SortCreated:
		return "users.created_at"
	}
	return "lower(users.name)"
}

// ListUsers returns one page of the actor's account's users. It takes two statements whatever
// the page size and filters: the rows with their groups, and the tab counts together with the
// filters' choices when asked for.
func (s *Store) ListUsers(ctx context.Context, actor *Actor, q UserListQuery) (*UserListPage, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	q = q.forActor(actor)

	start := keysetStartOf(q.After, q.Before)
	read, err := s.readTab(ctx, actor.Account.ID, q, tabColumnsShown, start.from, start.backwards, q.PageSize+1)
	if err != nil {
		return nil, err
	}
	read, hasMore := keysetPage(read, q.PageSize, start.backwards)
	page := &UserListPage{}
	page.NextCursor, page.PrevCursor = keysetCursors(read, hasMore, start.backwards, q.After != "",
		func(r tabRow) string { return s.rowCursor(q.Sort, r.UserRow) })
	names := namesFor(read)
	if err := s.countByStatus(ctx, actor, q, page, names); err != nil {
		return nil, err
	}
	page.Rows = names.fill(read)
	return page, nil
}

// ListUserIDs returns the IDs of every user the query matches on its tab, for "select all N
// matching": a bulk action then applies to exactly what the admin filtered. Returns FieldErrors
// when more than limit match.
func (s *Store) ListUserIDs(ctx context.Context, actor *Actor, q UserListQuery, limit int) ([]int64, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	q = q.forActor(actor)
	var ids []int64
	err := s.filteredUsers(ctx, actor.Account.ID, q).Where("users.status = ?", q.Status).
		Order("users.id").Limit(limit+1).Pluck("users.id", &ids).Error
	if err != nil {
		return nil, err
	}
	if len(ids) > limit {
		return nil, FieldErrors{"ids": fmt.Sprintf("More than %d users match; narrow the filter and act in parts.", limit)}
	}
	return ids, nil
}

// tabColumns chooses between the columns a tab shows on screen and every column an export has.
type tabColumns bool

const (
	tabColumnsShown tabColumns = false
	tabColumnsAll   tabColumns = true
)

// tabRows selects q's tab under its filters, neither ordered nor positioned. Each tab joins only
// what it shows: PostgreSQL plans every list query for its parameters, and every join it need
// not consider is planning time saved on each page view. An export also wants the manager of
// people still invited, and reads the names of plans, managers and groups with the rows; a page
// on screen reads their IDs, and the page's second statement their names (see pageNames): per
// row, looking a name up costs more than reading the whole row.
func (s *Store) tabRows(ctx context.Context, accountID int64, q UserListQuery, columns tabColumns) *gorm.DB {
	db := s.filteredUsers(ctx, accountID, q).Where("users.status = ?", q.Status)
	selected := `users.id, users.name, users.email, users.picture_url, users.role, users.status, users.created_at, ` +
		s.sortExpression(q.Sort) + ` AS sort_key`
	if columns == tabColumnsShown {
		selected += ", users.plan_id, " + s.groupIDsColumn()
		if q.Status != StatusInvited {
			selected += ", users.last_sign_in_at, users.manager_id"
		}
	} else {
		selected += ", plans.name AS plan_name, users.last_sign_in_at, managers.name AS manager_name, " + s.groupNamesColumn()
		db = db.Joins("LEFT JOIN plans ON plans.id = users.plan_id").
			Joins("LEFT JOIN users managers ON managers.id = users.manager_id")
	}
	if q.Status == StatusInactive {
		selected += ", users.deletion_due_at"
	}
	if q.Status == StatusActive {
		// One leave date per user at most (a unique key), so the join never repeats a row.
		selected += ", leaving.due_at AS leaves_at, leaving.time_zone AS leaves_time_zone"
		db = db.Joins("LEFT JOIN scheduled_deactivations leaving ON leaving.user_id = users.id")
	}
	if q.Status == StatusInvited {
		selected += `, inviters.name AS invited_by_name, invitations.sent_at AS invited_at,
			invitations.reminded_at, invitations.expires_at`
		db = db.Joins("LEFT JOIN users inviters ON inviters.id = users.invited_by_id").
			Joins("LEFT JOIN invitations ON invitations.user_id = users.id AND invitations.accepted_at IS NULL AND invitations.revoked_at IS NULL")
	}
	return db.Select(selected)
}

// readTab reads up to limit rows of q's tab in q's order by keyset: from the start when from is
// nil, else the rows after the one from names, or when backwards the rows before it, nearest
// first. Every read walks the sort column's index, so the last rows cost what the first do.
func (s *Store) readTab(ctx context.Context, accountID int64, q UserListQuery, columns tabColumns, from *listCursor, backwards bool, limit int) ([]tabRow, error) {
	sortExpr := s.sortExpression(q.Sort)
	db := s.tabRows(ctx, accountID, q, columns)
	op, order := ">", "ASC"
	if q.Desc != backwards {
		op, order = "<", "DESC"
	}
	if from != nil {
		db = db.Where("("+sortExpr+", users.id) "+op+" (?, ?)", s.cursorValue(q.Sort, from.Key), from.ID)
	}
	rows := make([]tabRow, 0, limit)
	db = db.Order(sortExpr + " " + order + ", users.id " + order).Limit(limit)
	// An unfiltered tab is the same walk along its sort's index for every account: it is planned
	// once per connection. Filters and searches are planned for their values.
	if q.unfiltered() {
		if err := s.scanPrepared(ctx, &rows, db); err != nil {
			return nil, err
		}
	} else if err := db.Scan(&rows).Error; err != nil {
		return nil, err
	}
	for i, r := range rows {
		if r.GroupNames != nil && *r.GroupNames != "" {
			rows[i].Groups = strings.Split(*r.GroupNames, groupNameSeparator)
		}
	}
	return rows, nil
}

// tabRow is a row as readTab reads it. An export reads the names of the user's plan, manager
// and groups with it (GroupNames); a page on screen reads what the row refers to by ID, and the
// names with its second statement (pageNames).
type tabRow struct {
	UserRow
	GroupNames *string
	PlanID     *int64
	ManagerID  *int64
	GroupIDs   *string // joined by commas
}

// groupIDsColumn is a row's group IDs, joined by commas.
func (s *Store) groupIDsColumn() string {
	if s.IsPostgres() {
		return `array_to_string(ARRAY(SELECT gm.group_id FROM group_members gm WHERE gm.user_id = users.id), ',') AS group_ids`
	}
	return `(SELECT group_concat(gm.group_id) FROM group_members gm WHERE gm.user_id = users.id) AS group_ids`
}

// pageNames are the plans, managers and groups a page's rows name, by ID: the IDs come with the
// rows, the names with the page's second statement.
type pageNames struct {
	plans, users, groups map[int64]string
}

func namesFor(rows []tabRow) *pageNames {
	names := &pageNames{plans: map[int64]string{}, users: map[int64]string{}, groups: map[int64]string{}}
	for _, r := range rows {
		if r.PlanID != nil {
			names.plans[*r.PlanID] = ""
		}
		if r.ManagerID != nil {
			names.users[*r.ManagerID] = ""
		}
		for _, id := range r.groupIDs() {
			names.groups[id] = ""
		}
	}
	return names
}

func (r tabRow) groupIDs() []int64 {
	if r.GroupIDs == nil || *r.GroupIDs == "" {
		return nil
	}
	var ids []int64
	for _, field := range strings.Split(*r.GroupIDs, ",") {
		if id, err := strconv.ParseInt(field, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// lookups are the parts of the page's second statement that read the names: each finds its
// rows by key in one array parameter, so the statement's text stays the same from page to page.
func (n *pageNames) lookups(s *Store, accountID int64) ([]string, []any) {
	var parts []string
	var args []any
	for _, table := range []struct {
		part, from string
		ids        map[int64]string
	}{{"plan_name", "plans", n.plans}, {"user_name", "users", n.users}, {"group_name", "groups", n.groups}} {
		ids := slices.Collect(maps.Keys(table.ids))
		in := s.idIn("id", ids)
		parts = append(parts, "SELECT '"+table.part+"', id, name, 0, 1 = 0 FROM "+table.from+" WHERE account_id = ? AND "+in.SQL)
		args = append(append(args, accountID), in.Vars...)
	}
	return parts, args
}

// take keeps a name the second statement read, and tells whether the part was one of lookups'.
func (n *pageNames) take(part string, id int64, name string) bool {
	switch part {
	case "plan_name":
		n.plans[id] = name
	case "user_name":
		n.users[id] = name
	case "group_name":
		n.groups[id] = name
	default:
		return false
	}
	return true
}

// fill returns the rows with their plan, manager and group names, the groups in alphabetical
// order.
func (n *pageNames) fill(read []tabRow) []UserRow {
	rows := make([]UserRow, len(read))
	for i, r := range read {
		rows[i] = r.UserRow
		if r.PlanID != nil {
			rows[i].PlanName = n.plans[*r.PlanID]
		}
		if r.ManagerID != nil {
			rows[i].ManagerName = n.users[*r.ManagerID]
		}
		for _, id := range r.groupIDs() {
			if name := n.groups[id]; name != "" {
				rows[i].Groups = append(rows[i].Groups, name)
			}
		}
		slices.SortFunc(rows[i].Groups, func(a, b string) int {
			return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
		})
	}
	return rows
}

// groupNameSeparator joins a row's group names in one column. Names never hold control
// characters (cleanText drops them), so it cannot occur inside one.
const groupNameSeparator = "\x1f"

// groupNamesColumn is a row's group names by name, joined by groupNameSeparator, as a column of
// the rows' own statement: PostgreSQL computes it only for the rows the page returns.
func (s *Store) groupNamesColumn() string {
	if s.IsPostgres() {
		// Each name by primary key: a join would build a hash of the account's groups per row.
		return `(SELECT string_agg(member_of.name, chr(31) ORDER BY member_of.name) FROM
			(SELECT (SELECT g.name FROM groups g WHERE g.id = gm.group_id) AS name FROM group_members gm WHERE gm.user_id = users.id) member_of) AS group_names`
	}
	return `(SELECT group_concat(name, char(31)) FROM (SELECT g.name FROM group_members gm JOIN groups g ON g.id = gm.group_id
			WHERE gm.user_id = users.id ORDER BY g.name)) AS group_names`
}

// rowPosition is where row stands in the ordering by sort, as a cursor holds it.
func (s *Store) rowPosition(sort UserSort, row UserRow) listCursor {
	key := row.SortKey
	if sort == SortCreated {
		key = row.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return listCursor{Key: key, ID: row.ID}
}

func (s *Store) rowCursor(sort UserSort, row UserRow) string {
	c := s.rowPosition(sort, row)
	return encodeCursor(c.Key, c.ID)
}

// cursorValue turns a cursor's key back into a value comparable with the sort column.
func (s *Store) cursorValue(sort UserSort, key string) any {
	if sort == SortCreated {
		if t, err := time.Parse(time.RFC3339Nano, key); err == nil {
			return t
		}
		return time.Time{}
	}
	return key
}

// filteredUsers applies the account and every filter except the status, which the tab counts
// group by.
func (s *Store) filteredUsers(ctx context.Context, accountID int64, q UserListQuery) *gorm.DB {
	db := s.read(ctx).Table("users").Where("users.account_id = ?", accountID)
	if q.Search != "" {
		pattern := "%" + escapeLike(strings.ToLower(q.Search)) + "%"
		db = db.Where(searchExpression+` LIKE ? ESCAPE '\'`, pattern)
	}
	if q.Role != "" {
		db = db.Where("users.role = ?", q.Role)
	}
	switch {
	case q.PlanID == PlanFilterNone:
		db = db.Where("users.plan_id IS NULL")
	case q.PlanID > 0:
		db = db.Where("users.plan_id = ?", q.PlanID)
	}
	if q.GroupID > 0 {
		db = db.Where("EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = users.id AND gm.group_id = ?)", q.GroupID)
	}
	if q.Leaving {
		db = db.Where("EXISTS (SELECT 1 FROM scheduled_deactivations sd WHERE sd.user_id = users.id)")
	}
	if q.scopedTo != nil {
		db = db.Scopes(reachScope(q.scopedTo, "users.id"))
	}
	return db
}

// countByStatus counts every tab, and loads the filters' choices when q asks for them, in one
// statement. Unfiltered counts are exact and come from the counters the database keeps;
// filtered counts stop at FilteredCountLimit, so that a broad search in a huge account stays as
// fast as a narrow one.
func (s *Store) countByStatus(ctx context.Context, actor *Actor, q UserListQuery, page *UserListPage, names *pageNames) error {
	accountID := actor.Account.ID
	var parts []string
	var args []any
	// The kept counters know nothing of filters: any filter, leave dates included, is counted.
	unfiltered := q.unfiltered()
	if unfiltered {
		statuses := "?" + strings.Repeat(", ?", len(ListedStatuses)-1)
		parts = append(parts, "SELECT 'count' AS part, 0 AS id, status AS name, users AS n, 1 = 0 AS bounded FROM user_status_counts WHERE account_id = ? AND status IN ("+statuses+")")
		args = append(args, accountID)
		for _, status := range ListedStatuses {
			args = append(args, string(status))
		}
	} else {
		part, partArgs := s.countFiltered(ctx, accountID, q)
		parts, args = append(parts, part), append(args, partArgs...)
	}
	if q.WithChoices {
		parts = append(parts, "SELECT 'plan', id, name, 0, 1 = 0 FROM plans WHERE account_id = ?")
		args = append(args, accountID)
		if groups, groupArgs, ok := filterGroupsSQL(actor); ok {
			parts = append(parts, "SELECT 'group', id, name, 0, 1 = 0 FROM (SELECT id, name FROM groups WHERE "+groups+
				" ORDER BY name, id LIMIT "+strconv.Itoa(GroupChoicesShown+1)+") shown_groups")
			args = append(args, groupArgs...)
			if q.GroupID > 0 {
				parts = append(parts, "SELECT 'chosen_group', id, name, 0, 1 = 0 FROM groups WHERE "+groups+" AND id = ?")
				args = append(append(args, groupArgs...), q.GroupID)
			}
		}
	}
	lookups, lookupArgs := names.lookups(s, accountID)
	parts, args = append(parts, lookups...), append(args, lookupArgs...)
	var read []struct {
		Part    string
		ID      int64
		Name    string
		N       int64
		Bounded bool
	}
	sql := "SELECT * FROM (" + strings.Join(parts, " UNION ALL ") + ") parts ORDER BY part, name, id"
	if unfiltered {
		// Counters, plans and groups by account: one plan suits every account, so it is prepared
		// once per connection (see takePrepared) instead of planned per page.
		if _, err := s.takePrepared(ctx, &read, sql, args...); err != nil {
			return err
		}
	} else if err := s.read(ctx).Raw(sql, args...).Scan(&read).Error; err != nil {
		return err
	}
	var chosen []Group
	page.Counts = make(map[UserStatus]TabCount, len(ListedStatuses))
	for _, status := range ListedStatuses {
		page.Counts[status] = TabCount{}
	}
	for _, r := range read {
		if names.take(r.Part, r.ID, r.Name) {
			continue
		}
		switch r.Part {
		case "count":
			if r.Bounded && r.N > FilteredCountLimit {
				page.Counts[UserStatus(r.Name)] = TabCount{N: FilteredCountLimit, AtLeast: true}
			} else {
				page.Counts[UserStatus(r.Name)] = TabCount{N: r.N}
			}
		case "plan":
			page.Plans = append(page.Plans, Plan{ID: r.ID, AccountID: accountID, Name: r.Name})
		case "group":
			page.Groups = append(page.Groups, Group{ID: r.ID, AccountID: accountID, Name: r.Name})
		case "chosen_group":
			chosen = append(chosen, Group{ID: r.ID, AccountID: accountID, Name: r.Name})
		}
	}
	if len(page.Groups) > GroupChoicesShown {
		page.Groups, page.MoreGroups = chosen, true
	}
	return nil
}

// filterGroupsSQL is the condition on groups that the actor may filter the list by — the groups
// they see — and whether there are any: someone who neither reaches the account nor may view
// groups filters by none.
func filterGroupsSQL(actor *Actor) (string, []any, bool) {
	if !actor.ReachesAccount() && !actor.Allows(PermViewGroups) {
		return "", nil, false
	}
	condition, args := visibleGroupsCondition(actor)
	return condition, args, true
}

// FilterGroups returns every group the actor may filter the user list by, by name: the filter's
// options when the page sent only some (UserListPage.MoreGroups).
func (s *Store) FilterGroups(ctx context.Context, actor *Actor) ([]Group, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	condition, args, ok := filterGroupsSQL(actor)
	if !ok {
		return nil, nil
	}
	var groups []Group
	err := s.read(ctx).Select("id", "account_id", "name").Where(condition, args...).Order("name, id").Find(&groups).Error
	return groups, err
}

// countFiltered is the statement that counts the tabs under a search or filter. A search or a
// group is answered by one pass over at most countScanLimit matches, which counts every tab
// exactly for nearly every real search, group and list of leavers; broader ones, and role and plan filters,
// which have an index per tab, get one bounded count per tab. Both are one statement: the
// bounded counts run only when the pass found countScanLimit matches.
func (s *Store) countFiltered(ctx context.Context, accountID int64, q UserListQuery) (string, []any) {
	bounded, boundedArgs := s.countEachTabBounded(ctx, accountID, q, "")
	if q.Search == "" && q.GroupID == 0 && !q.Leaving && q.scopedTo == nil {
		return bounded, boundedArgs
	}
	matches := s.filteredUsers(ctx, accountID, q).Select("users.status").
		Where("users.status IN ?", ListedStatuses).Limit(countScanLimit)
	scanned := "(SELECT count(*) FROM scanned_matches) < " + fmt.Sprint(countScanLimit)
	pass := "SELECT 'count' AS part, 0 AS id, status AS name, count(*) AS n, 1 = 0 AS bounded FROM scanned_matches WHERE " + scanned + " GROUP BY status"
	bounded, boundedArgs = s.countEachTabBounded(ctx, accountID, q, "NOT "+scanned)
	sql := "SELECT * FROM (WITH scanned_matches AS (?) " + pass + " UNION ALL " + bounded + ") counted"
	return sql, append([]any{matches}, boundedArgs...)
}

// countEachTabBounded is one statement counting each tab up to FilteredCountLimit+1, when
// condition (if any) holds.
func (s *Store) countEachTabBounded(ctx context.Context, accountID int64, q UserListQuery, condition string) (string, []any) {
	var parts []string
	var args []any
	having := ""
	if condition != "" {
		having = " HAVING " + condition
	}
	for _, status := range ListedStatuses {
		parts = append(parts, "SELECT 'count' AS part, 0 AS id, ? AS name, count(*) AS n, 1 = 1 AS bounded FROM (?) capped"+having)
		capped := s.filteredUsers(ctx, accountID, q).Select("1").Where("users.status = ?", status)
		if condition != "" {
			// Inside too, so PostgreSQL skips the scan when the condition fails.
			capped = capped.Where(condition)
		}
		args = append(args, string(status), capped.Limit(int(FilteredCountLimit)+1))
	}
	return strings.Join(parts, " UNION ALL "), args
}

// unfiltered tells whether q shows a whole tab: no search, no filter, no reach beyond which the
// actor sees nothing.
func (q UserListQuery) unfiltered() bool {
	return q.Search == "" && q.Role == "" && q.PlanID == 0 && q.GroupID == 0 && !q.Leaving && q.scopedTo == nil
}

// normalized replaces every out-of-range value with its default, so that a hand-edited URL shows
// a sensible page instead of an error.
func (q UserListQuery) normalized() UserListQuery {
	switch q.Status {
	case StatusActive, StatusInactive, StatusInvited:
	default:
		q.Status = StatusActive
	}
	q.Search, _ = CleanSearch(q.Search)
	if _, ok := ParseRole(string(q.Role)); !ok {
		q.Role = ""
	}
	if q.PlanID < PlanFilterNone {
		q.PlanID = 0
	}
	if q.GroupID < 0 {
		q.GroupID = 0
	}
	switch q.Sort {
	case SortName, SortEmail, SortCreated:
	default:
		q.Sort = SortName
	}
	if q.PageSize <= 0 {
		q.PageSize = DefaultPageSize
	}
	if q.PageSize > MaxPageSize {
		q.PageSize = MaxPageSize
	}
	return q
}

// searchExpression is what a search matches: name and e-mail as one lower-case text. PostgreSQL
// has a trigram index on exactly this expression (migration 00001).
const searchExpression = "(lower(users.name) || ' ' || coalesce(users.email, ''))"

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
