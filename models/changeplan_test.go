package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// assertLedgerFollows checks that the ledger moved exactly as the plans and users did since
// before was taken: fixtures inserted directly have no ledger rows of their own.
type seatSnapshot struct{ rows, ledger map[int64]seats }

func snapshotSeats(t *testing.T, store *models.Store, accountID int64) seatSnapshot {
	t.Helper()
	_, rows := currentSeats(t, store, accountID)
	return seatSnapshot{rows: rows, ledger: ledgerSeats(t, store, accountID, timeFar())}
}

func assertLedgerFollows(t *testing.T, store *models.Store, accountID int64, before seatSnapshot) {
	t.Helper()
	after := snapshotSeats(t, store, accountID)
	for id, now := range after.rows {
		was, l, lw := before.rows[id], after.ledger[id], before.ledger[id]
		if l.InUse-lw.InUse != now.InUse-was.InUse || l.Reserved-lw.Reserved != now.Reserved-was.Reserved || l.Purchased-lw.Purchased != now.Purchased-was.Purchased {
			t.Errorf("plan %d: ledger moved by %+v→%+v, the rows by %+v→%+v", id, lw, l, was, now)
		}
	}
}

func TestChangePlan(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		from := planOf(t, store, acc)
		to := addPlans(t, store, acc, "Premium")[0] // 10 seats, none held
		mk := func(name string, status models.UserStatus) *models.User {
			return addUser(t, store, acc, name, fmt.Sprintf("%s-%d@example.com", strings.ToLower(name), acc.Account.ID), models.RoleMember, status, &from.ID)
		}
		active, invited, inactive := mk("Active", models.StatusActive), mk("Invited", models.StatusInvited), mk("Inactive", models.StatusInactive)
		before := snapshotSeats(t, store, acc.Account.ID)
		res, err := store.ChangePlan(ctx, acc.Actor, []int64{active.ID, invited.ID, inactive.ID}, to)
		if err != nil || res.Users != 3 || res.Plan != "Premium" {
			t.Fatalf("change plan: %+v %v", res, err)
		}
		usage := usageOf(t, store, acc, to)
		if usage.InUse != 1 || usage.Reserved != 1 {
			t.Fatalf("target plan usage %+v, want 1 in use and 1 reserved", usage)
		}
		for _, id := range []int64{active.ID, invited.ID, inactive.ID} {
			var u models.User
			modelstest.Must(t, store.DB().First(&u, id))
			if u.PlanID == nil || *u.PlanID != to {
				t.Fatalf("user %d on plan %v, want %d", id, u.PlanID, to)
			}
		}
		assertLedgerFollows(t, store, acc.Account.ID, before)
		var events int64
		modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", acc.Account.ID, models.AuditUserPlanChanged).Count(&events))
		if events != 3 {
			t.Fatalf("%d audit events, want 3", events)
		}

		// Already on the plan: refused per user.
		var refusal models.BulkRefusal
		if _, err := store.ChangePlan(ctx, acc.Actor, []int64{active.ID}, to); !errors.As(err, &refusal) || !strings.Contains(refusal.Reasons[active.ID], "Already on plan") {
			t.Fatalf("already on plan: got %v", err)
		}
		// Foreign users and plans are not found.
		other := modelstest.NewAccount(t, store)
		if _, err := store.ChangePlan(ctx, other.Actor, []int64{active.ID}, planOf(t, store, other).ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("foreign user: got %v", err)
		}
		if _, err := store.ChangePlan(ctx, acc.Actor, []int64{active.ID}, planOf(t, store, other).ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("foreign plan: got %v", err)
		}
		finance := actorAs(t, store, acc, models.RoleFinance)
		if _, err := store.ChangePlan(ctx, finance, []int64{active.ID}, from.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("finance: got %v, want ErrForbidden", err)
		}
	})
}

func TestChangePlanRefusesWithoutSeats(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		from := planOf(t, store, acc)
		to := addPlans(t, store, acc, "Small")[0]
		if err := store.DB().Model(&models.Plan{}).Where("id = ?", to).Update("seats_purchased", 2).Error; err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := 0; i < 4; i++ {
			ids = append(ids, addUser(t, store, acc, "Mover", fmt.Sprintf("mover%d-%d@example.com", i, acc.Account.ID), models.RoleMember, models.StatusActive, &from.ID).ID)
		}
		sleeper := addUser(t, store, acc, "Sleeper", fmt.Sprintf("sleeper-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInactive, &from.ID)
		before := snapshotSeats(t, store, acc.Account.ID)
		var exhausted models.SeatsExhaustedError
		_, err := store.ChangePlan(ctx, acc.Actor, append(ids, sleeper.ID), to)
		if !errors.As(err, &exhausted) || len(exhausted.Shortfalls) != 1 {
			t.Fatalf("got %v, want SeatsExhaustedError", err)
		}
		if s := exhausted.Shortfalls[0]; s.Plan != "Small" || s.Missing != 2 || s.Needed != 4 || s.Free != 2 {
			t.Fatalf("shortfall %+v, want Small missing 2", s)
		}
		if moved := modelstest.Count(t, store.DB().Model(&models.User{}).Where("plan_id = ?", to)); moved != 0 {
			t.Fatalf("%d users moved despite the refusal", moved)
		}
		assertLedgerFollows(t, store, acc.Account.ID, before)

		// Inactive users need no seat: they move even onto a full plan.
		for i := 0; i < 2; i++ {
			addUser(t, store, acc, "Filler", fmt.Sprintf("filler%d-%d@example.com", i, acc.Account.ID), models.RoleMember, models.StatusActive, &to)
		}
		before = snapshotSeats(t, store, acc.Account.ID)
		if res, err := store.ChangePlan(ctx, acc.Actor, []int64{sleeper.ID}, to); err != nil || res.Users != 1 {
			t.Fatalf("inactive onto a full plan: %+v %v", res, err)
		}
		assertLedgerFollows(t, store, acc.Account.ID, before)
	})
}

// A plan change made only through the store keeps the whole ledger current.
func TestChangePlanKeepsLedgerCurrent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		from := planOf(t, store, acc)
		to := addPlans(t, store, acc, "Other")[0]
		if err := store.DB().Create(&models.SeatLedgerEntry{AccountID: acc.Account.ID, PlanID: to, PurchasedChange: 10,
			Reason: models.SeatReasonPurchased, ChangedAt: timeFar().Add(-2 * 3600e9)}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList("x@example.com"), PlanID: from.ID, Role: models.RoleMember}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ?", acc.Account.ID).Pluck("id", &ids))
		if _, err := store.ChangePlan(ctx, acc.Actor, ids, to); err != nil {
			t.Fatal(err)
		}
		assertLedgerIsCurrent(t, store, acc.Account.ID, "after change plan")
	})
}
