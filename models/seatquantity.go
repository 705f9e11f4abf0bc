package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MaxSeatQuantity bounds a plan's purchased seats.
const MaxSeatQuantity = 1_000_000

// AuditPlanSeatsChanged is a change of a plan's purchased quantity, with the old and new numbers.
const AuditPlanSeatsChanged = "plan.seats_changed"

// SeatReasonReturned is the ledger reason for lowering a plan's purchased quantity.
const SeatReasonReturned = "seats returned"

// PlanUsageOf returns one plan of the actor's account with its seats; ErrNotFound for plans of
// other accounts.
func (s *Store) PlanUsageOf(ctx context.Context, actor *Actor, planID int64) (*PlanUsage, error) {
	if !actor.Allows(PermManageSeats) && !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	var plan Plan
	if err := s.read(ctx).Where("id = ? AND account_id = ?", planID, actor.Account.ID).Limit(1).Find(&plan).Error; err != nil {
		return nil, err
	}
	if plan.ID == 0 {
		return nil, ErrNotFound
	}
	usage, err := seatUsage(s.read(ctx), []Plan{plan})
	if err != nil {
		return nil, err
	}
	return &usage[0], nil
}

// ChangeSeatQuantity sets how many seats of a plan are purchased, in one transaction that
// locks the plan row, so invitations and reactivations claiming seats wait for it and the plan
// never holds more people than seats. Lowering below the seats in use plus those reserved by
// invitations is refused with QuantityBelowUseError. Writes a ledger row with the difference and
// an audit event. Returns ErrForbidden, ErrNotFound for plans of other accounts, and FieldErrors
// for a quantity outside 0..MaxSeatQuantity. Setting the current quantity changes nothing.
func (s *Store) ChangeSeatQuantity(ctx context.Context, actor *Actor, planID int64, quantity int, reason string) error {
	if !actor.Allows(PermManageSeats) {
		return ErrForbidden
	}
	if quantity < 0 || quantity > MaxSeatQuantity {
		return FieldErrors{"quantity": fmt.Sprintf("Enter a number of seats from 0 to %d.", MaxSeatQuantity)}
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var plans []Plan
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where("id = ? AND account_id = ?", planID, actor.Account.ID).
			Find(&plans).Error; err != nil {
			return err
		}
		if len(plans) != 1 {
			return ErrNotFound
		}
		plan := plans[0]
		usage, err := seatUsage(tx, plans)
		if err != nil {
			return err
		}
		held := usage[0].InUse + usage[0].Reserved
		if quantity < held {
			return QuantityBelowUseError{Plan: plan.Name, InUse: usage[0].InUse, Reserved: usage[0].Reserved, Requested: quantity}
		}
		old := plan.SeatsPurchased
		if quantity == old {
			return nil
		}
		if err := tx.Model(&Plan{}).Where("id = ?", plan.ID).Update("seats_purchased", quantity).Error; err != nil {
			return err
		}
		now := s.now()
		ledgerReason := SeatReasonPurchased
		if quantity < old {
			ledgerReason = SeatReasonReturned
		}
		entry := SeatLedgerEntry{AccountID: actor.Account.ID, PlanID: plan.ID, PurchasedChange: quantity - old,
			Reason: ledgerReason, ActorID: &actor.User.ID, ChangedAt: now}
		if err := recordSeatChanges(tx, []SeatLedgerEntry{entry}); err != nil {
			return err
		}
		details := map[string]any{"plan_id": plan.ID, "plan": plan.Name, "old_quantity": old, "new_quantity": quantity}
		if reason != "" {
			details["reason"] = reason
		}
		event := auditRow(actor, AuditPlanSeatsChanged, nil, now, details)
		return writeAudit(tx, event)
	})
}
