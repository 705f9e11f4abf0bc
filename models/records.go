package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// RecordSort is an ordering of the records page. Each has an index that matches it (migration
// 00016), so every page is an index walk however deep the admin has paged.
type RecordSort string

const (
	RecordSortTitle RecordSort = "title"
	RecordSortKind  RecordSort = "kind"
	// RecordSortHandover orders by the last hand-over; a record never handed over counts from
	// its creation, when its owner got it.
	RecordSortHandover RecordSort = "handover"
)

// RecordSorts lists the orderings the records page offers, default first.
var RecordSorts = []RecordSort{RecordSortTitle, RecordSortKind, RecordSortHandover}

// OwnerStatus is where a record's owner stands, as the records page shows and filters it.
type OwnerStatus string

const (
	OwnerActive    OwnerStatus = "active"
	OwnerInactive  OwnerStatus = "inactive"
	OwnerScheduled OwnerStatus = "scheduled"
	OwnerDeleted   OwnerStatus = "deleted"
	OwnerInvited   OwnerStatus = "invited"
)

// OwnerStatuses are the owner statuses the records page filters by, in display order.
var OwnerStatuses = []OwnerStatus{OwnerActive, OwnerInactive, OwnerScheduled, OwnerDeleted}

// Label is the owner status as people read it.
func (o OwnerStatus) Label() string {
	switch o {
	case OwnerActive:
		return "Active"
	case OwnerInactive:
		return "Inactive"
	case OwnerScheduled:
		return "Scheduled for deletion"
	case OwnerDeleted:
		return "Deleted user"
	case OwnerInvited:
		return "Invited"
	}
	return string(o)
}

// ownerStatusOf is the owner status of a user with status and deletion date.
func ownerStatusOf(status UserStatus, deletionDueAt *time.Time) OwnerStatus {
	switch {
	case status == StatusDeleted:
		return OwnerDeleted
	case deletionDueAt != nil:
		return OwnerScheduled
	}
	return OwnerStatus(status)
}

// Open/closed filter values of the records page.
const (
	RecordsOpen   = "open"
	RecordsClosed = "closed"
)

// RecordListQuery is one view of the records page: a search, filters, an ordering and a
// position. The zero value of every filter means "any".
type RecordListQuery struct {
	Search      string
	OwnerID     int64
	OwnerStatus OwnerStatus
	Kind        string
	Open        string
	Sort        RecordSort
	Desc        bool
	// After and Before are opaque cursors from a previous page; at most one is set.
	After    string
	Before   string
	PageSize int
	// scopedTo limits the list to the records of the people a group administrator or manager
	// reaches; nil for account-wide actors.
	scopedTo *Actor
	// fewMatches orders by a copy of the sort column that no index has, so that the database
	// reads the matches by the filters' indexes instead of walking the order's.
	fewMatches bool
}

// normalized replaces every out-of-range value with its default, so that a hand-edited URL shows
// a sensible page instead of an error.
func (q RecordListQuery) normalized() RecordListQuery {
	q.Search, _ = CleanSearch(q.Search)
	if q.OwnerID < 0 {
		q.OwnerID = 0
	}
	if !slices.Contains(OwnerStatuses, q.OwnerStatus) {
		q.OwnerStatus = ""
	}
	if !slices.Contains(RecordKinds, q.Kind) {
		q.Kind = ""
	}
	if q.Open != RecordsOpen && q.Open != RecordsClosed {
		q.Open = ""
	}
	if !slices.Contains(RecordSorts, q.Sort) {
		q.Sort = RecordSortTitle
	}
	if q.PageSize <= 0 {
		q.PageSize = DefaultPageSize
	}
	q.PageSize = min(q.PageSize, MaxPageSize)
	return q
}

func (q RecordListQuery) forActor(actor *Actor) RecordListQuery {
	q = q.normalized()
	if !actor.ReachesAccount() {
		q.scopedTo = actor
	}
	return q
}

// RecordRow is one line of the records page.
type RecordRow struct {
	ID                 int64
	Title              string
	Kind               string
	IsOpen             bool
	OwnerID            int64
	OwnerName          string
	OwnerUserStatus    UserStatus
	OwnerDeletionDueAt *time.Time
	CreatedAt          time.Time
	HandedOverAt       *time.Time
	HandedOverFromID   *int64
	FromName           *string
	FromUserStatus     *UserStatus
	SortKey            string `gorm:"column:sort_key"`
}

// OwnerStatus is where the record's owner stands.
func (r RecordRow) OwnerStatus() OwnerStatus {
	return ownerStatusOf(r.OwnerUserStatus, r.OwnerDeletionDueAt)
}

// OwnerLabel names the owner as the page shows them: anonymised and deleted people by ID only.
func (r RecordRow) OwnerLabel() string {
	return personLabel(r.OwnerID, r.OwnerName, r.OwnerUserStatus)
}

// FromLabel names whom the last hand-over came from, or "" when the record has none.
func (r RecordRow) FromLabel() string {
	if r.HandedOverFromID == nil {
		return ""
	}
	if r.FromName == nil || r.FromUserStatus == nil {
		return fmt.Sprintf("%s #%d", DeletedUserLabel, *r.HandedOverFromID)
	}
	return personLabel(*r.HandedOverFromID, *r.FromName, *r.FromUserStatus)
}

// DeletedUserLabel is how the records page names a person who has been anonymised or removed.
const DeletedUserLabel = "(deleted user)"

func personLabel(id int64, name string, status UserStatus) string {
	if status == StatusDeleted {
		return fmt.Sprintf("%s #%d", DeletedUserLabel, id)
	}
	return name
}

// RecordListPage is one page of the records page: rows, a bounded count of every match and
// cursors to the neighbouring pages ("" where there is none).
type RecordListPage struct {
	Rows       []RecordRow
	Count      TabCount
	NextCursor string
	PrevCursor string
	// Owner is the person the owner filter names, when it names one the actor may see.
	Owner *RecordOwner
}

// RecordOwner is a person the owner filter can name.
type RecordOwner struct {
	ID     int64
	Name   string
	Status OwnerStatus
}

// Label names the owner as the filter shows them.
func (o RecordOwner) Label() string {
	if o.Status == OwnerDeleted {
		return fmt.Sprintf("%s #%d", DeletedUserLabel, o.ID)
	}
	return o.Name
}

// ListRecords returns one page of the records of the actor's account that the query matches,
// for account-wide actors every record, for group administrators and managers those of the
// people they reach. Three statements whatever the page: the rows, a count that stops at
// FilteredCountLimit, and the owner the filter names. An owner filter naming nobody the actor
// sees answers ErrNotFound.
func (s *Store) ListRecords(ctx context.Context, actor *Actor, q RecordListQuery) (*RecordListPage, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	q = q.forActor(actor)
	page := &RecordListPage{}
	if q.OwnerID != 0 {
		owner, err := s.recordOwner(ctx, actor, q.OwnerID)
		if err != nil {
			return nil, err
		}
		page.Owner = owner
	}
	start := keysetStartOf(q.After, q.Before)
	var n int64
	capped := s.filteredRecords(s.read(ctx), actor.Account.ID, q).Select("1").Limit(int(FilteredCountLimit) + 1)
	if err := s.read(ctx).Raw("SELECT count(*) FROM (?) capped", capped).Scan(&n).Error; err != nil {
		return nil, err
	}
	page.Count = TabCount{N: n}
	if n > FilteredCountLimit {
		page.Count = TabCount{N: FilteredCountLimit, AtLeast: true}
	}
	// A search or owner status that matches few records reads them through the title search
	// index or the owners' records and sorts them: walking the order's index could pass most of
	// the account before it finds a page.
	q.fewMatches = (q.Search != "" || q.OwnerStatus != "") && !page.Count.AtLeast
	rows, err := s.readRecords(ctx, actor.Account.ID, q, start.from, start.backwards, q.PageSize+1)
	if err != nil {
		return nil, err
	}
	rows, hasMore := keysetPage(rows, q.PageSize, start.backwards)
	page.Rows = rows
	page.NextCursor, page.PrevCursor = keysetCursors(rows, hasMore, start.backwards, q.After != "",
		func(r RecordRow) string { return recordCursor(q.Sort, r) })
	return page, nil
}

// recordOwner looks up the person an owner filter names. Returns ErrNotFound for IDs of another
// account or, for scoped actors, outside their reach.
func (s *Store) recordOwner(ctx context.Context, actor *Actor, id int64) (*RecordOwner, error) {
	var u User
	if err := s.read(ctx).Where("id = ? AND account_id = ?", id, actor.Account.ID).Take(&u).Error; err != nil {
		return nil, notFound(err)
	}
	if err := s.requireReach(s.read(ctx), actor, []User{u}); err != nil {
		return nil, err
	}
	return &RecordOwner{ID: u.ID, Name: u.Name, Status: ownerStatusOf(u.Status, u.DeletionDueAt)}, nil
}

// recordSortExpression is the SQL the ordering compares on.
func recordSortExpression(sort RecordSort) string {
	switch sort {
	case RecordSortKind:
		return "records.kind"
	case RecordSortHandover:
		return "coalesce(records.handed_over_at, records.created_at)"
	}
	return "lower(records.title)"
}

// filteredRecords is the account's records under q's search and filters, neither ordered nor
// positioned. It joins nothing, so that counting matches reads records and their indexes only.
func (s *Store) filteredRecords(db *gorm.DB, accountID int64, q RecordListQuery) *gorm.DB {
	db = db.Table("records").Where("records.account_id = ?", accountID)
	if q.Search != "" {
		db = db.Where(`lower(records.title) LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(q.Search))+"%")
	}
	if q.OwnerID != 0 {
		db = db.Where("records.owner_id = ?", q.OwnerID)
	}
	// The owner status is asked of the account's users first: the few people who left are then
	// looked up in records_owner rather than every record being joined to its owner.
	owners := "records.owner_id IN (SELECT u.id FROM users u WHERE u.account_id = ? AND "
	switch q.OwnerStatus {
	case OwnerActive, OwnerInactive:
		db = db.Where(owners+"u.status = ? AND u.deletion_due_at IS NULL)", accountID, string(q.OwnerStatus))
	case OwnerScheduled:
		db = db.Where(owners+"u.status <> ? AND u.deletion_due_at IS NOT NULL)", accountID, StatusDeleted)
	case OwnerDeleted:
		db = db.Where(owners+"u.status = ?)", accountID, StatusDeleted)
	}
	if q.Kind != "" {
		db = db.Where("records.kind = ?", q.Kind)
	}
	switch q.Open {
	case RecordsOpen:
		db = db.Where("records.is_open = ?", true)
	case RecordsClosed:
		db = db.Where("records.is_open = ?", false)
	}
	if q.scopedTo != nil {
		db = db.Scopes(reachScope(q.scopedTo, "records.owner_id"))
	}
	return db
}

// readRecords reads up to limit rows in q's order by keyset, from the start when from is nil,
// else after (or, backwards, before) the row from names.
func (s *Store) readRecords(ctx context.Context, accountID int64, q RecordListQuery, from *listCursor, backwards bool, limit int) ([]RecordRow, error) {
	sortExpr := recordSortExpression(q.Sort)
	sortKey := sortExpr
	if q.fewMatches && q.Sort != RecordSortHandover {
		sortExpr = "(" + sortExpr + " || '')"
	}
	if q.Sort == RecordSortHandover {
		sortKey = "''" // read back from the row's times; see recordPosition
	}
	db := s.filteredRecords(s.read(ctx), accountID, q).
		Joins("JOIN users owners ON owners.id = records.owner_id").
		Joins("LEFT JOIN users senders ON senders.id = records.handed_over_from_id").
		Select(`records.id, records.title, records.kind, records.is_open, records.owner_id, records.created_at,
			records.handed_over_at, records.handed_over_from_id,
			owners.name AS owner_name, owners.status AS owner_user_status, owners.deletion_due_at AS owner_deletion_due_at,
			senders.name AS from_name, senders.status AS from_user_status, ` + sortKey + ` AS sort_key`)
	op, order := ">", "ASC"
	if q.Desc != backwards {
		op, order = "<", "DESC"
	}
	if from != nil {
		db = db.Where("("+sortExpr+", records.id) "+op+" (?, ?)", recordCursorValue(q.Sort, from.Key), from.ID)
	}
	var rows []RecordRow
	err := db.Order(sortExpr + " " + order + ", records.id " + order).Limit(limit).Scan(&rows).Error
	return rows, err
}

// recordPosition is where row stands in the ordering by sort, as a cursor holds it.
func recordPosition(sort RecordSort, row RecordRow) listCursor {
	key := row.SortKey
	if sort == RecordSortHandover {
		at := row.CreatedAt
		if row.HandedOverAt != nil {
			at = *row.HandedOverAt
		}
		key = at.UTC().Format(time.RFC3339Nano)
	}
	return listCursor{Key: key, ID: row.ID}
}

func recordCursor(sort RecordSort, row RecordRow) string {
	c := recordPosition(sort, row)
	return encodeCursor(c.Key, c.ID)
}

func recordCursorValue(sort RecordSort, key string) any {
	if sort == RecordSortHandover {
		if t, err := time.Parse(time.RFC3339Nano, key); err == nil {
			return t
		}
		return time.Time{}
	}
	return key
}

// MaxRecordsPerHandover bounds one hand-over from the records page; larger selections are
// handed over in parts.
const MaxRecordsPerHandover = 50000

// ListRecordIDs returns the IDs of every record the query matches, for "all N matching".
// Returns FieldErrors when more than MaxRecordsPerHandover match.
func (s *Store) ListRecordIDs(ctx context.Context, actor *Actor, q RecordListQuery) ([]int64, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	return s.matchingRecordIDs(s.read(ctx), actor, q)
}

func (s *Store) matchingRecordIDs(db *gorm.DB, actor *Actor, q RecordListQuery) ([]int64, error) {
	var ids []int64
	err := s.filteredRecords(db, actor.Account.ID, q.forActor(actor)).
		Order("records.id").Limit(MaxRecordsPerHandover+1).Pluck("records.id", &ids).Error
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxRecordsPerHandover {
		return nil, FieldErrors{"ids": fmt.Sprintf("More than %d records match; narrow the filter and hand them over in parts.", MaxRecordsPerHandover)}
	}
	return ids, nil
}

// RecordHandover is a hand-over from the records page: the selected records, or every record
// the query matches, to one recipient or one per kind.
type RecordHandover struct {
	IDs []int64
	// All hands over every record Query matches instead of IDs.
	All   bool
	Query RecordListQuery
	// To receives every kind not named in ToByKind.
	To       int64
	ToByKind map[string]int64
	Reason   string
}

func (h RecordHandover) plan() HandoverPlan {
	byKind := map[string]int64{}
	for kind, to := range h.ToByKind {
		if to != 0 {
			byKind[kind] = to
		}
	}
	return HandoverPlan{RecordsTo: h.To, RecordsByKind: byKind, IncludeClosed: true, Reason: h.Reason, historyLabel: recordsPageHistoryLabel}
}

// recordsPageHistoryLabel names a hand-over from the records page in ownership history.
const recordsPageHistoryLabel = "records page hand-over"

// RecordHandoverResult says what a hand-over from the records page did.
type RecordHandoverResult struct {
	// Moved counts the records that changed owner; Selected those asked for (a record already
	// with its recipient stays).
	Moved    int64
	Selected int
}

// HandOverRecords moves records to their recipients in one transaction, with an ownership
// history line per record and one audit event with the counts. Every recipient must be an
// active user of the account whom the actor reaches. Returns FieldErrors for an empty
// selection or unusable recipient, ErrNotFound when a record is not one of the account's or,
// for scoped actors, not owned by someone they reach.
func (s *Store) HandOverRecords(ctx context.Context, actor *Actor, h RecordHandover) (*RecordHandoverResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	var err error
	if h.Reason, err = cleanReason(h.Reason); err != nil {
		return nil, err
	}
	plan := h.plan()
	if plan.RecordsTo == 0 && len(plan.RecordsByKind) == 0 {
		return nil, FieldErrors{"records_to": "Choose who receives the records."}
	}
	if !h.All {
		if h.IDs, err = checkRecordSelection(h.IDs); err != nil {
			return nil, err
		}
	}
	result := &RecordHandoverResult{}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		*result = RecordHandoverResult{}
		if err := s.lockRecordRecipients(tx, actor, plan); err != nil {
			return err
		}
		ids, err := s.recordsToHandOver(tx, actor, h)
		if err != nil {
			return err
		}
		result.Selected = len(ids)
		now := s.now()
		plan.records = ids
		moved, err := s.moveRecords(tx, actor, nil, plan, now)
		if err != nil {
			return err
		}
		for _, byKind := range moved {
			for _, n := range byKind {
				result.Moved += n
			}
		}
		event := auditRow(actor, AuditRecordsHandedOver, nil, now, recordHandoverDetails(plan, moved, result))
		return writeAudit(tx, event)
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// checkRecordSelection drops repeated IDs from a selection of records and holds it to the size
// of one hand-over.
func checkRecordSelection(ids []int64) ([]int64, error) {
	if ids = unique64(ids); len(ids) == 0 {
		return nil, FieldErrors{"ids": "Select at least one record."}
	} else if len(ids) > MaxRecordsPerHandover {
		return nil, FieldErrors{"ids": fmt.Sprintf("Select at most %d records at a time.", MaxRecordsPerHandover)}
	}
	return ids, nil
}

// lockRecordRecipients holds the plan's recipients, so that they stay active until commit, and
// checks that each is an active user of the account whom the actor reaches. Users are locked by
// id before any record.
func (s *Store) lockRecordRecipients(tx *gorm.DB, actor *Actor, plan HandoverPlan) error {
	var recipients []User
	if err := lockNoKeyUpdate(tx.Where(s.idIn("id", plan.recipients())).Where("account_id = ?", actor.Account.ID)).
		Order("id").Find(&recipients).Error; err != nil {
		return err
	}
	if err := checkRecipients(tx, actor, nil, plan); err != nil {
		return err
	}
	if err := s.loadReach(tx, actor, recipients); err != nil {
		return err
	}
	for i := range recipients {
		if !actor.Reaches(&recipients[i]) {
			return FieldErrors{"records_to": "Choose someone you manage."}
		}
	}
	return nil
}

// recordsToHandOver are the IDs of the records h selects: those its query matches now, or its
// own, each of which must be a record the actor may see.
func (s *Store) recordsToHandOver(tx *gorm.DB, actor *Actor, h RecordHandover) ([]int64, error) {
	if h.All {
		ids, err := s.matchingRecordIDs(tx, actor, h.Query)
		if err == nil && len(ids) == 0 {
			return nil, FieldErrors{"ids": "No record matches any more."}
		}
		return ids, err
	}
	var found int64
	scope := RecordListQuery{}.forActor(actor)
	if err := s.filteredRecords(tx, actor.Account.ID, scope).Where(s.idIn("records.id", h.IDs)).Count(&found).Error; err != nil {
		return nil, err
	}
	if found != int64(len(h.IDs)) {
		return nil, ErrNotFound
	}
	return h.IDs, nil
}

// recordHandoverDetails are the audit details of a hand-over from the records page.
func recordHandoverDetails(plan HandoverPlan, moved map[int64]map[string]int64, result *RecordHandoverResult) map[string]any {
	details := map[string]any{"records": result.Moved, "selected": result.Selected, "records_moved": moved}
	if plan.RecordsTo != 0 {
		details["records_to"] = plan.RecordsTo
	}
	if len(plan.RecordsByKind) > 0 {
		details["records_to_by_kind"] = plan.RecordsByKind
	}
	if plan.Reason != "" {
		details["reason"] = plan.Reason
	}
	return details
}

// ExportRecords calls each for every record the query matches, in its order, reading a batch
// at a time by keyset so that an export of a million records never sits in memory.
func (s *Store) ExportRecords(ctx context.Context, actor *Actor, q RecordListQuery, each func(RecordRow) error) error {
	if !actor.Allows(PermViewUsers) {
		return ErrForbidden
	}
	q = q.forActor(actor)
	if q.OwnerID != 0 {
		if _, err := s.recordOwner(ctx, actor, q.OwnerID); err != nil {
			return err
		}
	}
	var from *listCursor
	for {
		rows, err := s.readRecords(ctx, actor.Account.ID, q, from, false, ExportBatchSize)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := each(r); err != nil {
				return err
			}
		}
		if len(rows) < ExportBatchSize {
			return nil
		}
		last := recordPosition(q.Sort, rows[len(rows)-1])
		from = &last
	}
}
