package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func actorAs(t *testing.T, store *models.Store, acc *modelstest.Account, role models.Role) *models.Actor {
	t.Helper()
	u := addUser(t, store, acc, "Role "+string(role), fmt.Sprintf("%s-%d@example.com", role, acc.Account.ID), role, models.StatusActive, nil)
	return &models.Actor{User: u, Account: acc.Account}
}

func timeFar() time.Time { return time.Now().UTC().Add(time.Hour) }

func TestChangeSeatQuantity(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		for i := 0; i < 3; i++ {
			addUser(t, store, acc, "Member", fmt.Sprintf("m%d-%d@example.com", i, acc.Account.ID), models.RoleMember, models.StatusActive, &plan.ID)
		}
		addUser(t, store, acc, "Guest", fmt.Sprintf("g-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInvited, &plan.ID)
		before := usageOf(t, store, acc, plan.ID)
		held := before.InUse + before.Reserved
		// The fixtures above were inserted without ledger rows; record the baseline to compare.
		base := ledgerSeats(t, store, acc.Account.ID, timeFar())[plan.ID]

		if err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, 25, "growing"); err != nil {
			t.Fatalf("raise: %v", err)
		}
		if got := usageOf(t, store, acc, plan.ID).Plan.SeatsPurchased; got != 25 {
			t.Fatalf("after raise: %d seats, want 25", got)
		}
		if err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, held, ""); err != nil {
			t.Fatalf("lower to exactly what is held: %v", err)
		}
		var below models.QuantityBelowUseError
		err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, held-1, "")
		if !errors.As(err, &below) || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("lower below use: got %v, want QuantityBelowUseError", err)
		}
		if below.InUse != before.InUse || below.Reserved != before.Reserved || below.Requested != held-1 || below.Plan != plan.Name {
			t.Fatalf("refusal numbers: %+v, usage %+v", below, before)
		}
		want := fmt.Sprintf("Plan %s needs at least %d seats: %d in use and %d reserved by invitations", plan.Name, held, before.InUse, before.Reserved)
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("message %q lacks %q", err.Error(), want)
		}
		if got := usageOf(t, store, acc, plan.ID).Plan.SeatsPurchased; got != held {
			t.Fatalf("refused lowering changed the plan: %d seats", got)
		}
		var fields models.FieldErrors
		for _, q := range []int{-1, models.MaxSeatQuantity + 1} {
			if err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, q, ""); !errors.As(err, &fields) {
				t.Fatalf("quantity %d: got %v, want FieldErrors", q, err)
			}
		}
		other := modelstest.NewAccount(t, store)
		if err := store.ChangeSeatQuantity(ctx, other.Actor, plan.ID, 50, ""); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("foreign plan: got %v, want ErrNotFound", err)
		}
		finance := actorAs(t, store, acc, models.RoleFinance)
		if err := store.ChangeSeatQuantity(ctx, finance, plan.ID, held+2, "finance buys"); err != nil {
			t.Fatalf("finance: %v", err)
		}
		admin := actorAs(t, store, acc, models.RoleAdmin)
		if err := store.ChangeSeatQuantity(ctx, admin, plan.ID, held+3, ""); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("admin: got %v, want ErrForbidden", err)
		}
		// Purchased changes in the ledger add up to the plan's new quantity.
		after := ledgerSeats(t, store, acc.Account.ID, timeFar())[plan.ID]
		if int(after.Purchased-base.Purchased) != held+2-plan.SeatsPurchased || after.Purchased != int64(held+2) {
			t.Fatalf("ledger purchased sums to %d (moved by %d), want %d", after.Purchased, after.Purchased-base.Purchased, held+2)
		}
		var reasons []string
		modelstest.Must(t, store.DB().Model(&models.SeatLedgerEntry{}).Where("plan_id = ? AND purchased_change <> 0", plan.ID).Order("id").Pluck("reason", &reasons))
		if n := len(reasons); n < 3 || reasons[n-3] != models.SeatReasonPurchased || reasons[n-2] != models.SeatReasonReturned || reasons[n-1] != models.SeatReasonPurchased {
			t.Fatalf("ledger reasons %v", reasons)
		}
		var events int64
		modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", acc.Account.ID, models.AuditPlanSeatsChanged).Count(&events))
		if events != 3 {
			t.Fatalf("%d audit events, want 3", events)
		}
	})
}

// The ledger of an account touched only through the store adds up after quantity changes.
func TestChangeSeatQuantityKeepsLedgerCurrent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList("a@example.com\nb@example.com"),
			PlanID: plan.ID, Role: models.RoleMember}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []int{40, 3, 7} {
			if err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, q, ""); err != nil {
				t.Fatalf("quantity %d: %v", q, err)
			}
		}
		assertLedgerIsCurrent(t, store, acc.Account.ID, "after quantity changes")
	})
}

// Invitations and lowerings race for the same free seats: whatever wins, the plan never holds
// more people than it has seats, and the ledger agrees with the rows. There are 30 free seats for
// 25 invitations and 25 lowerings of one seat each, so neither kind alone can use them all: at
// least one of each must succeed, and the first lowering to commit always finds room.
func TestConcurrentQuantityLoweringAndInvites(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	plan := planOf(t, store, acc)
	const n = 30
	used := usageOf(t, store, acc, plan.ID)
	purchased := used.InUse + used.Reserved + n
	if err := store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, purchased, ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var invites, lowerings atomic.Int64
	start := make(chan struct{})
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(fmt.Sprintf("race%d@example.com", i)),
					PlanID: plan.ID, Role: models.RoleMember})
				var rejected models.InviteRejectedError
				switch {
				case err == nil && len(invited) == 1:
					invites.Add(1)
				case err == nil:
					errs <- fmt.Errorf("invited %d users, want 1", len(invited))
				case !errors.As(err, &rejected) || rejected.Fields["plan"] == "":
					errs <- fmt.Errorf("invite: %w", err)
				}
				return
			}
			usage, err := store.PlanUsageOf(ctx, acc.Actor, plan.ID)
			if err != nil {
				errs <- err
				return
			}
			err = store.ChangeSeatQuantity(ctx, acc.Actor, plan.ID, usage.Plan.SeatsPurchased-1, "")
			var below models.QuantityBelowUseError
			switch {
			case err == nil:
				lowerings.Add(1)
			case !errors.As(err, &below):
				errs <- fmt.Errorf("lower: %w", err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	usage := usageOf(t, store, acc, plan.ID)
	if usage.InUse+usage.Reserved > usage.Plan.SeatsPurchased {
		t.Fatalf("usage %+v: more people than seats", usage)
	}
	if got := usage.Reserved - used.Reserved; invites.Load() == 0 || int64(got) != invites.Load() {
		t.Errorf("%d invitations succeeded and %d seats are newly reserved; want at least one, and the same", invites.Load(), got)
	}
	if lowerings.Load() == 0 || usage.Plan.SeatsPurchased >= purchased {
		t.Errorf("%d lowerings succeeded and the plan went from %d to %d seats; want at least one real lowering",
			lowerings.Load(), purchased, usage.Plan.SeatsPurchased)
	}
	assertLedgerIsCurrent(t, store, acc.Account.ID, "after the race")
}
