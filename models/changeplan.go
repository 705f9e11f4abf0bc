package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// AuditUserPlanChanged is a user moved to another plan, with the old and new plan.
const AuditUserPlanChanged = "user.plan_changed"

// SeatReasonPlanChanged is the ledger reason for the seat a plan change releases on the old plan
// and takes on the new one.
const SeatReasonPlanChanged = "plan changed"

// PlanChange says what ChangePlan did: how many users moved, and the name of the plan they
// moved to.
type PlanChange struct {
	Users int
	Plan  string
}

// ChangePlan moves users to another plan of the account, all or nothing, in one transaction.
// Active users take a seat of the new plan and invitations reserve one; both release theirs on the
// old plan. Inactive users just get the plan, without a seat. Users already on the plan are
// refused with a reason rather than silently skipped, so the count the admin sees is exactly who
// moved. Since every user ends on the target plan, nobody is ever left without a plan.
//
// Returns ErrForbidden, ErrNotFound for unknown, deleted or foreign users and for plans of other
// accounts, FieldErrors for an empty or too large selection, BulkRefusal naming each user who
// cannot move, and SeatsExhaustedError when the plan lacks free seats.
func (s *Store) ChangePlan(ctx context.Context, actor *Actor, ids []int64, planID int64) (PlanChange, error) {
	if !actor.Allows(PermManageUsers) {
		return PlanChange{}, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return PlanChange{}, err
	}
	var planName string
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		// Plans before users: the lock order.
		plans, err := lockPlans(tx, actor.Account.ID, []int64{planID})
		if err != nil {
			return err
		}
		target := plans[0]
		users, err := s.lockSelectedUsers(tx, actor, ids)
		if err != nil {
			return err
		}
		planName = target.Name
		if err := refuseEach("Change plan", users, func(u *User) string {
			switch {
			case !actor.CanActOn(u):
				return actor.ActRefusal(u)
			case u.PlanID != nil && *u.PlanID == planID:
				return "Already on plan " + target.Name + "."
			}
			return ""
		}); err != nil {
			return err
		}
		seatHolders := 0
		for i := range users {
			inUse, reserved := seatsHeld(&users[i])
			seatHolders += inUse + reserved
		}
		// Always lock the target plan, even when only inactive users move, so the check and the
		// move see the same seats as concurrent claims.
		if err := claimSeats(tx, actor.Account.ID, map[int64]int{planID: seatHolders}); err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).
			Updates(map[string]any{"plan_id": planID, "updated_at": now}).Error; err != nil {
			return err
		}
		ledger := planMoveEntries(users, planID, &actor.User.ID, now)
		audit := make([]AuditEvent, len(users))
		for i := range users {
			u := &users[i]
			var from any
			if u.PlanID != nil {
				from = *u.PlanID
			}
			audit[i] = auditRow(actor, AuditUserPlanChanged, &u.ID, now, map[string]any{"from_plan_id": from, "to_plan_id": planID, "to_plan": target.Name})
		}
		if err := recordSeatChanges(tx, ledger); err != nil {
			return err
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return PlanChange{}, err
	}
	return PlanChange{Users: len(ids), Plan: planName}, nil
}

// seatsHeld is the seat a user holds on their plan: one in use when active, one reserved when
// invited, none when inactive.
func seatsHeld(u *User) (inUse, reserved int) {
	switch u.Status {
	case StatusActive:
		return 1, 0
	case StatusInvited:
		return 0, 1
	}
	return 0, 0
}

// planMoveEntries are the seat ledger lines of moving users to planID: each seat held leaves the
// user's plan, if they had one, and arrives on planID.
func planMoveEntries(users []User, planID int64, by *int64, now time.Time) []SeatLedgerEntry {
	var ledger []SeatLedgerEntry
	for i := range users {
		u := &users[i]
		inUse, reserved := seatsHeld(u)
		if inUse+reserved == 0 {
			continue
		}
		if u.PlanID != nil {
			ledger = append(ledger, seatEntry(u, -inUse, -reserved, SeatReasonPlanChanged, by, now))
		}
		moved := *u
		moved.PlanID = &planID
		ledger = append(ledger, seatEntry(&moved, inUse, reserved, SeatReasonPlanChanged, by, now))
	}
	return ledger
}

// ChangePlanSelection counts the users a plan change was asked for, for the change-plan page:
// ErrForbidden, FieldErrors for an empty or too large selection, ErrNotFound when any is unknown,
// deleted or of another account.
func (s *Store) ChangePlanSelection(ctx context.Context, actor *Actor, ids []int64) (int, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	users, err := s.selectedUsers(s.read(ctx), actor, ids, false)
	return len(users), err
}
