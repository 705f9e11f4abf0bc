package models

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AuditOrphanedWorkHandedOver records what moved when a former user's work was handed on from
// the orphaned work report.
const AuditOrphanedWorkHandedOver = "user.orphaned_work_handed_over"

// OrphanedWorkPageSize is how many former owners one page of the orphaned work report shows.
const OrphanedWorkPageSize = 25

const orphanedHistoryLabel = "orphaned work hand-over"

// orphanedStatuses are the statuses of people who can no longer look after their work: inactive
// (also while a deletion waits out its grace period) and deleted (anonymised).
var orphanedStatuses = []UserStatus{StatusInactive, StatusDeleted}

// OrphanedOwner is one former user and the work still in their name.
type OrphanedOwner struct {
	User User
	// Records by kind, kinds with open records first.
	Records     []RecordCount
	OpenRecords int64
	Groups      []Group
	Reports     int64
	// SuggestedID is who should take the work over: their manager while active, else the
	// account's default hand-over fallback while active; 0 when there is nobody to suggest.
	SuggestedID   int64
	SuggestedName string
	// SuggestedWhy says where the suggestion comes from: "manager" or "fallback".
	SuggestedWhy string
}

// OrphanedWork is one page of the orphaned work report.
type OrphanedWork struct {
	Owners []OrphanedOwner
	// Totals over every former owner the actor reaches, not only this page.
	People      int64
	OpenRecords int64
	Groups      int64
	Reports     int64
	Page        int
	HasNext     bool
}

// orphanedScope is the condition, on users aliased u, that keeps the former users in the actor's
// account and reach who still own open records or groups or manage someone.
func orphanedScope(actor *Actor) (string, []any) {
	conditions := []string{"u.account_id = ?", "u.status IN ?",
		"(EXISTS (SELECT 1 FROM records r WHERE r.owner_id = u.id AND r.is_open = ?)" +
			" OR EXISTS (SELECT 1 FROM groups g WHERE g.owner_id = u.id)" +
			" OR EXISTS (SELECT 1 FROM users w WHERE w.manager_id = u.id AND w.status <> ?))"}
	args := []any{actor.Account.ID, orphanedStatuses, true, StatusDeleted}
	reach, reachArgs := actor.reachConditions("u.id")
	conditions = append(conditions, reach...)
	args = append(args, reachArgs...)
	return strings.Join(conditions, " AND "), args
}

// OrphanedWorkCount is how many former users still hold work the actor could hand on: the
// number the settings navigation shows. One statement; 0 without PermManageUsers.
func (s *Store) OrphanedWorkCount(ctx context.Context, actor *Actor) (int64, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, nil
	}
	// Only an actor who reaches the whole account shares the account's count.
	reach, _ := actor.reachConditions("u.id")
	whole := len(reach) == 0
	where, args := orphanedScope(actor)
	count := func() (int64, error) {
		var n int64
		err := s.read(ctx).Raw("SELECT count(*) FROM users u WHERE "+where, args...).Scan(&n).Error
		return n, err
	}
	if !whole {
		return count()
	}
	return s.navCounts.count(actor.Account.ID, s.now(), count)
}

// OrphanedWork lists, a page at a time and by name, the inactive, to-be-deleted and anonymised
// users whose records, groups or reports still wait for someone, with totals over all of them.
// It takes a fixed number of statements, however many users and records the account holds.
// page counts from 1; a page beyond the end is empty. Returns ErrForbidden.
func (s *Store) OrphanedWork(ctx context.Context, actor *Actor, page int) (*OrphanedWork, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	return s.orphanedWork(s.read(ctx), actor, max(page, 1), 0)
}

// OrphanedWorkOf is one former user's line of the orphaned work report. Returns ErrNotFound when
// they are not a user of the actor's account and reach, or hold no orphaned work.
func (s *Store) OrphanedWorkOf(ctx context.Context, actor *Actor, id int64) (*OrphanedOwner, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	if id <= 0 {
		return nil, ErrNotFound
	}
	work, err := s.orphanedWork(s.read(ctx), actor, 1, id)
	if err != nil {
		return nil, err
	}
	if len(work.Owners) != 1 {
		return nil, ErrNotFound
	}
	return &work.Owners[0], nil
}

// orphanedWork reads a page of the report, or only the user only when it is not 0.
func (s *Store) orphanedWork(db *gorm.DB, actor *Actor, page int, only int64) (*OrphanedWork, error) {
	where, args := orphanedScope(actor)
	if only != 0 {
		where, args = where+" AND u.id = ?", append(args, only)
	}
	work := &OrphanedWork{Page: page}

	totals := "SELECT" +
		" (SELECT count(*) FROM users u WHERE " + where + ") AS people," +
		" (SELECT count(*) FROM records x JOIN users u ON u.id = x.owner_id WHERE x.is_open = ? AND " + where + ") AS open_records," +
		" (SELECT count(*) FROM groups x JOIN users u ON u.id = x.owner_id WHERE " + where + ") AS group_count," +
		" (SELECT count(*) FROM users x JOIN users u ON u.id = x.manager_id WHERE x.status <> ? AND " + where + ") AS reports"
	totalArgs := slices.Concat(args, []any{true}, args, args, []any{StatusDeleted}, args)
	if err := db.Raw(totals, totalArgs...).Row().Scan(&work.People, &work.OpenRecords, &work.Groups, &work.Reports); err != nil {
		return nil, err
	}
	if work.People == 0 {
		return work, nil
	}

	var rows []struct {
		User
		SuggestedManagerID   *int64
		SuggestedManagerName *string
	}
	if err := db.Raw("SELECT u.*, m.id AS suggested_manager_id, m.name AS suggested_manager_name FROM users u"+
		" LEFT JOIN users m ON m.id = u.manager_id AND m.account_id = u.account_id AND m.status = ?"+
		" WHERE "+where+" ORDER BY lower(u.name), u.id LIMIT ? OFFSET ?",
		slices.Concat([]any{StatusActive}, args, []any{OrphanedWorkPageSize + 1, (page - 1) * OrphanedWorkPageSize})...).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) > OrphanedWorkPageSize {
		rows, work.HasNext = rows[:OrphanedWorkPageSize], true
	}
	if len(rows) == 0 {
		return work, nil
	}
	fallback, err := defaultHandover(db, actor.Account.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	index := make(map[int64]int, len(rows))
	work.Owners = make([]OrphanedOwner, len(rows))
	for i, r := range rows {
		ids[i], index[r.ID] = r.ID, i
		o := OrphanedOwner{User: r.User}
		switch {
		case r.SuggestedManagerID != nil && *r.SuggestedManagerID != r.ID:
			o.SuggestedID, o.SuggestedName, o.SuggestedWhy = *r.SuggestedManagerID, *r.SuggestedManagerName, "manager"
		case fallback.FallbackID != 0 && fallback.FallbackActive:
			o.SuggestedID, o.SuggestedName, o.SuggestedWhy = fallback.FallbackID, fallback.FallbackName, "fallback"
		}
		work.Owners[i] = o
	}

	// What the page's people hold, in one statement: record tallies, groups, report counts.
	var held []struct {
		UserID int64
		What   string
		Label  string
		IsOpen bool
		N      int64
		Ref    int64
	}
	detail := "SELECT owner_id AS user_id, 'record' AS what, kind AS label, is_open, count(*) AS n, 0 AS ref FROM records" +
		" WHERE account_id = @account AND @ids GROUP BY owner_id, kind, is_open" +
		" UNION ALL SELECT owner_id, 'group', name, FALSE, 1, id FROM groups WHERE account_id = @account AND @ids" +
		" UNION ALL SELECT manager_id, 'report', '', FALSE, count(*), 0 FROM users WHERE account_id = @account AND @managers AND status <> @deleted GROUP BY manager_id"
	if err := db.Raw(detail, map[string]any{"account": actor.Account.ID, "ids": s.idIn("owner_id", ids),
		"managers": s.idIn("manager_id", ids), "deleted": StatusDeleted}).Scan(&held).Error; err != nil {
		return nil, err
	}
	tallies := map[int64][]recordTally{}
	for _, h := range held {
		o := &work.Owners[index[h.UserID]]
		switch h.What {
		case "record":
			tallies[h.UserID] = append(tallies[h.UserID], recordTally{OwnerID: h.UserID, Kind: h.Label, IsOpen: h.IsOpen, N: h.N})
			if h.IsOpen {
				o.OpenRecords += h.N
			}
		case "group":
			o.Groups = append(o.Groups, Group{ID: h.Ref, AccountID: actor.Account.ID, Name: h.Label, OwnerID: h.UserID})
		case "report":
			o.Reports = h.N
		}
	}
	for i := range work.Owners {
		o := &work.Owners[i]
		o.Records = groupRecordCounts(tallies[o.User.ID])
		slices.SortStableFunc(o.Records, func(a, b RecordCount) int {
			return cmp.Or(cmp.Compare(b.Open, a.Open), strings.Compare(a.Kind, b.Kind))
		})
		slices.SortFunc(o.Groups, func(a, b Group) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	}
	return work, nil
}

// OrphanHandover is where one former user's work goes.
type OrphanHandover struct {
	// To receives their records, groups and reports: an active user of the account.
	To int64
	// IncludeClosed moves closed records too; by default only open work moves.
	IncludeClosed bool
}

// OrphanHandoverResult says what a hand-over of orphaned work moved.
type OrphanHandoverResult struct {
	From, To      User
	RecordsMoved  int64
	RecordsByKind map[string]int64
	GroupsMoved   int64
	ManagedMoved  int64
}

// HandOverOrphanedWork gives everything an inactive, to-be-deleted or anonymised user still
// holds to h.To in one transaction: their open records (closed ones too with IncludeClosed),
// each with an ownership history line, the groups they own and the people they manage. One
// audit event on the former user records the counts.
//
// Returns ErrNotFound when fromID is not a user of the actor's account or reach,
// TransferRefusedError when they are not a former user or the actor may not change them, and
// FieldErrors on "to" for a recipient who is not an active user of the account.
func (s *Store) HandOverOrphanedWork(ctx context.Context, actor *Actor, fromID int64, h OrphanHandover) (*OrphanHandoverResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	if fromID <= 0 {
		return nil, ErrNotFound
	}
	if h.To <= 0 {
		return nil, FieldErrors{"to": "Choose who takes over."}
	}
	result := &OrphanHandoverResult{}
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		*result = OrphanHandoverResult{} // a retried transaction starts again
		var users []User
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
			Where("id IN ? AND account_id = ?", unique64([]int64{fromID, h.To}), actor.Account.ID).
			Order("id").Find(&users).Error; err != nil {
			return err
		}
		var from, to *User
		for i := range users {
			if users[i].ID == fromID {
				from = &users[i]
			}
			if users[i].ID == h.To {
				to = &users[i]
			}
		}
		if from == nil {
			return ErrNotFound
		}
		if err := s.requireReach(tx, actor, []User{*from}); err != nil {
			return err
		}
		if !slices.Contains(orphanedStatuses, from.Status) {
			return TransferRefusedError{from.Name + " is " + string(from.Status) + ": their work is not orphaned."}
		}
		if !actor.CanActOn(from) {
			return TransferRefusedError{actor.ActRefusal(from)}
		}
		plan := HandoverPlan{RecordsTo: h.To, GroupsTo: h.To, ManagerTo: h.To, IncludeClosed: h.IncludeClosed, historyLabel: orphanedHistoryLabel}
		if err := checkRecipients(tx, actor, []int64{fromID}, plan); err != nil {
			return FieldErrors{"to": "Choose an active user of this account."}
		}
		now := s.now()
		moved, err := s.moveRecords(tx, actor, []int64{fromID}, plan, now)
		if err != nil {
			return err
		}
		result.RecordsByKind = moved[fromID]
		for _, n := range result.RecordsByKind {
			result.RecordsMoved += n
		}
		groupIDs, err := s.transferGroups(tx, []int64{fromID}, h.To, now)
		if err != nil {
			return err
		}
		result.GroupsMoved = int64(len(groupIDs))
		managed := tx.Model(&User{}).Where("account_id = ? AND manager_id = ? AND id <> ? AND status <> ?", actor.Account.ID, fromID, h.To, StatusDeleted).
			Updates(map[string]any{"manager_id": h.To, "updated_at": now})
		if managed.Error != nil {
			return managed.Error
		}
		result.ManagedMoved = managed.RowsAffected
		result.From, result.To = *from, *to
		details := map[string]any{"to": h.To, "records_moved": result.RecordsMoved, "records_by_kind": result.RecordsByKind,
			"groups_moved": result.GroupsMoved, "managed_moved": result.ManagedMoved, "include_closed": h.IncludeClosed}
		return writeAudit(tx, auditRow(actor, AuditOrphanedWorkHandedOver, &fromID, now, details))
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// PersonName is a user's ID and name, for messages that name the people an action touched.
type PersonName struct {
	ID   int64
	Name string
}

// NamesOf returns the users among ids who belong to the actor's account, by name, in one
// statement; IDs of other accounts are left out. Returns ErrForbidden without PermViewUsers.
func (s *Store) NamesOf(ctx context.Context, actor *Actor, ids []int64) ([]PersonName, error) {
	if !actor.Allows(PermViewUsers) {
		return nil, ErrForbidden
	}
	ids = unique64(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxUsersPerAction {
		ids = ids[:MaxUsersPerAction]
	}
	var names []PersonName
	err := s.read(ctx).Model(&User{}).Select("id, name").Where("account_id = ?", actor.Account.ID).Where(s.idIn("id", ids)).
		Order("lower(name), id").Scan(&names).Error
	return names, err
}
