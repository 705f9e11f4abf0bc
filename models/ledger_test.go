package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// seats is one plan's seat count, from the ledger or from the rows as they stand.
type seats struct{ InUse, Reserved, Purchased int64 }

// ledgerSeats sums the account's seat ledger per plan over the rows changed at or before at.
func ledgerSeats(t *testing.T, store *models.Store, accountID int64, at time.Time) map[int64]seats {
	t.Helper()
	var rows []struct {
		PlanID                  int64
		InUse, Reserved, Bought int64
	}
	if err := store.DB().Model(&models.SeatLedgerEntry{}).
		Select("plan_id, COALESCE(SUM(in_use_change), 0) AS in_use, COALESCE(SUM(reserved_change), 0) AS reserved, COALESCE(SUM(purchased_change), 0) AS bought").
		Where("account_id = ? AND changed_at <= ?", accountID, at).Group("plan_id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	sums := map[int64]seats{}
	for _, r := range rows {
		sums[r.PlanID] = seats{InUse: r.InUse, Reserved: r.Reserved, Purchased: r.Bought}
	}
	return sums
}

// currentSeats is every plan of the account as its rows say now: seats purchased, active users
// and invited users.
func currentSeats(t *testing.T, store *models.Store, accountID int64) ([]models.Plan, map[int64]seats) {
	t.Helper()
	db := store.DB()
	var plans []models.Plan
	if err := db.Where("account_id = ?", accountID).Order("id").Find(&plans).Error; err != nil {
		t.Fatal(err)
	}
	state := map[int64]seats{}
	for _, p := range plans {
		var inUse, reserved int64
		modelstest.Must(t, db.Model(&models.User{}).Where("plan_id = ? AND status = ?", p.ID, models.StatusActive).Count(&inUse))
		modelstest.Must(t, db.Model(&models.User{}).Where("plan_id = ? AND status = ?", p.ID, models.StatusInvited).Count(&reserved))
		state[p.ID] = seats{InUse: inUse, Reserved: reserved, Purchased: int64(p.SeatsPurchased)}
	}
	return plans, state
}

// assertLedgerIsCurrent checks that the whole ledger adds up to the account's plans and users.
func assertLedgerIsCurrent(t *testing.T, store *models.Store, accountID int64, when string) map[int64]seats {
	t.Helper()
	plans, state := currentSeats(t, store, accountID)
	ledger := ledgerSeats(t, store, accountID, time.Now().UTC().Add(time.Hour))
	for _, p := range plans {
		if ledger[p.ID] != state[p.ID] {
			t.Errorf("%s: plan %s: ledger sums to %+v, the rows say %+v", when, p.Name, ledger[p.ID], state[p.ID])
		}
		delete(ledger, p.ID)
	}
	if len(ledger) > 0 {
		t.Errorf("%s: ledger rows for plans of other accounts: %+v", when, ledger)
	}
	return state
}

// The seed writes the year of seat history its people imply: summed to now the ledger is the
// plans and users as they are, summed to a past moment it is who held a seat then, and the seats
// bought always cover the seats held.
func TestSeededLedgerReproducesSeats(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		id := seeded.Account.ID
		db := store.DB()
		assertLedgerIsCurrent(t, store, id, "seeded")

		var users []models.User
		modelstest.Must(t, db.Where("account_id = ?", id).Find(&users))
		now, inactive := time.Now().UTC(), 0
		for _, u := range users {
			switch {
			case u.Status != models.StatusInactive && u.DeactivatedAt != nil:
				t.Errorf("%s is %s but has deactivated_at %v", u.Name, u.Status, u.DeactivatedAt)
			case u.Status == models.StatusInactive:
				inactive++
				if u.DeactivatedAt == nil || !u.DeactivatedAt.After(u.CreatedAt) || !u.DeactivatedAt.Before(now) {
					t.Errorf("inactive %s: created %v, deactivated %v; want deactivated between then and now", u.Name, u.CreatedAt, u.DeactivatedAt)
				} else if u.LastSignInAt != nil && u.LastSignInAt.After(*u.DeactivatedAt) {
					t.Errorf("inactive %s signed in at %v, after being deactivated at %v", u.Name, u.LastSignInAt, u.DeactivatedAt)
				}
			}
		}
		if inactive == 0 {
			t.Fatal("the seeded account has nobody inactive")
		}

		// Six months ago: in use are those who had joined and not yet left, reserved those invited by then.
		plans, _ := currentSeats(t, store, id)
		past := now.AddDate(0, -6, 0)
		then := ledgerSeats(t, store, id, past)
		leftLater, joinedLater := 0, 0
		for _, p := range plans {
			var inUse, reserved int64
			modelstest.Must(t, db.Model(&models.User{}).Where("plan_id = ? AND status IN ? AND created_at <= ? AND (deactivated_at IS NULL OR deactivated_at > ?)",
				p.ID, []models.UserStatus{models.StatusActive, models.StatusInactive}, past, past).Count(&inUse))
			modelstest.Must(t, db.Model(&models.User{}).Where("plan_id = ? AND status = ? AND created_at <= ?", p.ID, models.StatusInvited, past).Count(&reserved))
			if then[p.ID].InUse != inUse || then[p.ID].Reserved != reserved {
				t.Errorf("plan %s six months ago: ledger says %+v, users say %d in use and %d reserved", p.Name, then[p.ID], inUse, reserved)
			}
		}
		for _, u := range users {
			if u.CreatedAt.After(past) {
				joinedLater++
			} else if u.DeactivatedAt != nil && u.DeactivatedAt.After(past) {
				leftLater++
			}
		}
		if joinedLater == 0 || leftLater == 0 {
			t.Fatalf("six months ago should differ from now: %d joined since, %d left since", joinedLater, leftLater)
		}

		// Every week of the year the seats bought cover the seats held, and the purchases have steps.
		opened := seeded.Account.CreatedAt
		for at := opened; at.Before(now); at = at.Add(7 * 24 * time.Hour) {
			for planID, s := range ledgerSeats(t, store, id, at) {
				if s.InUse+s.Reserved > s.Purchased || s.InUse < 0 || s.Reserved < 0 {
					t.Errorf("plan %d at %v: %+v holds more than was bought", planID, at, s)
				}
			}
		}
		var purchases, openingPurchases int64
		modelstest.Must(t, db.Model(&models.SeatLedgerEntry{}).Where("account_id = ? AND purchased_change <> 0", id).Count(&purchases))
		modelstest.Must(t, db.Model(&models.SeatLedgerEntry{}).Where("account_id = ? AND purchased_change > 0 AND changed_at <= ?", id, opened).Count(&openingPurchases))
		if openingPurchases != int64(len(plans)) || purchases <= openingPurchases {
			t.Fatalf("%d purchases, %d when the account opened; want one per plan at opening and later top-ups", purchases, openingPurchases)
		}
	})
}

// Live operations keep the ledger of an account made by CreateAccount equal to its rows.
func TestLedgerFollowsLiveOperations(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		id := acc.Account.ID
		if state := assertLedgerIsCurrent(t, store, id, "account created"); state[plan.ID] != (seats{InUse: 1, Purchased: 10}) {
			t.Fatalf("new account: %+v, want the owner's seat of 10 bought", state[plan.ID])
		}

		stay, leave := fmt.Sprintf("ledger-stay-%d@example.com", id), fmt.Sprintf("ledger-leave-%d@example.com", id)
		invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(stay + ", " + leave), PlanID: plan.ID,
			Role: models.RoleMember, BaseURL: "http://x"})
		if err != nil {
			t.Fatal(err)
		}
		assertLedgerIsCurrent(t, store, id, "invited two")
		var revokee int64
		for _, u := range invited {
			if u.EmailAddress() == leave {
				revokee = u.ID
			}
		}

		member, _, err := store.AcceptInvitation(ctx, tokenFrom(t, store, stay), "Stan Stay", "a long enough password", "", "")
		if err != nil {
			t.Fatal(err)
		}
		assertLedgerIsCurrent(t, store, id, "accepted")

		if _, err := store.Deactivate(ctx, acc.Actor, []int64{member.User.ID}, models.HandoverPlan{}); err != nil {
			t.Fatal(err)
		}
		assertLedgerIsCurrent(t, store, id, "deactivated")

		if _, err := store.Reactivate(ctx, acc.Actor, []int64{member.User.ID}); err != nil {
			t.Fatal(err)
		}
		assertLedgerIsCurrent(t, store, id, "reactivated")

		if _, err := store.Revoke(ctx, acc.Actor, []int64{revokee}); err != nil {
			t.Fatal(err)
		}
		if state := assertLedgerIsCurrent(t, store, id, "revoked"); state[plan.ID] != (seats{InUse: 2, Purchased: 10}) {
			t.Fatalf("after the operations: %+v, want the owner and the member in use", state[plan.ID])
		}
	})
}
