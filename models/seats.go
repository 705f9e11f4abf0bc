package models

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"
)

// SeatHoldingStatuses are the statuses that occupy a seat of the user's plan: active users use
// one, invitations reserve one.
var SeatHoldingStatuses = []UserStatus{StatusActive, StatusInvited}

// PlanUsage is one plan's seats right now.
type PlanUsage struct {
	Plan     Plan
	InUse    int
	Reserved int
}

// Free is how many seats nobody holds.
func (u PlanUsage) Free() int { return max(0, u.Plan.SeatsPurchased-u.InUse-u.Reserved) }

// SeatUsage returns every plan of the actor's account with its seats in use and reserved.
func (s *Store) SeatUsage(ctx context.Context, actor *Actor) ([]PlanUsage, error) {
	if !actor.Allows(PermViewUsers) && !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	var plans []Plan
	if err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&plans).Error; err != nil {
		return nil, err
	}
	return seatUsage(s.read(ctx), plans)
}

func seatUsage(db *gorm.DB, plans []Plan) ([]PlanUsage, error) {
	if len(plans) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	var held []struct {
		PlanID int64
		Status UserStatus
		N      int
	}
	// The database keeps the seat holders per account, plan and status (seat_holder_counts,
	// migration 00006): one index lookup per plan instead of counting up to 100,000 users. Under
	// claimSeats' plan lock the count is exact for claims, which all take that lock; a release
	// committing meanwhile is seen late, which only errs on the safe side.
	if err := db.Table("seat_holder_counts").Select("plan_id, status, users AS n").
		Where("account_id = ? AND plan_id IN ? AND status IN ?", plans[0].AccountID, ids, SeatHoldingStatuses).Scan(&held).Error; err != nil {
		return nil, err
	}
	usage := make([]PlanUsage, len(plans))
	index := map[int64]int{}
	for i, p := range plans {
		usage[i] = PlanUsage{Plan: p}
		index[p.ID] = i
	}
	for _, h := range held {
		if h.Status == StatusActive {
			usage[index[h.PlanID]].InUse = h.N
		} else {
			usage[index[h.PlanID]].Reserved = h.N
		}
	}
	return usage, nil
}

// claimSeats locks the plans and checks that each has room for needed[planID] more seat holders.
// Run inside the transaction that then assigns the seats: the lock makes concurrent claims for
// the last seats wait for each other, so no two can both take it. (SQLite needs no row lock:
// its transactions start with the write lock.)
func claimSeats(tx *gorm.DB, accountID int64, needed map[int64]int) error {
	if len(needed) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(needed))
	for id := range needed {
		ids = append(ids, id)
	}
	plans, err := lockPlans(tx, accountID, ids)
	if err != nil {
		return err
	}
	usage, err := seatUsage(tx, plans)
	if err != nil {
		return err
	}
	var shortfalls []SeatShortfall
	for _, u := range usage {
		if want := needed[u.Plan.ID]; want > u.Free() {
			shortfalls = append(shortfalls, SeatShortfall{PlanID: u.Plan.ID, Plan: u.Plan.Name, Needed: want, Free: u.Free(), Missing: want - u.Free()})
		}
	}
	if len(shortfalls) > 0 {
		return SeatsExhaustedError{Shortfalls: shortfalls}
	}
	return nil
}

// lockPlans is step 2 of the lock order: the account's plans with these IDs, locked in ID order.
// Returns ErrNotFound unless every ID is a plan of the account.
func lockPlans(tx *gorm.DB, accountID int64, ids []int64) ([]Plan, error) {
	ids = unique64(ids)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var plans []Plan
	if err := lockNoKeyUpdate(tx).Where("id IN ? AND account_id = ?", ids, accountID).Order("id").Find(&plans).Error; err != nil {
		return nil, err
	}
	if len(plans) != len(ids) {
		return nil, ErrNotFound
	}
	return plans, nil
}

// Seat ledger reasons.
const (
	SeatReasonInvited     = "invited"
	SeatReasonAccepted    = "invitation accepted"
	SeatReasonRevoked     = "invitation revoked"
	SeatReasonDeactivated = "deactivated"
	SeatReasonReactivated = "reactivated"
	SeatReasonCreated     = "account created"
	SeatReasonPurchased   = "seats purchased"
)

// recordSeatChanges writes ledger rows in one statement.
func recordSeatChanges(tx *gorm.DB, entries []SeatLedgerEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return tx.CreateInBatches(entries, MaxUsersPerAction).Error
}

func seatEntry(u *User, inUse, reserved int, reason string, actor *int64, at time.Time) SeatLedgerEntry {
	id := u.ID
	if actor != nil && *actor == 0 {
		// A provisioning actor is no user (Actor.Provisioning).
		actor = nil
	}
	return SeatLedgerEntry{AccountID: u.AccountID, PlanID: *u.PlanID, UserID: &id, InUseChange: inUse,
		ReservedChange: reserved, Reason: reason, ActorID: actor, ChangedAt: at}
}

// PreselectedPlan is the plan a form offers before anyone chooses: the first with a free seat,
// so that nobody is steered into a refusal. ok is false when every plan is full.
func PreselectedPlan(plans []PlanUsage) (plan Plan, ok bool) {
	for _, p := range plans {
		if p.Free() > 0 {
			return p.Plan, true
		}
	}
	return Plan{}, false
}

// HoldsSeat tells whether u takes a seat of their plan: active users use one and invitations
// reserve one; inactive users keep their plan but no seat.
func (u *User) HoldsSeat() bool {
	for _, s := range SeatHoldingStatuses {
		if u.Status == s {
			return true
		}
	}
	return false
}
