package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func TestSeatOverviewMatchesCounts(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		other := modelstest.Seeded(t, store, 50)
		actor := modelstest.ActorFor(t, store, seeded)
		o, err := store.SeatOverview(context.Background(), actor)
		if err != nil {
			t.Fatal(err)
		}
		plans, state := currentSeats(t, store, seeded.Account.ID)
		if len(o.Plans) != len(plans) || len(plans) == 0 {
			t.Fatalf("%d plans, the account has %d (and needs some)", len(o.Plans), len(plans))
		}
		totals := map[string]int64{}
		for _, p := range o.Plans {
			want, ok := state[p.Plan.ID]
			if !ok {
				t.Fatalf("plan %d of another account", p.Plan.ID)
			}
			if int64(p.InUse) != want.InUse || int64(p.Reserved) != want.Reserved || int64(p.Plan.SeatsPurchased) != want.Purchased {
				t.Errorf("plan %s: %+v, counts say %+v", p.Plan.Name, p, want)
			}
			if p.MonthlyCents != want.Purchased*p.Plan.PriceCents {
				t.Errorf("plan %s: monthly %d", p.Plan.Name, p.MonthlyCents)
			}
			free := max(0, want.Purchased-want.InUse-want.Reserved)
			if int64(p.Free()) != free || p.FreeCents != free*p.Plan.PriceCents {
				t.Errorf("plan %s: free %d costing %d, want %d", p.Plan.Name, p.Free(), p.FreeCents, free)
			}
			totals[p.Plan.Currency] += p.MonthlyCents
		}
		if len(o.Totals) != len(totals) {
			t.Fatalf("%d currency totals %+v, the plans are in %d currencies", len(o.Totals), o.Totals, len(totals))
		}
		for _, tot := range o.Totals {
			if tot.MonthlyCents != totals[tot.Currency] {
				t.Errorf("%s total %d, plans sum to %d", tot.Currency, tot.MonthlyCents, totals[tot.Currency])
			}
		}
		_ = other
	})
}

func TestSeatHistoryReplaysLedger(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		modelstest.Seeded(t, store, 50) // another account's ledger must not count
		actor := modelstest.ActorFor(t, store, seeded)
		ctx := context.Background()
		history, err := store.SeatHistory(ctx, actor, 12)
		if err != nil {
			t.Fatal(err)
		}
		overview, err := store.SeatOverview(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != len(overview.Plans) || len(history) == 0 {
			t.Fatalf("%d plans in the history, %d in the overview; want the same, and some", len(history), len(overview.Plans))
		}
		assertHistoryReplaysLedger(t, store, seeded.Account.ID, history)
		for i, h := range history {
			if len(h.Months) != 12 {
				t.Fatalf("plan %s: %d months of history, asked for 12", h.Plan.Name, len(h.Months))
			}
			last := h.Months[11]
			o := overview.Plans[i]
			if o.Plan.ID != h.Plan.ID || last.InUse != o.InUse || last.Purchased != o.Plan.SeatsPurchased {
				t.Errorf("plan %s: final month %+v, overview %d in use of %d", h.Plan.Name, last, o.InUse, o.Plan.SeatsPurchased)
			}
		}
	})
}

// assertHistoryReplaysLedger checks every month of a 12-month history against the seat ledger
// summed entry by entry up to that month's end (for the current month: now).
func assertHistoryReplaysLedger(t *testing.T, store *models.Store, accountID int64, history []models.PlanHistory) {
	t.Helper()
	current := models.MonthStart(time.Now())
	for _, h := range history {
		if len(h.Months) != 12 {
			t.Fatalf("plan %s: %d months", h.Plan.Name, len(h.Months))
		}
		for j, m := range h.Months {
			end := m.Month.AddDate(0, 1, 0).Add(-time.Microsecond)
			if m.Month.Equal(current) {
				end = time.Now().UTC().Add(time.Hour)
			}
			want := ledgerSeats(t, store, accountID, end)[h.Plan.ID]
			if int64(m.InUse) != want.InUse || int64(m.Purchased) != want.Purchased {
				t.Errorf("plan %s %s: %d in use of %d, the ledger says %+v", h.Plan.Name, m.Month.Format("2006-01"), m.InUse, m.Purchased, want)
			}
			if j == 11 && !m.Month.Equal(current) {
				t.Errorf("last month %s is not the current one", m.Month)
			}
		}
	}
}

// The overview's seat counts and the history's monthly sums are kept by the database as users
// and ledger rows are written (migration 00006); they must follow any write, not only the
// Store's: bulk and single updates, moves between plans and months, inserts and deletes.
func TestSeatSumsFollowRawWrites(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		other := modelstest.Seeded(t, store, 50)
		actor := modelstest.ActorFor(t, store, seeded)
		ctx := context.Background()
		db := store.DB()
		acc := seeded.Account.ID
		plans, _ := currentSeats(t, store, acc)
		if len(plans) < 2 {
			t.Fatalf("%d plans: the test needs two", len(plans))
		}
		exec := func(sql string, vars ...any) {
			t.Helper()
			if err := db.Exec(sql, vars...).Error; err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		var active, invited []int64
		modelstest.Must(t, db.Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", acc, models.StatusActive, models.RoleMember).Order("id").Limit(12).Pluck("id", &active))
		modelstest.Must(t, db.Model(&models.User{}).Where("account_id = ? AND status = ?", acc, models.StatusInvited).Order("id").Limit(4).Pluck("id", &invited))
		if len(active) < 12 || len(invited) < 4 {
			t.Fatalf("%d active members and %d invited: the test needs more", len(active), len(invited))
		}
		exec("UPDATE users SET status = ? WHERE id IN ?", models.StatusInactive, active[:5])
		exec("UPDATE users SET plan_id = ? WHERE id IN ?", plans[1].ID, append(active[5:8], invited[:2]...))
		exec("UPDATE users SET plan_id = ? WHERE id IN ?", plans[0].ID, active[8:10])
		exec("UPDATE users SET plan_id = NULL WHERE id = ?", active[10])
		exec("UPDATE users SET status = ?, plan_id = ? WHERE id = ?", models.StatusActive, plans[0].ID, invited[2])
		exec("UPDATE users SET last_sign_in_at = ? WHERE account_id = ?", time.Now().UTC(), acc)
		now := time.Now().UTC()
		for i, status := range []models.UserStatus{models.StatusActive, models.StatusInvited, models.StatusActive} {
			email := fmt.Sprintf("raw%d@example.com", i)
			u := models.User{AccountID: acc, Email: &email, Name: "Raw Write", Role: models.RoleMember, Status: status,
				PlanID: &plans[i%2].ID, CreatedAt: now, UpdatedAt: now}
			if i == 2 {
				u.PlanID = nil
			}
			if err := db.Create(&u).Error; err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				exec("DELETE FROM users WHERE id = ?", u.ID)
			}
		}

		month := models.MonthStart(now)
		entries := []models.SeatLedgerEntry{
			{AccountID: acc, PlanID: plans[0].ID, InUseChange: 2, PurchasedChange: 5, Reason: "test", ChangedAt: month.AddDate(0, -3, 2)},
			{AccountID: acc, PlanID: plans[1].ID, ReservedChange: 1, Reason: "test", ChangedAt: month.AddDate(0, -3, 2)},
			{AccountID: acc, PlanID: plans[1].ID, InUseChange: -1, Reason: "test", ChangedAt: month.AddDate(0, -7, 0)},
			{AccountID: acc, PlanID: plans[0].ID, PurchasedChange: 3, Reason: "test", ChangedAt: month.AddDate(-2, 0, 0)},
			{AccountID: acc, PlanID: plans[0].ID, InUseChange: 1, Reason: "test", ChangedAt: month.Add(-time.Second)},
		}
		if err := db.CreateInBatches(entries, 100).Error; err != nil {
			t.Fatal(err)
		}
		exec("UPDATE seat_ledger SET changed_at = ? WHERE id = ?", month.AddDate(0, -5, 3), entries[0].ID)
		exec("UPDATE seat_ledger SET in_use_change = 4, plan_id = ? WHERE id = ?", plans[1].ID, entries[4].ID)
		exec("UPDATE seat_ledger SET user_id = NULL WHERE account_id = ? AND user_id IS NOT NULL AND reason <> ?", acc, "test")
		exec("DELETE FROM seat_ledger WHERE id = ?", entries[1].ID)
		exec("UPDATE seat_ledger SET changed_at = ? WHERE account_id = ? AND id IN (SELECT id FROM seat_ledger WHERE account_id = ? AND reason <> ? ORDER BY id LIMIT 20)",
			month.AddDate(0, -1, 5), acc, acc, "test")
		exec("DELETE FROM seat_ledger WHERE account_id = ? AND user_id IS NULL AND in_use_change = 1 AND changed_at < ?", other.Account.ID, month)

		o, err := store.SeatOverview(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		_, state := currentSeats(t, store, acc)
		for _, p := range o.Plans {
			if want := state[p.Plan.ID]; int64(p.InUse) != want.InUse || int64(p.Reserved) != want.Reserved {
				t.Errorf("plan %s: %d in use and %d reserved, the rows say %+v", p.Plan.Name, p.InUse, p.Reserved, want)
			}
		}
		history, err := store.SeatHistory(ctx, actor, 12)
		if err != nil {
			t.Fatal(err)
		}
		assertHistoryReplaysLedger(t, store, acc, history)
		otherHistory, err := store.SeatHistory(ctx, modelstest.ActorFor(t, store, other), 12)
		if err != nil {
			t.Fatal(err)
		}
		assertHistoryReplaysLedger(t, store, other.Account.ID, otherHistory)
	})
}

// The page's parts take a fixed number of queries whatever the account's size.
func TestSeatPagesQueryCount(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		actor := modelstest.ActorFor(t, store, seeded)
		ctx := context.Background()
		modelstest.Must(t, store.DB().Exec("UPDATE users SET last_sign_in_at = NULL WHERE account_id = ? AND id % 3 = 0", seeded.Account.ID))
		counted := func(what string, want int, fn func(*models.Store) error) {
			t.Helper()
			counter := &queryCounter{}
			if err := fn(store.WithQueryLogger(counter)); err != nil {
				t.Fatal(err)
			}
			if counter.n != want {
				t.Errorf("%s: %d queries, want %d", what, counter.n, want)
			}
		}
		counted("overview", 2, func(s *models.Store) error { _, err := s.SeatOverview(ctx, actor); return err })
		counted("history", 2, func(s *models.Store) error { _, err := s.SeatHistory(ctx, actor, 12); return err })
		var after *models.IdleCursor
		for page := 0; page < 3; page++ {
			counted(fmt.Sprintf("idle page %d", page+1), 1, func(s *models.Store) error {
				p, err := s.IdleSeats(ctx, actor, 90, after)
				if err == nil {
					after = p.Next
				}
				return err
			})
			if after == nil {
				break
			}
		}
	})
}

func TestIdleSeats(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 200)
		otherSeeded := modelstest.Seeded(t, store, 60)
		actor := modelstest.ActorFor(t, store, seeded)
		ctx := context.Background()
		db := store.DB()
		now := time.Now().UTC().Truncate(time.Second)
		// Spread the active users over the last 120 days, several on the very same instant, so
		// that the keyset has ties to get past.
		var active []models.User
		modelstest.Must(t, db.Where("account_id = ? AND status = ? AND plan_id IS NOT NULL", seeded.Account.ID, models.StatusActive).Order("id").Find(&active))
		for i, u := range active {
			if i%7 == 0 {
				modelstest.Must(t, db.Exec("UPDATE users SET last_sign_in_at = NULL WHERE id = ?", u.ID))
				continue
			}
			modelstest.Must(t, db.Exec("UPDATE users SET last_sign_in_at = ? WHERE id = ?", now.AddDate(0, 0, -(i%12)*10-5), u.ID))
		}
		// Inactive users with an old sign-in never count.
		modelstest.Must(t, db.Exec("UPDATE users SET last_sign_in_at = ? WHERE account_id = ? AND status <> ?", now.AddDate(0, 0, -400), seeded.Account.ID, models.StatusActive))
		modelstest.Must(t, db.Exec("UPDATE users SET last_sign_in_at = NULL WHERE account_id = ?", otherSeeded.Account.ID))

		for _, days := range []int{30, 60, 90} {
			cutoff := time.Now().UTC().AddDate(0, 0, -days)
			var want []int64
			modelstest.Must(t, db.Model(&models.User{}).Where("account_id = ? AND status = ? AND plan_id IS NOT NULL AND (last_sign_in_at IS NULL OR last_sign_in_at < ?)",
				seeded.Account.ID, models.StatusActive, cutoff).Pluck("id", &want))
			if len(want) <= models.IdleSeatsPageSize && days == 30 {
				t.Fatalf("only %d idle users: the test needs more than a page", len(want))
			}
			seen := map[int64]bool{}
			var after *models.IdleCursor
			var prev *time.Time
			pages := 0
			for {
				page, err := store.IdleSeats(ctx, actor, days, after)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, s := range page.Seats {
					if seen[s.UserID] {
						t.Errorf("%d days: user %d listed twice", days, s.UserID)
					}
					seen[s.UserID] = true
					if s.LastSignInAt != nil && !s.LastSignInAt.Before(cutoff) {
						t.Errorf("%d days: user %d signed in %s", days, s.UserID, s.LastSignInAt)
					}
					if prev != nil && (s.LastSignInAt == nil || s.LastSignInAt.Before(*prev)) {
						t.Errorf("%d days: not ordered by last sign-in at user %d", days, s.UserID)
					}
					if s.LastSignInAt != nil {
						prev = s.LastSignInAt
					}
					if s.PlanName == "" || s.PriceCents <= 0 {
						t.Errorf("user %d without plan or cost: %+v", s.UserID, s)
					}
				}
				if page.Next == nil {
					break
				}
				after = page.Next
				if pages > 100 {
					t.Fatal("endless pages")
				}
			}
			if len(seen) != len(want) {
				t.Errorf("%d days: listed %d users, the database has %d", days, len(seen), len(want))
			}
			for _, id := range want {
				if !seen[id] {
					t.Errorf("%d days: idle user %d missing", days, id)
				}
			}
		}
	})
}

func TestSeatPagesPermissions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		ctx := context.Background()
		member := *acc.Owner
		member.Role = models.RoleMember
		memberActor := &models.Actor{User: &member, Account: acc.Account}
		if _, err := store.SeatOverview(ctx, memberActor); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member overview: %v", err)
		}
		if _, err := store.SeatHistory(ctx, memberActor, 12); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member history: %v", err)
		}
		if _, err := store.IdleSeats(ctx, memberActor, 30, nil); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member idle: %v", err)
		}
		if err := store.SeatLedger(ctx, memberActor, time.Time{}, time.Now(), func(models.SeatLedgerRow) error { return nil }); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member ledger: %v", err)
		}
		finance := *acc.Owner
		finance.Role = models.RoleFinance
		financeActor := &models.Actor{User: &finance, Account: acc.Account}
		o, err := store.SeatOverview(ctx, financeActor)
		if err != nil || len(o.Plans) != 1 || o.Plans[0].InUse != 1 {
			t.Fatalf("finance overview: %+v %v", o, err)
		}
		if _, err := store.IdleSeats(ctx, financeActor, 90, nil); err != nil {
			t.Errorf("finance idle: %v", err)
		}
		rows := 0
		if err := store.SeatLedger(ctx, financeActor, time.Now().AddDate(-1, 0, 0), time.Now().Add(time.Hour), func(models.SeatLedgerRow) error { rows++; return nil }); err != nil || rows == 0 {
			t.Errorf("finance ledger: %d rows, %v", rows, err)
		}
	})
}
