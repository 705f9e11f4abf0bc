package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// Fifty admins race for the last five seats: exactly five win, and the plan never holds more
// people than it has seats. Only PostgreSQL has the row locks this relies on.
func TestConcurrentInvitesNeverOversellSeats(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	plan := planOf(t, store, acc)
	for i := 0; usageOf(t, store, acc, plan.ID).Free() > 5; i++ {
		addUser(t, store, acc, "Filler", fmt.Sprintf("fill%d@example.com", i), models.RoleMember, models.StatusActive, &plan.ID)
	}
	var wg sync.WaitGroup
	results := make(chan error, 50)
	start := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(fmt.Sprintf("racer%d@example.com", i)),
				PlanID: plan.ID, Role: models.RoleMember})
			results <- err
		}(i)
	}
	close(start)
	wg.Wait()
	close(results)
	won, lost := 0, 0
	for err := range results {
		var rejected models.InviteRejectedError
		switch {
		case err == nil:
			won++
		case errors.As(err, &rejected) && rejected.Fields["plan"] != "":
			lost++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	usage := usageOf(t, store, acc, plan.ID)
	if won != 5 || lost != 45 || usage.InUse+usage.Reserved != usage.Plan.SeatsPurchased {
		t.Fatalf("%d won, %d lost, usage %+v; want 5 winners and a full plan", won, lost, usage)
	}
}

// Reactivations race the same way, mixed with invitations.
func TestConcurrentReactivationsAndInvitesNeverOversell(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	plan := planOf(t, store, acc)
	var inactive []int64
	for i := 0; i < 20; i++ {
		u := addUser(t, store, acc, "Sleeper", fmt.Sprintf("sleeper%d@example.com", i), models.RoleMember, models.StatusInactive, &plan.ID)
		inactive = append(inactive, u.ID)
	}
	free := usageOf(t, store, acc, plan.ID).Free()
	if free <= 0 || free >= 40 {
		t.Fatalf("%d free seats: the race needs some, and fewer than the 40 contenders", free)
	}
	type outcome struct {
		reactivation bool
		err          error
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make(chan outcome, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				n, err := store.Reactivate(ctx, acc.Actor, []int64{inactive[i/2]})
				if err == nil && n != 1 {
					err = fmt.Errorf("reactivated %d users, want 1", n)
				}
				results <- outcome{true, err}
			} else {
				invited, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(fmt.Sprintf("mix%d@example.com", i)),
					PlanID: plan.ID, Role: models.RoleMember})
				if err == nil && len(invited) != 1 {
					err = fmt.Errorf("invited %d users, want 1", len(invited))
				}
				results <- outcome{false, err}
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(results)
	won := 0
	for r := range results {
		var exhausted models.SeatsExhaustedError
		var rejected models.InviteRejectedError
		switch {
		case r.err == nil:
			won++
		case r.reactivation && errors.As(r.err, &exhausted):
		case !r.reactivation && errors.As(r.err, &rejected) && rejected.Fields["plan"] != "":
		default:
			t.Errorf("unexpected error (reactivation %v): %v", r.reactivation, r.err)
		}
	}
	usage := usageOf(t, store, acc, plan.ID)
	if won != free || usage.InUse+usage.Reserved != usage.Plan.SeatsPurchased {
		t.Fatalf("%d won, usage %+v: want the %d free seats taken and the plan exactly full, never over", won, usage, free)
	}
}

// The wizard's first step costs the same number of queries for one user as for a hundred.
func TestDeactivationImpactQueryCountIsFixed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 300)
		actor := modelstest.ActorFor(t, store, seeded)
		var ids []int64
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
			Order("id").Limit(100).Pluck("id", &ids))
		if len(ids) != 100 {
			t.Fatalf("%d active members, the test needs 100", len(ids))
		}
		count := func(ids []int64) int {
			counter := &queryCounter{}
			if _, err := store.WithQueryLogger(counter).DeactivationImpact(context.Background(), actor, ids); err != nil {
				t.Fatal(err)
			}
			return counter.n
		}
		if one, hundred := count(ids[:1]), count(ids); one != hundred {
			t.Fatalf("impact of 1 user takes %d queries, of 100 takes %d", one, hundred)
		}
	})
}

// Deactivating fifty people takes as many statements as deactivating one: everything is set-based.
func TestDeactivateQueryCountIsFixed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		actor := modelstest.ActorFor(t, store, seeded)
		var members []int64
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
			Order("id").Limit(52).Pluck("id", &members))
		if len(members) != 52 {
			t.Fatalf("%d active members, the test needs 52", len(members))
		}
		receiver := members[51]
		count := func(ids []int64) int {
			counter := &queryCounter{}
			if _, err := store.WithQueryLogger(counter).Deactivate(context.Background(), actor, ids,
				models.HandoverPlan{RecordsTo: receiver, GroupsTo: receiver, ManagerTo: receiver, IncludeClosed: true}); err != nil {
				t.Fatal(err)
			}
			return counter.n
		}
		if one, fifty := count(members[:1]), count(members[1:51]); one != fifty {
			t.Fatalf("deactivating 1 user takes %d statements, 50 take %d", one, fifty)
		}
	})
}

func TestPreselectedPlanIsTheFirstWithAFreeSeat(t *testing.T) {
	full := models.PlanUsage{Plan: models.Plan{ID: 1, SeatsPurchased: 5}, InUse: 4, Reserved: 1}
	free := models.PlanUsage{Plan: models.Plan{ID: 2, SeatsPurchased: 5}, InUse: 4}
	if p, ok := models.PreselectedPlan([]models.PlanUsage{full, free}); !ok || p.ID != 2 {
		t.Errorf("preselected %v, %v; want plan 2, the first with a free seat", p.ID, ok)
	}
	if _, ok := models.PreselectedPlan([]models.PlanUsage{full}); ok {
		t.Error("a full plan must never be preselected")
	}
}
