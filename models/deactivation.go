package models

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Blocker is something that stops a user from being deactivated, shown in the wizard's first step.
// A blocker the wizard can resolve itself (demoting) says so with FixedByDemoting.
type Blocker struct {
	Message         string
	FixedByDemoting bool
}

// UserImpact is what deactivating one user touches.
type UserImpact struct {
	User         User
	Plan         *Plan
	Records      []RecordCount
	OwnedGroups  []Group
	ManagedUsers int64
	OpenSessions int64
	Blockers     []Blocker
}

// DeactivationImpact is the wizard's first step for a selection of users.
type DeactivationImpact struct {
	Users []UserImpact
	// Totals across the selection.
	Records       []RecordCount
	OwnedGroups   int
	ManagedUsers  int64
	OpenSessions  int64
	SeatCostCents map[string]int64 // per currency, per month
	SeatsFreed    map[string]int   // per plan name
}

// BlockedOutright tells whether the user has a blocker that demoting them does not clear.
func (u UserImpact) BlockedOutright() bool {
	for _, b := range u.Blockers {
		if !b.FixedByDemoting {
			return true
		}
	}
	return false
}

// Blocked tells whether any user has a blocker, and whether demoting would clear all of them.
func (d *DeactivationImpact) Blocked() (blocked, demotingFixes bool) {
	demotingFixes = true
	for _, u := range d.Users {
		if len(u.Blockers) > 0 {
			blocked = true
		}
		if u.BlockedOutright() {
			demotingFixes = false
		}
	}
	return blocked, blocked && demotingFixes
}

// MayProceed tells whether the wizard may go past its first step: nobody is blocked, or
// demoting clears every blocker and the admin chose to demote. When ticking "demote" is all that
// is missing, demoteHint says so for the box.
func (d *DeactivationImpact) MayProceed(demote bool) (ok bool, demoteHint string) {
	blocked, demotingFixes := d.Blocked()
	switch {
	case !blocked:
		return true, ""
	case !demotingFixes:
		return false, ""
	case !demote:
		return false, "Tick this to demote them and continue, or go back and change the selection."
	}
	return true, ""
}

// ReadyIDs are the users who can be deactivated, demoting them first where a blocker asks for it:
// the selection without those blocked outright.
func (d *DeactivationImpact) ReadyIDs() []int64 {
	var ids []int64
	for _, u := range d.Users {
		if !u.BlockedOutright() {
			ids = append(ids, u.User.ID)
		}
	}
	return ids
}

// rolesDemotedBeforeDeactivation must be demoted to member first: they hold rights over other
// people, and the seeds' customers want that made explicit.
var rolesDemotedBeforeDeactivation = map[Role]bool{RoleOwner: true, RoleAdmin: true, RoleGroupAdmin: true, RoleManager: true}

// DeactivationImpact computes the wizard's first step with a fixed number of queries, however many
// users and records the selection holds. Returns ErrNotFound if any ID is not a user of the
// actor's account.
func (s *Store) DeactivationImpact(ctx context.Context, actor *Actor, ids []int64) (*DeactivationImpact, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	return s.deactivationImpact(s.read(ctx), actor, ids, false)
}

func (s *Store) deactivationImpact(db *gorm.DB, actor *Actor, ids []int64, lock bool) (*DeactivationImpact, error) {
	ids, err := selection(ids)
	if err != nil {
		return nil, err
	}
	users, err := s.selectedUsers(db, actor, ids, lock)
	if err != nil {
		return nil, err
	}
	// Locked in ID order like every bulk action; shown by name.
	slices.SortStableFunc(users, func(a, b User) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	impact := &DeactivationImpact{SeatCostCents: map[string]int64{}, SeatsFreed: map[string]int{}}
	plans, err := plansByID(db, actor.Account.ID)
	if err != nil {
		return nil, err
	}
	var recordRows []recordTally
	if err := db.Model(&Record{}).Select("owner_id, kind, is_open, count(*) AS n").Where(s.idIn("owner_id", ids)).
		Group("owner_id, kind, is_open").Scan(&recordRows).Error; err != nil {
		return nil, err
	}
	var groups []Group
	if err := db.Where(s.idIn("owner_id", ids)).Order("name").Find(&groups).Error; err != nil {
		return nil, err
	}
	var managed, sessions []struct {
		ID int64
		N  int64
	}
	if err := db.Model(&User{}).Select("manager_id AS id, count(*) AS n").Where(s.idIn("manager_id", ids)).
		Where("status <> ?", StatusDeleted).Where(s.idNotIn("id", ids)).
		Group("manager_id").Scan(&managed).Error; err != nil {
		return nil, err
	}
	now := s.now()
	if err := db.Model(&UserSession{}).Select("user_id AS id, count(*) AS n").
		Where(s.idIn("user_id", ids)).Where("revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?", now, now.Add(-DefaultSessionLifetimes.Idle)).
		Group("user_id").Scan(&sessions).Error; err != nil {
		return nil, err
	}
	otherOwners, err := s.otherActiveOwners(db, actor.Account.ID, ids)
	if err != nil {
		return nil, err
	}

	index := map[int64]int{}
	impact.Users = make([]UserImpact, len(users))
	for i, u := range users {
		index[u.ID] = i
		ui := UserImpact{User: u}
		if u.PlanID != nil {
			if p, ok := plans[*u.PlanID]; ok {
				ui.Plan = &p
				if u.Status == StatusActive {
					impact.SeatCostCents[p.Currency] += p.PriceCents
					impact.SeatsFreed[p.Name]++
				}
			}
		}
		ui.Blockers = deactivationBlockers(actor, &u, otherOwners)
		impact.Users[i] = ui
	}
	perUser := map[int64][]recordTally{}
	for _, r := range recordRows {
		perUser[r.OwnerID] = append(perUser[r.OwnerID], r)
	}
	for id, rows := range perUser {
		impact.Users[index[id]].Records = groupRecordCounts(rows)
	}
	impact.Records = groupRecordCounts(recordRows)
	for _, g := range groups {
		i := index[g.OwnerID]
		impact.Users[i].OwnedGroups = append(impact.Users[i].OwnedGroups, g)
	}
	impact.OwnedGroups = len(groups)
	for _, m := range managed {
		impact.Users[index[m.ID]].ManagedUsers = m.N
		impact.ManagedUsers += m.N
	}
	for _, se := range sessions {
		impact.Users[index[se.ID]].OpenSessions = se.N
		impact.OpenSessions += se.N
	}
	return impact, nil
}

func deactivationBlockers(actor *Actor, u *User, otherActiveOwners int64) []Blocker {
	var blockers []Blocker
	switch {
	case u.ID == actor.User.ID:
		return []Blocker{{Message: "You cannot deactivate yourself; ask another admin."}}
	case u.Status == StatusInactive:
		return []Blocker{{Message: "Already inactive."}}
	case u.Status == StatusInvited:
		return []Blocker{{Message: "Has not joined yet: revoke the invitation instead."}}
	case !actor.CanActOn(u):
		return []Blocker{{Message: actor.ActRefusal(u)}}
	}
	if u.Role == RoleOwner && otherActiveOwners == 0 {
		return []Blocker{{Message: "The last owner of the account: make someone else an owner first."}}
	}
	if rolesDemotedBeforeDeactivation[u.Role] {
		blockers = append(blockers, Blocker{Message: u.Role.Label() + "s must be demoted to member before deactivation.", FixedByDemoting: true})
	}
	return blockers
}

func plansByID(db *gorm.DB, accountID int64) (map[int64]Plan, error) {
	var plans []Plan
	if err := db.Where("account_id = ?", accountID).Find(&plans).Error; err != nil {
		return nil, err
	}
	m := make(map[int64]Plan, len(plans))
	for _, p := range plans {
		m[p.ID] = p
	}
	return m, nil
}

// HandoverPlan is the wizard's second and third steps: who receives what, and why.
type HandoverPlan struct {
	// RecordsTo receives every kind of record not named in RecordsByKind; 0 leaves them.
	RecordsTo     int64
	RecordsByKind map[string]int64
	// IncludeClosed moves closed records too; by default only open work moves.
	IncludeClosed bool
	// GroupsTo becomes the owner of the groups they own; 0 leaves them.
	GroupsTo int64
	// ManagerTo becomes the manager of the people they manage; 0 leaves them.
	ManagerTo int64
	// Demote turns administrators and managers into members in the same step.
	Demote bool
	Reason string
	// historyLabel names the hand-over in ownership history; empty is a deactivation's.
	historyLabel string
	// records, when not nil, are the records to hand over (of any owner) instead of what the
	// leaving users own.
	records []int64
}

// recipientFor is who receives records of kind, or 0.
func (p HandoverPlan) recipientFor(kind string) int64 {
	if to, ok := p.RecordsByKind[kind]; ok && to != 0 {
		return to
	}
	return p.RecordsTo
}

func (p HandoverPlan) recipients() []int64 {
	ids := []int64{p.RecordsTo, p.GroupsTo, p.ManagerTo}
	for _, to := range p.RecordsByKind {
		ids = append(ids, to)
	}
	return unique64(ids)
}

// DeactivationResult says what a deactivation did.
type DeactivationResult struct {
	Users         int
	RecordsMoved  int64
	GroupsMoved   int64
	ManagedMoved  int64
	SessionsEnded int64
	Demoted       int
}

// Deactivate carries out the wizard in one transaction: each user becomes inactive, loses their
// seat and every session, and hands over records (with an ownership history line each), groups
// and managed people as the plan says; one audit event per user records what moved. Blockers are
// checked again inside the transaction. Returns DeactivationBlockedError, FieldErrors for an
// unusable plan, or ErrNotFound for IDs outside the account.
func (s *Store) Deactivate(ctx context.Context, actor *Actor, ids []int64, plan HandoverPlan) (*DeactivationResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	var err error
	if plan.Reason, err = cleanReason(plan.Reason); err != nil {
		return nil, err
	}
	result := &DeactivationResult{}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		r, err := s.deactivateIn(tx, actor, ids, plan, "")
		if err != nil {
			return err
		}
		*result = *r // a retried transaction starts again
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// deactivateIn is Deactivate in the caller's transaction, which holds the account lock, for a
// plan whose reason is already clean: the wizard and the scheduled run share it, so a leave date
// does exactly what the click would. way, when set, is added to each audit event's details to say
// what made the user leave ("scheduled"); the click leaves it out.
func (s *Store) deactivateIn(tx *gorm.DB, actor *Actor, ids []int64, plan HandoverPlan, way string) (*DeactivationResult, error) {
	result := &DeactivationResult{}
	impact, err := s.deactivationImpact(tx, actor, ids, true)
	if err != nil {
		return nil, err
	}
	if blocked, demotingFixes := impact.Blocked(); blocked && !(demotingFixes && plan.Demote) {
		return nil, DeactivationBlockedError{Impact: impact}
	}
	ids = unique64(ids)
	if err := checkRecipients(tx, actor, ids, plan); err != nil {
		return nil, err
	}
	now := s.now()
	moved, err := s.moveRecords(tx, actor, ids, plan, now)
	if err != nil {
		return nil, err
	}
	result.Users = len(ids)
	for _, byKind := range moved {
		for _, n := range byKind {
			result.RecordsMoved += n
		}
	}
	if plan.GroupsTo != 0 {
		groupIDs, err := s.transferGroups(tx, ids, plan.GroupsTo, now)
		if err != nil {
			return nil, err
		}
		result.GroupsMoved = int64(len(groupIDs))
	}
	// Who moved to another manager, per previous manager, so that the hand-over can be undone.
	managedIDs := map[int64][]int64{}
	if plan.ManagerTo != 0 {
		var reports []struct{ ID, ManagerID int64 }
		scope := tx.Model(&User{}).Where(s.idIn("manager_id", ids)).Where(s.idNotIn("id", ids)).Where("id <> ?", plan.ManagerTo)
		if err := scope.Session(&gorm.Session{}).Select("id, manager_id").Order("id").Scan(&reports).Error; err != nil {
			return nil, err
		}
		r := scope.Updates(map[string]any{"manager_id": plan.ManagerTo, "updated_at": now})
		if r.Error != nil {
			return nil, r.Error
		}
		result.ManagedMoved = r.RowsAffected
		for _, report := range reports {
			managedIDs[report.ManagerID] = append(managedIDs[report.ManagerID], report.ID)
		}
	}
	if result.SessionsEnded, err = s.revokeSessions(tx, ids, now); err != nil {
		return nil, err
	}
	if err := s.finishDeactivation(tx, actor, impact, plan, moved, managedIDs, now, way, result); err != nil {
		return nil, err
	}
	return result, nil
}

// Recipient is someone who can take over work: an active user who is staying.
type Recipient struct {
	ID    int64
	Name  string
	Email string
	Role  Role
}

// ListRecipients returns active users outside exclude, by name, for the hand-over choices.
func (s *Store) ListRecipients(ctx context.Context, actor *Actor, exclude []int64, limit int) ([]Recipient, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	var recipients []Recipient
	q := s.read(ctx).Model(&User{}).Select("id, name, email, role").
		Where("account_id = ? AND status = ?", actor.Account.ID, StatusActive)
	if exclude = unique64(exclude); len(exclude) > MaxUsersPerAction {
		// They are the users being deactivated, and no action takes more.
		exclude = exclude[:MaxUsersPerAction]
	}
	if len(exclude) > 0 {
		q = q.Where(s.idNotIn("id", exclude))
	}
	err := q.Order("lower(name), id").Limit(limit).Scan(&recipients).Error
	return recipients, err
}

// CheckHandover validates a hand-over plan before the admin confirms it, with the rules the
// deactivation itself applies. Returns FieldErrors naming each unusable choice.
func (s *Store) CheckHandover(ctx context.Context, actor *Actor, ids []int64, plan HandoverPlan) error {
	if !actor.Allows(PermManageUsers) {
		return ErrForbidden
	}
	if _, err := cleanReason(plan.Reason); err != nil {
		return err
	}
	return checkRecipients(s.read(ctx), actor, unique64(ids), plan)
}

// checkRecipients requires every recipient to be an active user of the account who is not being
// deactivated too.
func checkRecipients(tx *gorm.DB, actor *Actor, ids []int64, plan HandoverPlan) error {
	for kind := range plan.RecordsByKind {
		if !slices.Contains(RecordKinds, kind) {
			return FieldErrors{"records_to": "Unknown kind of record: " + kind + "."}
		}
	}
	recipients := plan.recipients()
	if len(recipients) == 0 {
		return nil
	}
	leaving := map[int64]bool{}
	for _, id := range ids {
		leaving[id] = true
	}
	var active []int64
	if err := tx.Model(&User{}).Where("id IN ? AND account_id = ? AND status = ?", recipients, actor.Account.ID, StatusActive).
		Pluck("id", &active).Error; err != nil {
		return err
	}
	ok := map[int64]bool{}
	for _, id := range active {
		ok[id] = !leaving[id]
	}
	errs := FieldErrors{}
	check := func(field string, id int64) {
		if id != 0 && !ok[id] {
			errs[field] = "Choose an active user who is staying."
		}
	}
	check("records_to", plan.RecordsTo)
	for kind, to := range plan.RecordsByKind {
		check("records_to_"+kind, to)
	}
	check("groups_to", plan.GroupsTo)
	check("manager_to", plan.ManagerTo)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// moveRecords hands records to their recipients, each moved record with an ownership history
// line naming its previous owner, and returns what moved, per previous owner and kind. It takes a
// fixed number of statements per recipient, however many users and records: one on PostgreSQL
// (moveRecordsAtOnce), three on SQLite.
func (s *Store) moveRecords(tx *gorm.DB, actor *Actor, ids []int64, plan HandoverPlan, now time.Time) (map[int64]map[string]int64, error) {
	kindsFor := map[int64][]string{}
	for _, kind := range RecordKinds {
		if to := plan.recipientFor(kind); to != 0 {
			kindsFor[to] = append(kindsFor[to], kind)
		}
	}
	moved := map[int64]map[string]int64{}
	recipients := make([]int64, 0, len(kindsFor))
	for to := range kindsFor {
		recipients = append(recipients, to)
	}
	sort.Slice(recipients, func(i, j int) bool { return recipients[i] < recipients[j] })
	for _, to := range recipients {
		move := recordMove{ids: ids, records: plan.records, accountID: actor.Account.ID, kinds: kindsFor[to], includeClosed: plan.IncludeClosed, to: to,
			by: actor.User.ID, reason: plan.historyReason(), at: now}
		var counts []movedRecords
		var err error
		if s.IsPostgres() {
			counts, err = s.moveRecordsAtOnce(tx, move)
		} else {
			counts, err = s.moveRecordsInSteps(tx, move)
		}
		if err != nil {
			return nil, err
		}
		for _, c := range counts {
			if moved[c.OwnerID] == nil {
				moved[c.OwnerID] = map[string]int64{}
			}
			moved[c.OwnerID][c.Kind] += c.N
		}
	}
	return moved, nil
}

// recordMove is one recipient's share of a hand-over: the records of kinds that ids own (open
// ones only unless includeClosed) go to to, recorded as changed by by, for reason, at at.
type recordMove struct {
	ids []int64
	// records, when not nil, moves these records of accountID instead of what ids own.
	records       []int64
	accountID     int64
	kinds         []string
	includeClosed bool
	to, by        int64
	reason        string
	at            time.Time
}

// movedRecords counts the records one previous owner handed over, of one kind.
type movedRecords struct {
	OwnerID int64
	Kind    string
	N       int64
}

// moveRecordsAtOnce is the PostgreSQL hand-over: one statement moves the records, writes their
// history lines from what the move returned and counts them, so that there is exactly one line per
// record that moved, naming the owner it had just before (re-checked on the latest row version
// when a concurrent writer got there first), and the counts are those of the lines. Most of the
// cost is the writing itself, a new version of each record and a history row, each with its index
// entries; the foreign keys' per-row checks are gone (migration 00007).
func (s *Store) moveRecordsAtOnce(tx *gorm.DB, m recordMove) ([]movedRecords, error) {
	scope := func(table string) string {
		where := table + ".owner_id = ANY(CAST(@ids AS BIGINT[])) AND " + table + ".kind IN @kinds"
		if m.records != nil {
			where = table + ".id = ANY(CAST(@records AS BIGINT[])) AND " + table + ".account_id = @account AND " + table + ".kind IN @kinds"
		}
		if !m.includeClosed {
			where += " AND " + table + ".is_open"
		}
		return where
	}
	// The scope is repeated on "was" (the rows as they were) so that both sides of the self-join
	// are read through records_owner, not the whole table.
	sql := `WITH moved AS (
    UPDATE records SET owner_id = @to, updated_at = @at, handed_over_at = @at, handed_over_from_id = was.owner_id
    FROM records AS was
    WHERE was.id = records.id AND was.owner_id = records.owner_id AND was.owner_id <> @to AND ` + scope("records") + ` AND ` + scope("was") + `
    RETURNING records.account_id, records.id, records.kind, was.owner_id
), history AS (
    INSERT INTO record_ownership_changes (account_id, record_id, from_user_id, to_user_id, changed_by_id, reason, changed_at)
    SELECT account_id, id, owner_id, @to, @by, @reason, @at FROM moved
)
SELECT owner_id, kind, count(*) AS n FROM moved GROUP BY owner_id, kind`
	var counts []movedRecords
	err := tx.Raw(sql, map[string]any{"ids": idArray(m.ids), "records": idArray(m.records), "account": m.accountID,
		"kinds": m.kinds, "to": m.to, "by": m.by, "reason": m.reason, "at": m.at}).
		Scan(&counts).Error
	return counts, err
}

// moveRecordsInSteps is the portable hand-over (SQLite has no data-modifying WITH): count what
// will move, write the history lines while the old owners are still on the rows, then move. The
// caller's transaction holds the database's write lock throughout, so the three agree.
func (s *Store) moveRecordsInSteps(tx *gorm.DB, m recordMove) ([]movedRecords, error) {
	scope := func(db *gorm.DB) *gorm.DB {
		if m.records != nil {
			db = db.Where(s.idIn("records.id", m.records)).Where("records.account_id = ?", m.accountID)
		} else {
			db = db.Where(s.idIn("records.owner_id", m.ids))
		}
		db = db.Where("records.kind IN ?", m.kinds).Where("records.owner_id <> ?", m.to)
		if !m.includeClosed {
			db = db.Where("records.is_open = ?", true)
		}
		return db
	}
	var counts []movedRecords
	if err := scope(tx.Model(&Record{})).Select("owner_id, kind, count(*) AS n").Group("owner_id, kind").Scan(&counts).Error; err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, nil
	}
	history := scope(tx.Model(&Record{})).Select("records.account_id, records.id, records.owner_id, ?, ?, ?, ?",
		m.to, m.by, m.reason, m.at)
	if err := tx.Exec("INSERT INTO record_ownership_changes (account_id, record_id, from_user_id, to_user_id, changed_by_id, reason, changed_at) ?",
		history).Error; err != nil {
		return nil, err
	}
	if err := scope(tx.Model(&Record{})).Updates(map[string]any{"owner_id": m.to, "updated_at": m.at,
		"handed_over_at": m.at, "handed_over_from_id": gorm.Expr("owner_id")}).Error; err != nil {
		return nil, err
	}
	return counts, nil
}

// historyReason is the reason an ownership history line records: what kind of hand-over it was,
// and the admin's reason if they gave one.
func (p HandoverPlan) historyReason() string {
	label := p.historyLabel
	if label == "" {
		label = "deactivation hand-over"
	}
	if p.Reason == "" {
		return label
	}
	return label + ": " + p.Reason
}

// transferGroups gives the groups the leaving users own to a new owner, who becomes a member
// too, and returns the groups' IDs.
func (s *Store) transferGroups(tx *gorm.DB, ids []int64, to int64, now time.Time) ([]int64, error) {
	var groupIDs []int64
	if err := tx.Model(&Group{}).Where(s.idIn("owner_id", ids)).Order("id").Pluck("id", &groupIDs).Error; err != nil || len(groupIDs) == 0 {
		return nil, err
	}
	if err := tx.Model(&Group{}).Where("id IN ?", groupIDs).Update("owner_id", to).Error; err != nil {
		return nil, err
	}
	join := tx.Model(&Group{}).Select("groups.id, ?, groups.account_id, ?", to, now).
		Where("groups.id IN ? AND NOT EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = groups.id AND gm.user_id = ?)", groupIDs, to)
	if err := tx.Exec("INSERT INTO group_members (group_id, user_id, account_id, created_at) ?", join).Error; err != nil {
		return nil, err
	}
	return groupIDs, nil
}

// finishDeactivation flips the users' status, releases their seats, drops their leave dates and
// writes the audit trail, with what moved so that the hand-over can be undone.
func (s *Store) finishDeactivation(tx *gorm.DB, actor *Actor, impact *DeactivationImpact, plan HandoverPlan, moved map[int64]map[string]int64, managedIDs map[int64][]int64, now time.Time, way string, result *DeactivationResult) error {
	ids := make([]int64, len(impact.Users))
	var demote []int64
	ledger := make([]SeatLedgerEntry, 0, len(impact.Users))
	audit := make([]AuditEvent, 0, len(impact.Users))
	for i, ui := range impact.Users {
		u := ui.User
		ids[i] = u.ID
		if rolesDemotedBeforeDeactivation[u.Role] {
			demote = append(demote, u.ID)
		}
		if u.PlanID != nil {
			ledger = append(ledger, seatEntry(&u, -1, 0, SeatReasonDeactivated, &actor.User.ID, now))
		}
		details := deactivationDetails(ui, plan, moved[u.ID], managedIDs[u.ID], way)
		target := u.ID
		audit = append(audit, auditRow(actor, AuditUserDeactivated, &target, now, details))
	}
	if len(demote) > 0 {
		if err := tx.Model(&User{}).Where(s.idIn("id", demote)).Update("role", RoleMember).Error; err != nil {
			return err
		}
		result.Demoted += len(demote)
	}
	if err := tx.Model(&User{}).Where(s.idIn("id", ids)).
		Updates(map[string]any{"status": StatusInactive, "deactivated_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	if err := recordSeatChanges(tx, ledger); err != nil {
		return err
	}
	// A leave date they had is moot now, whichever way they left.
	if err := tx.Where(s.idIn("user_id", ids)).Delete(&ScheduledDeactivation{}).Error; err != nil {
		return err
	}
	return writeAudit(tx, audit...)
}

// deactivationDetails are a deactivated user's audit details: the role and seat they lost, and
// what the hand-over moved where, which undoing it reads back (handoverDetails).
func deactivationDetails(ui UserImpact, plan HandoverPlan, moved map[string]int64, managedIDs []int64, way string) map[string]any {
	u := ui.User
	details := map[string]any{"records_moved": moved, "sessions_ended": ui.OpenSessions}
	if rolesDemotedBeforeDeactivation[u.Role] {
		details["demoted_from"] = string(u.Role)
	}
	if u.PlanID != nil && ui.Plan != nil {
		details["seat_released"] = ui.Plan.Name
	}
	addMovedDetails(details, ui, plan, managedIDs)
	if plan.Reason != "" {
		details["reason"] = plan.Reason
	}
	if way != "" {
		details["way"] = way
	}
	return details
}

// addMovedDetails adds to a deactivation's details who received the user's records, groups and
// reports, and which groups and reports went.
func addMovedDetails(details map[string]any, ui UserImpact, plan HandoverPlan, managedIDs []int64) {
	if plan.RecordsTo != 0 || len(plan.RecordsByKind) > 0 {
		details["records_to"] = plan.RecordsTo
		if len(plan.RecordsByKind) > 0 {
			details["records_to_by_kind"] = plan.RecordsByKind
		}
	}
	if plan.GroupsTo != 0 && len(ui.OwnedGroups) > 0 {
		groupIDs := make([]int64, len(ui.OwnedGroups))
		for i, g := range ui.OwnedGroups {
			groupIDs[i] = g.ID
		}
		details["groups_to"], details["groups_moved"], details["group_ids"] = plan.GroupsTo, len(ui.OwnedGroups), groupIDs
	}
	if plan.ManagerTo != 0 && ui.ManagedUsers > 0 {
		details["manager_to"], details["managed_moved"] = plan.ManagerTo, ui.ManagedUsers
	}
	if len(managedIDs) > 0 {
		details["managed_ids"] = managedIDs
	}
}

// Reactivate makes inactive users active again, each taking a seat of their plan. If any plan
// lacks seats, nothing changes and SeatsExhaustedError names each plan and how many seats are
// missing. Records stay with whoever received them.
func (s *Store) Reactivate(ctx context.Context, actor *Actor, ids []int64) (int, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.lockSeatPlansThenUsers(tx, actor, ids)
		if err != nil {
			return err
		}
		if err := refuseEach("Reactivate", users, func(u *User) string {
			switch {
			case u.Status != StatusInactive:
				return "Not inactive (" + string(u.Status) + ")."
			case !actor.CanActOn(u):
				return actor.ActRefusal(u)
			case u.DeletionDueAt != nil:
				return "Scheduled for deletion: undo the delete first."
			case u.PlanID == nil:
				return "Has no plan: give them a plan first."
			}
			return ""
		}); err != nil {
			return err
		}
		needed := map[int64]int{}
		for _, u := range users {
			needed[*u.PlanID]++
		}
		if err := claimSeats(tx, actor.Account.ID, needed); err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).
			Updates(map[string]any{"status": StatusActive, "deactivated_at": nil, "updated_at": now}).Error; err != nil {
			return err
		}
		ledger := make([]SeatLedgerEntry, len(users))
		audit := make([]AuditEvent, len(users))
		for i := range users {
			ledger[i] = seatEntry(&users[i], 1, 0, SeatReasonReactivated, &actor.User.ID, now)
			audit[i] = auditRow(actor, AuditUserReactivated, &users[i].ID, now, nil)
		}
		if err := recordSeatChanges(tx, ledger); err != nil {
			return err
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}
