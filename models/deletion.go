package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DeletionMode is what deleting a user does to them.
type DeletionMode string

const (
	// DeleteAnonymise erases name, e-mail, phone and picture; records, ownership history and
	// activity stay, shown as DeletedUserName.
	DeleteAnonymise DeletionMode = "anonymise"
	// DeleteWithHistory anonymises and also removes their activity, so team statistics stop
	// counting them.
	DeleteWithHistory DeletionMode = "with_history"
	// DeleteRemove removes the row itself; only for users who own nothing and have no history.
	DeleteRemove DeletionMode = "remove"
)

// DeletionModes lists the outcomes in the order the delete page explains them.
var DeletionModes = []DeletionMode{DeleteAnonymise, DeleteWithHistory, DeleteRemove}

// ParseDeletionMode returns the mode named s, or false when s names none.
func ParseDeletionMode(s string) (DeletionMode, bool) {
	for _, m := range DeletionModes {
		if string(m) == s {
			return m, true
		}
	}
	return "", false
}

// Audit actions of deletions. Their details never hold personal data.
const (
	AuditDeletionScheduled = "user.deletion_scheduled"
	AuditDeletionUndone    = "user.deletion_undone"
	AuditUserDeleted       = "user.deleted"
	AuditDeletionCancelled = "user.deletion_cancelled"
)

// DeletionReason is why a mode of deletion is not allowed, with where to fix it.
type DeletionReason struct {
	Message string
	// Fix names what resolves the reason, for UserID; FixNone when nothing does. FixLabel says
	// it as a link text.
	Fix      DeletionFix
	FixLabel string
	UserID   int64
}

// DeletionFix is what resolves a reason a deletion is refused; views turn it into a link.
type DeletionFix string

const (
	FixNone DeletionFix = ""
	// FixPromoteOwner: make another active user an owner (from the user list).
	FixPromoteOwner DeletionFix = "promote-owner"
	// FixTransfer: transfer their groups, reports or records (the transfer page).
	FixTransfer DeletionFix = "transfer"
	// FixAnonymise: choose anonymising on the delete page.
	FixAnonymise DeletionFix = "anonymise"
)

// DeletionOptions says which outcomes a user's deletion may have, and why the others may not.
type DeletionOptions struct {
	User      User
	GraceDays int
	// DueAt is when a deletion asked for now would be carried out.
	DueAt time.Time
	// Refused holds, per mode, each reason that mode is not allowed; a mode without reasons is allowed.
	Refused map[DeletionMode][]DeletionReason
	// Scheduled is true when the user already waits for deletion.
	Scheduled bool
	// Refusal is why this user cannot be deleted at all now (still active, yourself, out of
	// reach), or "": the delete page is then no place to be, and the profile says why once.
	Refusal string
}

// Allowed tells whether mode may be chosen.
func (o *DeletionOptions) Allowed(mode DeletionMode) bool { return len(o.Refused[mode]) == 0 }

// deletionRefusals computes, for each user and mode, why the mode is not allowed, with a fixed
// number of queries however many users are selected. It checks the rules that depend on other
// rows (ownership, management, history), not the user's own status.
func (s *Store) deletionRefusals(db *gorm.DB, accountID int64, users []User) (map[int64]map[DeletionMode][]DeletionReason, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	ties, err := s.deletionTiesOf(db, ids)
	if err != nil {
		return nil, err
	}
	otherOwners, err := s.otherActiveOwners(db, accountID, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[DeletionMode][]DeletionReason{}
	for _, u := range users {
		every := ties.everyModeRefusals(u, otherOwners == 0)
		remove := ties.removeRefusals(u, len(every) > 0)
		out[u.ID] = map[DeletionMode][]DeletionReason{
			DeleteAnonymise:   every,
			DeleteWithHistory: every,
			DeleteRemove:      append(append([]DeletionReason{}, every...), remove...),
		}
	}
	return out, nil
}

// userCountQuery counts, per user, the rows of model whose column names them, among those where
// where holds (when given).
type userCountQuery struct {
	model  any
	column string
	where  string
	args   []any
}

// userHistory are the rows that give a user history. Acting on other people is history too, and
// so is anything done while acting as someone else; what happened to the user themselves is not.
var userHistory = []userCountQuery{
	{model: &Record{}, column: "created_by_id"},
	{model: &Activity{}, column: "user_id"},
	{model: &RecordOwnershipChange{}, column: "from_user_id"},
	{model: &RecordOwnershipChange{}, column: "to_user_id"},
	{model: &RecordOwnershipChange{}, column: "changed_by_id"},
	{model: &AuditEvent{}, column: "actor_id", where: "target_user_id IS NULL OR target_user_id <> actor_id"},
	{model: &AuditEvent{}, column: "real_actor_id"},
}

// deletionTies are, per user, what ties them to the account's other rows.
type deletionTies struct {
	groups, managed, owned, history map[int64]int64
}

func (s *Store) deletionTiesOf(db *gorm.DB, ids []int64) (*deletionTies, error) {
	ties := &deletionTies{history: map[int64]int64{}}
	for _, c := range []struct {
		into  *map[int64]int64
		query userCountQuery
	}{
		{&ties.groups, userCountQuery{model: &Group{}, column: "owner_id"}},
		{&ties.managed, userCountQuery{model: &User{}, column: "manager_id", where: "status <> ?", args: []any{StatusDeleted}}},
		{&ties.owned, userCountQuery{model: &Record{}, column: "owner_id"}},
	} {
		n, err := s.countPerUser(db, ids, c.query)
		if err != nil {
			return nil, err
		}
		*c.into = n
	}
	for _, q := range userHistory {
		n, err := s.countPerUser(db, ids, q)
		if err != nil {
			return nil, err
		}
		for id, c := range n {
			ties.history[id] += c
		}
	}
	return ties, nil
}

// countPerUser runs q for the users ids; users without rows are left out.
func (s *Store) countPerUser(db *gorm.DB, ids []int64, q userCountQuery) (map[int64]int64, error) {
	var rows []struct {
		ID int64
		N  int64
	}
	query := db.Model(q.model).Select(q.column + " AS id, count(*) AS n").Where(s.idIn(q.column, ids))
	if q.where != "" {
		query = query.Where(q.where, q.args...)
	}
	if err := query.Group(q.column).Scan(&rows).Error; err != nil {
		return nil, err
	}
	m := map[int64]int64{}
	for _, r := range rows {
		m[r.ID] = r.N
	}
	return m, nil
}

// everyModeRefusals are why u can be deleted in no way at all: what must have another holder first.
func (t *deletionTies) everyModeRefusals(u User, lastOwner bool) []DeletionReason {
	var every []DeletionReason
	if u.Role == RoleOwner && lastOwner {
		every = append(every, DeletionReason{Message: "Is the last owner of the account: make someone else an owner first.",
			Fix: FixPromoteOwner, FixLabel: "See the active users", UserID: u.ID})
	}
	if n := t.groups[u.ID]; n > 0 {
		every = append(every, DeletionReason{Message: fmt.Sprintf("Owns %s: give them a new administrator first.", Count(n, "group", "groups")),
			Fix: FixTransfer, FixLabel: "Transfer their groups", UserID: u.ID})
	}
	if n := t.managed[u.ID]; n > 0 {
		every = append(every, DeletionReason{Message: fmt.Sprintf("Manages %s: give them another manager first.", Count(n, "user", "users")),
			Fix: FixTransfer, FixLabel: "Transfer the people they manage", UserID: u.ID})
	}
	return every
}

// removeRefusals are why u cannot be removed with everything they did: records they own, and history.
func (t *deletionTies) removeRefusals(u User, refusedEveryWay bool) []DeletionReason {
	var remove []DeletionReason
	if n := t.owned[u.ID]; n > 0 {
		remove = append(remove, DeletionReason{Message: fmt.Sprintf("Owns %s: transfer them, or anonymise instead.", Count(n, "record", "records")),
			Fix: FixTransfer, FixLabel: "Transfer their records", UserID: u.ID})
	}
	if t.history[u.ID] > 0 {
		// Nothing undoes history; the way out is anonymising, offered as a link only when
		// anonymising is allowed, so that it never leads to a page where it is refused.
		reason := DeletionReason{Message: "Has history (records created, ownership changes, activity or actions on others): anonymise instead.",
			Fix: FixAnonymise, FixLabel: "Anonymise instead", UserID: u.ID}
		if refusedEveryWay {
			reason = DeletionReason{Message: "Has history (records created, ownership changes, activity or actions on others): anonymise instead, once the reasons above are resolved."}
		}
		remove = append(remove, reason)
	}
	return remove
}

// deletionStatusRefusal is why a user's status or the actor rules out scheduling a deletion, or "".
func deletionStatusRefusal(actor *Actor, u *User) string {
	switch {
	case u.ID == actor.User.ID:
		return "You cannot delete yourself."
	case !actor.CanActOn(u):
		return actor.ActRefusal(u)
	case u.Status != StatusInactive:
		return "Only inactive users can be deleted: deactivate them first."
	case u.DeletionDueAt != nil:
		return "Already scheduled for deletion."
	}
	return ""
}

// DeletionCandidates loads the selected users for the delete page of several users. Returns
// ErrNotFound if any is deleted or in another account, FieldErrors for an empty selection.
func (s *Store) DeletionCandidates(ctx context.Context, actor *Actor, ids []int64) ([]User, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return nil, err
	}
	return s.selectedUsers(s.read(ctx), actor, ids, false)
}

// DeletionOptions loads what the delete page shows for one user. Returns ErrForbidden when the
// actor may not manage users, ErrNotFound for deleted users and users of other accounts.
func (s *Store) DeletionOptions(ctx context.Context, actor *Actor, id int64) (*DeletionOptions, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	users, err := s.selectedUsers(db, actor, []int64{id}, false)
	if err != nil {
		return nil, err
	}
	refusals, err := s.deletionRefusals(db, actor.Account.ID, users)
	if err != nil {
		return nil, err
	}
	u := users[0]
	opts := &DeletionOptions{User: u, Refused: refusals[u.ID], Scheduled: u.DeletionDueAt != nil}
	opts.GraceDays, opts.DueAt = s.DeletionDueDate(actor)
	opts.Refusal = deletionStatusRefusal(actor, &u)
	return opts, nil
}

// DeletionDueDate is the grace period of the actor's account and the day a deletion scheduled
// now would be carried out.
func (s *Store) DeletionDueDate(actor *Actor) (days int, due time.Time) {
	days = graceDays(actor.Account)
	return days, s.now().AddDate(0, 0, days)
}

func graceDays(a *Account) int {
	if a.DeletionGraceDays < 0 {
		return 0
	}
	return a.DeletionGraceDays
}

// DeletionResult says what ScheduleDeletion did.
type DeletionResult struct {
	Users int
	// DueAt is when the deletion will be carried out; zero when it was carried out at once.
	DueAt time.Time
}

// ScheduleDeletion deletes inactive users with mode after the account's grace period, or at
// once when eraseNow is set (privacy requests). All or nothing: if any user may not be deleted
// this way, nothing changes and BulkRefusal names each user with the reasons. Until the deletion
// is carried out the users stay inactive, listed as scheduled for deletion, and UndoDeletion
// brings them back. Returns ErrForbidden, ErrNotFound for IDs outside the account, FieldErrors
// for an unknown mode or an empty selection.
func (s *Store) ScheduleDeletion(ctx context.Context, actor *Actor, ids []int64, mode DeletionMode, eraseNow bool) (*DeletionResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	if _, ok := ParseDeletionMode(string(mode)); !ok {
		return nil, FieldErrors{"mode": "Choose what deleting does."}
	}
	ids, err := selection(ids)
	if err != nil {
		return nil, err
	}
	result := &DeletionResult{Users: len(ids)}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		due, err := s.scheduleDeletion(tx, actor, ids, mode, eraseNow, s.now())
		result.DueAt = due
		return err
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// scheduleDeletion is ScheduleDeletion in the caller's transaction, for a valid mode and a
// non-empty selection: it locks the users, applies every rule (BulkRefusal when any user may not
// be deleted this way), schedules the deletion after the account's grace period and writes one
// audit event each; with eraseNow it carries the deletion out at once. Returns when the deletion
// is due, or the zero time when it was carried out.
func (s *Store) scheduleDeletion(tx *gorm.DB, actor *Actor, ids []int64, mode DeletionMode, eraseNow bool, now time.Time) (time.Time, error) {
	var account Account
	if err := tx.Where("id = ?", actor.Account.ID).Take(&account).Error; err != nil {
		return time.Time{}, err
	}
	users, err := s.selectedUsers(tx, actor, ids, true)
	if err != nil {
		return time.Time{}, err
	}
	refusals, err := s.deletionRefusals(tx, actor.Account.ID, users)
	if err != nil {
		return time.Time{}, err
	}
	if err := refuseEach("Delete", users, func(u *User) string {
		reasons := []string{}
		if msg := deletionStatusRefusal(actor, u); msg != "" {
			reasons = append(reasons, msg)
		}
		for _, r := range refusals[u.ID][mode] {
			reasons = append(reasons, r.Message)
		}
		return strings.Join(reasons, " ")
	}); err != nil {
		return time.Time{}, err
	}
	due := now.AddDate(0, 0, graceDays(&account))
	if eraseNow {
		due = now
	}
	if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Updates(map[string]any{
		"deletion_mode": string(mode), "deletion_due_at": due, "deletion_requested_by_id": actor.User.ID, "updated_at": now,
	}).Error; err != nil {
		return time.Time{}, err
	}
	audit := make([]AuditEvent, len(users))
	for i := range users {
		audit[i] = auditRow(actor, AuditDeletionScheduled, &users[i].ID, now,
			map[string]any{"mode": string(mode), "due_at": due, "erase_now": eraseNow})
	}
	if err := writeAudit(tx, audit...); err != nil {
		return time.Time{}, err
	}
	if !eraseNow {
		return due, nil
	}
	for i := range users {
		users[i].DeletionMode, users[i].DeletionRequestedByID = ptr(string(mode)), &actor.User.ID
	}
	return time.Time{}, s.carryOut(tx, users, now)
}

func ptr[T any](v T) *T { return &v }

// UndoDeletion brings users scheduled for deletion back as plain inactive users. All or
// nothing: BulkRefusal names users who are not scheduled. Returns ErrNotFound for users already
// deleted or of other accounts.
func (s *Store) UndoDeletion(ctx context.Context, actor *Actor, ids []int64) (int, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.selectedUsers(tx, actor, ids, true)
		if err != nil {
			return err
		}
		if err := refuseEach("Undo delete", users, func(u *User) string {
			switch {
			case !actor.CanActOn(u):
				return actor.ActRefusal(u)
			case u.DeletionDueAt == nil:
				return "Not scheduled for deletion."
			}
			return ""
		}); err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Updates(map[string]any{
			"deletion_mode": nil, "deletion_due_at": nil, "deletion_requested_by_id": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		audit := make([]AuditEvent, len(users))
		for i := range users {
			audit[i] = auditRow(actor, AuditDeletionUndone, &users[i].ID, now, map[string]any{"mode": *users[i].DeletionMode})
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// CarryOutDueDeletions carries out up to limit deletions whose grace period has ended and says
// how many it carried out. Each runs in its own transaction that takes the account lock first
// (the lock order) and then claims the user with a row lock that others skip, checking again that
// the deletion is still due: with several servers each deletion happens once. A deletion whose
// mode is no longer allowed (the user was given a group meanwhile, say) is cancelled with an
// audit event instead.
func (s *Store) CarryOutDueDeletions(ctx context.Context, limit int) (int, error) {
	done := 0
	for done < limit {
		due := func(db *gorm.DB) *gorm.DB {
			return db.Where("deletion_due_at IS NOT NULL AND deletion_due_at <= ? AND status = ?", s.now(), StatusInactive).
				Order("deletion_due_at, id").Limit(1)
		}
		var next []int64
		if err := due(s.read(ctx).Model(&User{})).Pluck("account_id", &next).Error; err != nil {
			return done, err
		}
		if len(next) == 0 {
			break
		}
		claimed := false
		err := s.changeAccount(ctx, next[0], func(tx *gorm.DB) error {
			var u User
			err := due(tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE", Options: "SKIP LOCKED"}).Where("account_id = ?", next[0])).
				Find(&u).Error
			if err != nil || u.ID == 0 {
				claimed = false
				return err
			}
			claimed = true
			return s.carryOutDue(tx, u)
		})
		if errors.Is(err, ErrBusy) {
			// Another server holds the account for work of its own; the next round picks this up.
			break
		}
		if err != nil {
			return done, err
		}
		if !claimed {
			// Another server took it meanwhile; the next round picks up what is left.
			break
		}
		done++
	}
	return done, nil
}

// carryOutDue carries out one claimed due deletion, or cancels it when its mode is no longer
// allowed.
func (s *Store) carryOutDue(tx *gorm.DB, u User) error {
	now := s.now()
	refusals, err := s.deletionRefusals(tx, u.AccountID, []User{u})
	if err != nil {
		return err
	}
	if reasons := refusals[u.ID][DeletionMode(*u.DeletionMode)]; len(reasons) > 0 {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"deletion_mode": nil, "deletion_due_at": nil, "deletion_requested_by_id": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		messages := make([]string, len(reasons))
		for i, r := range reasons {
			messages[i] = r.Message
		}
		return writeAudit(tx, auditEntry{Account: u.AccountID, Actor: u.DeletionRequestedByID, Action: AuditDeletionCancelled,
			Target: &u.ID, Details: map[string]any{"mode": *u.DeletionMode, "reasons": messages}, At: now}.event())
	}
	return s.carryOut(tx, []User{u}, now)
}

// RunDeletions carries out due deletions until ctx ends, every interval.
func (s *Store) RunDeletions(ctx context.Context, interval time.Duration, report func(error)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		_, err := s.CarryOutDueDeletions(ctx, 100)
		if ctx.Err() != nil {
			return
		}
		s.observe().JobRan(JobDeletions, err)
		if err != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// carryOut deletes locked users for good, each as their DeletionMode says, writing one audit
// event each in the caller's transaction. Rules were checked by the caller.
func (s *Store) carryOut(tx *gorm.DB, users []User, now time.Time) error {
	byMode := map[DeletionMode][]User{}
	for _, u := range users {
		byMode[DeletionMode(*u.DeletionMode)] = append(byMode[DeletionMode(*u.DeletionMode)], u)
	}
	modes := make([]string, 0, len(byMode))
	for m := range byMode {
		modes = append(modes, string(m))
	}
	sort.Strings(modes)
	for _, m := range modes {
		group := byMode[DeletionMode(m)]
		ids := make([]int64, len(group))
		for i, u := range group {
			ids[i] = u.ID
		}
		if err := s.erasePersonalTraces(tx, group); err != nil {
			return err
		}
		var err error
		switch DeletionMode(m) {
		case DeleteRemove:
			err = s.removeUsers(tx, ids)
		case DeleteWithHistory:
			if err = tx.Where(s.idIn("user_id", ids)).Delete(&Activity{}).Error; err == nil {
				err = s.anonymiseUsers(tx, ids, now)
			}
		default:
			err = s.anonymiseUsers(tx, ids, now)
		}
		if err != nil {
			return err
		}
		audit := make([]AuditEvent, len(group))
		for i, u := range group {
			details := map[string]any{"mode": m}
			target := &group[i].ID
			if DeletionMode(m) == DeleteRemove {
				details["removed_user_id"], target = u.ID, nil
			}
			audit[i] = auditEntry{Account: u.AccountID, Actor: u.DeletionRequestedByID, Action: AuditUserDeleted,
				Target: target, Details: details, At: now}.event()
		}
		if err := writeAudit(tx, audit...); err != nil {
			return err
		}
	}
	return nil
}

// erasePersonalTraces removes the users' name and e-mail address from the rows that copied
// them: mail to them is deleted, mail about them (an invitation they sent names them) has both
// replaced by "(deleted user)"; failed sign-ins with their address go; and their IP addresses
// and devices go with their sessions, whose cookies die with them. The audit log keeps its
// events unchanged (it is append-only, and refers to users by ID with details that never hold
// personal data); only the client addresses kept beside it are deleted: those of events the
// users did, themselves or while acting as someone else, and of events without an actor about
// them (a reset link asked for from the sign-in page).
func (s *Store) erasePersonalTraces(tx *gorm.DB, users []User) error {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	if err := tx.Where(s.idIn("user_id", ids)).Delete(&UserSession{}).Error; err != nil {
		return err
	}
	if err := s.deletePictures(tx, ids); err != nil {
		return err
	}
	theirEvents := tx.Model(&AuditEvent{}).Select("id").Where(clause.Or(s.idIn("actor_id", ids), s.idIn("real_actor_id", ids),
		clause.And(clause.Expr{SQL: "actor_id IS NULL"}, s.idIn("target_user_id", ids))))
	if err := tx.Where("event_id IN (?)", theirEvents).Delete(&auditEventIP{}).Error; err != nil {
		return err
	}
	for _, u := range users {
		if email := u.EmailAddress(); email != "" {
			if err := tx.Where("account_id = ? AND lower(to_address) = lower(?)", u.AccountID, email).Delete(&OutboxMessage{}).Error; err != nil {
				return err
			}
			if err := tx.Where("lower(email) = lower(?)", email).Delete(&SignInFailure{}).Error; err != nil {
				return err
			}
		}
		for _, text := range []string{u.EmailAddress(), u.Name} {
			if strings.TrimSpace(text) == "" {
				continue
			}
			like := "%" + escapeLike(text) + "%"
			for _, column := range []string{"subject", "body", "action_url"} {
				if err := tx.Model(&OutboxMessage{}).Where("account_id = ? AND "+column+" LIKE ? ESCAPE '\\'", u.AccountID, like).
					Update(column, gorm.Expr("REPLACE("+column+", ?, ?)", text, DeletedUserName)).Error; err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// anonymiseUsers erases the users' personal data and makes them deleted; their open links stop
// working. The rows stay for the records, history and activity that point at them.
func (s *Store) anonymiseUsers(tx *gorm.DB, ids []int64, now time.Time) error {
	if err := tx.Model(&Invitation{}).Where(s.idIn("user_id", ids)).Where("accepted_at IS NULL AND revoked_at IS NULL").
		Update("revoked_at", now).Error; err != nil {
		return err
	}
	if err := tx.Model(&PasswordReset{}).Where(s.idIn("user_id", ids)).Where("used_at IS NULL AND replaced_at IS NULL").
		Update("replaced_at", now).Error; err != nil {
		return err
	}
	if err := s.deletePictures(tx, ids); err != nil {
		return err
	}
	return tx.Model(&User{}).Where(s.idIn("id", ids)).Updates(map[string]any{
		"name": DeletedUserName, "email": nil, "phone": "", "picture_url": "", "password_hash": "",
		"status": StatusDeleted, "deletion_due_at": nil, "updated_at": now,
	}).Error
}

// removeUsers deletes the users' rows and what belongs only to them. References from other
// rows that are not history (who invited whom, who asked for a reset, the seat ledger) lose the
// person and keep the fact. The audit log is left as written: its events name users by ID
// without a foreign key (migration 00009), so they go on saying "Removed user #ID".
func (s *Store) removeUsers(tx *gorm.DB, ids []int64) error {
	for _, model := range []any{&GroupMember{}, &Invitation{}, &PasswordReset{}} {
		if err := tx.Where(s.idIn("user_id", ids)).Delete(model).Error; err != nil {
			return err
		}
	}
	nullify := []struct {
		model  any
		column string
	}{
		{&Invitation{}, "invited_by_id"}, {&PasswordReset{}, "requested_by_id"}, {&User{}, "invited_by_id"},
		{&User{}, "manager_id"}, {&User{}, "deletion_requested_by_id"},
		{&SeatLedgerEntry{}, "user_id"}, {&SeatLedgerEntry{}, "actor_id"},
	}
	for _, n := range nullify {
		if err := tx.Model(n.model).Where(s.idIn(n.column, ids)).Update(n.column, nil).Error; err != nil {
			return err
		}
	}
	return tx.Where(s.idIn("id", ids)).Delete(&User{}).Error
}

// jsonDetails encodes audit details for an event written without an acting user.
