package models

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// What happens to a user once their account has been transferred (AccountTransfer.Then).
const (
	// TransferThenDeactivate deactivates them the way the wizard does.
	TransferThenDeactivate = "deactivate"
	// TransferThenDelete deactivates them the way the wizard does, then schedules their deletion
	// after the account's grace period, as AccountTransfer.DeletionMode says.
	TransferThenDelete = "delete"
	// TransferThenLeave leaves them as they are, now a member who owns nothing.
	TransferThenLeave = "leave"
)

// TransferThens lists the choices of AccountTransfer.Then, in the order a form offers them.
var TransferThens = []string{TransferThenDeactivate, TransferThenLeave, TransferThenDelete}

// TransferDeletionModes are the deletion modes a transfer may end with. DeleteRemove is not one:
// after a transfer the user has history.
var TransferDeletionModes = []DeletionMode{DeleteAnonymise, DeleteWithHistory}

// AccountTransfer is "transfer this account to another user": To takes over everything the
// user is responsible for, then Then happens to them.
type AccountTransfer struct {
	To     int64
	Then   string
	Reason string
	// DeletionMode and EraseNow say how a TransferThenDelete deletes them, as ScheduleDeletion
	// does; an empty mode means DeleteAnonymise. Both are ignored for the other choices.
	DeletionMode DeletionMode
	EraseNow     bool
}

// TransferResult says what a transfer moved.
type TransferResult struct {
	From, To      User
	RecordsMoved  int64
	RecordsByKind map[string]int64
	GroupsMoved   int64
	ManagedMoved  int64
	// groupIDs and managedIDs are the groups and reports that moved, for the audit event.
	groupIDs, managedIDs []int64
	// RoleGiven is the role To received, or "" when To already had as many rights.
	RoleGiven Role
	// Demoted is true when From lost a role above member.
	Demoted       bool
	Deactivated   bool
	SessionsEnded int64
	Then          string
	// DeletionMode is how they are deleted when Then is TransferThenDelete, else "".
	DeletionMode DeletionMode
	// DeletionDueAt is when their deletion will be carried out; zero when it was carried out at
	// once (Erased) or none was asked for.
	DeletionDueAt time.Time
	Erased        bool
}

// TransferAllowed tells whether the actor may transfer u's account, so that a form can explain
// a refusal before anyone fills it in. Returns TransferRefusedError when not.
func TransferAllowed(actor *Actor, u *User) error {
	switch {
	case u.Status == StatusInvited:
		return TransferRefusedError{"They have not joined yet and own nothing: revoke the invitation instead."}
	case u.Status != StatusActive && u.Status != StatusInactive:
		return TransferRefusedError{"Only active and inactive users can be transferred."}
	case !actor.CanActOn(u):
		return TransferRefusedError{actor.ActRefusal(u)}
	}
	return nil
}

const transferHistoryLabel = "account transfer"

// TransferAccount moves everything the user fromID is responsible for to t.To in one transaction:
// every record, open and closed, with an ownership history line each; the groups they own; the
// people they manage; and their role, when it carries more rights than To's (they become a
// member). Then it deactivates them exactly as the wizard does; or deactivates them and schedules
// their deletion with t.DeletionMode exactly as ScheduleDeletion does, carried out at once with
// t.EraseNow; or leaves them as they are. One audit event on fromID records what moved.
//
// Returns ErrNotFound when fromID is not a user of the actor's account, TransferRefusedError
// when they cannot be transferred at all, and FieldErrors for an unusable recipient ("to"), an
// unknown or refused choice of what happens next ("then"), a deletion mode a transfer does not
// offer ("mode") or a reason that is too long ("reason"). Nothing changes unless everything does.
func (s *Store) TransferAccount(ctx context.Context, actor *Actor, fromID int64, t AccountTransfer) (*TransferResult, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	if errs := t.normalise(); len(errs) > 0 {
		return nil, errs
	}
	result := &TransferResult{}
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		*result = TransferResult{Then: t.Then, DeletionMode: t.DeletionMode} // a retried transaction starts again
		from, to, err := s.transferParties(tx, actor, fromID, t)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.handOverEverything(tx, actor, from, to, t, now, result); err != nil {
			return err
		}
		if err := s.keepAnOwner(tx, actor.Account.ID); err != nil {
			return err
		}
		if (t.Then == TransferThenDeactivate || t.Then == TransferThenDelete) && from.Status == StatusActive {
			if err := s.deactivateAfterTransfer(tx, actor, from.ID, t.Reason, now, result); err != nil {
				return err
			}
		}
		if err := tx.Create(ptr(transferAudit(actor, from.ID, to.ID, t, result, now))).Error; err != nil {
			return err
		}
		from.Role = RoleMember
		if result.Deactivated {
			from.Status = StatusInactive
		}
		if t.Then == TransferThenDelete {
			if err := s.deleteAfterTransfer(tx, actor, from, t, now, result); err != nil {
				return err
			}
		}
		result.From, result.To = *from, *to
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// normalise tidies the transfer's choices and says what is wrong with them, per field.
func (t *AccountTransfer) normalise() FieldErrors {
	errs := FieldErrors{}
	var reasonMsg string
	if t.Reason, reasonMsg = checkReason(t.Reason); reasonMsg != "" {
		errs["reason"] = reasonMsg
	}
	if !slices.Contains(TransferThens, t.Then) {
		errs["then"] = "Choose what happens to them after the transfer."
	}
	if t.Then == TransferThenDelete {
		if t.DeletionMode == "" {
			t.DeletionMode = DeleteAnonymise
		}
		if !slices.Contains(TransferDeletionModes, t.DeletionMode) {
			errs["mode"] = "Choose anonymise or delete with history."
		}
	} else {
		t.DeletionMode, t.EraseNow = "", false
	}
	if t.To <= 0 {
		errs["to"] = "Choose who takes over."
	}
	return errs
}

// transferParties locks the leaver and the recipient and checks that the actor may transfer
// one to the other.
func (s *Store) transferParties(tx *gorm.DB, actor *Actor, fromID int64, t AccountTransfer) (from, to *User, err error) {
	from, to, err = lockTransferUsers(tx, actor, fromID, t.To)
	if err != nil {
		return nil, nil, err
	}
	if err := s.requireReach(tx, actor, []User{*from}); err != nil {
		return nil, nil, err
	}
	if err := s.loadReach(tx, actor, []User{*to}); err != nil {
		return nil, nil, err
	}
	if err := checkTransfer(actor, from, to, t.Then); err != nil {
		return nil, nil, err
	}
	if RoleRank(from.Role) > RoleRank(to.Role) && !actor.CanGrantRole(from.Role) {
		return nil, nil, FieldErrors{"to": "Only an owner can hand over owner rights: " + to.Name + " is not an owner, so ask an owner to do this transfer, or choose an owner."}
	}
	return from, to, nil
}

// handOverEverything moves from's records (open and closed, with history), groups, reports and,
// when it carries more rights than to's, their role; from becomes a member.
func (s *Store) handOverEverything(tx *gorm.DB, actor *Actor, from, to *User, t AccountTransfer, now time.Time, result *TransferResult) error {
	moved, err := s.moveRecords(tx, actor, []int64{from.ID},
		HandoverPlan{RecordsTo: to.ID, IncludeClosed: true, Reason: t.Reason, historyLabel: transferHistoryLabel}, now)
	if err != nil {
		return err
	}
	result.RecordsByKind = moved[from.ID]
	result.RecordsMoved = 0
	for _, n := range result.RecordsByKind {
		result.RecordsMoved += n
	}
	if result.groupIDs, err = s.transferGroups(tx, []int64{from.ID}, to.ID, now); err != nil {
		return err
	}
	result.GroupsMoved = int64(len(result.groupIDs))
	reports := tx.Model(&User{}).Where("account_id = ? AND manager_id = ? AND id <> ? AND status <> ?", actor.Account.ID, from.ID, to.ID, StatusDeleted)
	if err := reports.Session(&gorm.Session{}).Order("id").Pluck("id", &result.managedIDs).Error; err != nil {
		return err
	}
	managed := reports.Updates(map[string]any{"manager_id": to.ID, "updated_at": now})
	if managed.Error != nil {
		return managed.Error
	}
	result.ManagedMoved = managed.RowsAffected
	if RoleRank(from.Role) > RoleRank(to.Role) {
		if err := tx.Model(&User{}).Where("id = ?", to.ID).Updates(map[string]any{"role": from.Role, "updated_at": now}).Error; err != nil {
			return err
		}
		result.RoleGiven = from.Role
		to.Role = from.Role
	}
	if from.Role != RoleMember {
		if err := tx.Model(&User{}).Where("id = ?", from.ID).Updates(map[string]any{"role": RoleMember, "updated_at": now}).Error; err != nil {
			return err
		}
		result.Demoted = true
	}
	return nil
}

// transferAudit is the one audit event on the leaver that records what moved.
func transferAudit(actor *Actor, fromID, toID int64, t AccountTransfer, result *TransferResult, now time.Time) AuditEvent {
	details := map[string]any{"to": toID, "records_moved": result.RecordsMoved, "groups_moved": result.GroupsMoved,
		"managed_moved": result.ManagedMoved, "role_given": string(result.RoleGiven), "then": t.Then}
	if len(result.groupIDs) > 0 {
		details["group_ids"] = result.groupIDs
	}
	if len(result.managedIDs) > 0 {
		details["managed_ids"] = result.managedIDs
	}
	if t.Then == TransferThenDelete {
		details["mode"], details["erase_now"] = string(t.DeletionMode), t.EraseNow
	}
	if t.Reason != "" {
		details["reason"] = t.Reason
	}
	return auditRow(actor, AuditAccountTransferred, &fromID, now, details)
}

// deleteAfterTransfer schedules the leaver's deletion as ScheduleDeletion does, or carries it
// out at once.
func (s *Store) deleteAfterTransfer(tx *gorm.DB, actor *Actor, from *User, t AccountTransfer, now time.Time, result *TransferResult) error {
	due, err := s.scheduleDeletion(tx, actor, []int64{from.ID}, t.DeletionMode, t.EraseNow, now)
	var refusal BulkRefusal
	if errors.As(err, &refusal) {
		return FieldErrors{"then": "They cannot be deleted: " + refusal.Reasons[from.ID]}
	}
	if err != nil {
		return err
	}
	result.DeletionDueAt, result.Erased = due, t.EraseNow
	if t.EraseNow {
		// Their name and address are gone: reread what is left of them.
		return tx.Where("id = ?", from.ID).Take(from).Error
	}
	return nil
}

// lockTransferUsers locks both users in ID order, so that two transfers between the same people
// cannot deadlock. Returns ErrNotFound when from is not a user of the account; a missing
// recipient is a FieldErrors on "to".
func lockTransferUsers(tx *gorm.DB, actor *Actor, fromID, toID int64) (from, to *User, err error) {
	var users []User
	if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
		Where("id IN ? AND account_id = ? AND status <> ?", unique64([]int64{fromID, toID}), actor.Account.ID, StatusDeleted).
		Order("id").Find(&users).Error; err != nil {
		return nil, nil, err
	}
	for i := range users {
		if users[i].ID == fromID {
			from = &users[i]
		}
		if users[i].ID == toID {
			to = &users[i]
		}
	}
	if from == nil {
		return nil, nil, ErrNotFound
	}
	if to == nil {
		return nil, nil, FieldErrors{"to": "Choose an active user of this account."}
	}
	return from, to, nil
}

// checkTransfer applies the rules on who gives and who receives. Admins may transfer their own
// account, as the only owner handing the company over to a successor does, but not deactivate
// themselves.
func checkTransfer(actor *Actor, from, to *User, then string) error {
	if err := TransferAllowed(actor, from); err != nil {
		return err
	}
	switch {
	case to.ID == from.ID:
		return FieldErrors{"to": "Choose someone else: they cannot take over from themselves."}
	case from.ID == actor.User.ID && then == TransferThenDeactivate:
		return FieldErrors{"then": "You cannot deactivate yourself: leave your account as it is, and ask another admin to deactivate it later."}
	case from.ID == actor.User.ID && then == TransferThenDelete:
		return FieldErrors{"then": "You cannot delete yourself: leave your account as it is, and ask another admin to delete it later."}
	case to.Status != StatusActive:
		return FieldErrors{"to": "Choose an active user: " + to.Name + " is " + string(to.Status) + "."}
	case !actor.CanActOn(to):
		return FieldErrors{"to": "You may not change " + to.Name + "."}
	}
	return nil
}

// keepAnOwner refuses any change that would leave the account without an active owner.
func (s *Store) keepAnOwner(tx *gorm.DB, accountID int64) error {
	owners, err := s.otherActiveOwners(tx, accountID, nil)
	if err != nil {
		return err
	}
	if owners == 0 {
		return TransferRefusedError{"The account would be left without an owner."}
	}
	return nil
}

// deactivateAfterTransfer runs the wizard's deactivation for a user who now owns nothing and is a
// member: the same impact, blockers, session revocation and seat release, in the same transaction.
func (s *Store) deactivateAfterTransfer(tx *gorm.DB, actor *Actor, id int64, reason string, now time.Time, result *TransferResult) error {
	impact, err := s.deactivationImpact(tx, actor, []int64{id}, true)
	if err != nil {
		return err
	}
	if blocked, _ := impact.Blocked(); blocked {
		return DeactivationBlockedError{Impact: impact}
	}
	if result.SessionsEnded, err = s.revokeSessions(tx, []int64{id}, now); err != nil {
		return err
	}
	if err := s.finishDeactivation(tx, actor, impact, HandoverPlan{Reason: reason}, nil, nil, now, "", &DeactivationResult{}); err != nil {
		return err
	}
	result.Deactivated = true
	return nil
}
