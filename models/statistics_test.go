package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

func TestTeamStatisticsMatchesTheActivityRows(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 80)
		actor := modelstest.ActorFor(t, store, seeded)
		stats, err := store.TeamStatistics(ctx, actor, models.StatisticsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		q := stats.Query
		if q.Months() != models.DefaultStatisticsMonths || !q.To.Equal(models.MonthStart(time.Now())) {
			t.Fatalf("default range %s..%s, want the last 12 months", q.From, q.To)
		}

		var rows []models.Activity
		if err := store.DB().Where("account_id = ? AND occurred_at >= ? AND occurred_at < ?", seeded.Account.ID, q.From, q.To.AddDate(0, 1, 0)).
			Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatal("the seeded account has no activity in the last year")
		}
		perMonth := map[string]map[string]int64{}
		perUser := map[int64]map[string]int64{}
		for _, a := range rows {
			m := a.OccurredAt.UTC().Format("2006-01")
			if perMonth[m] == nil {
				perMonth[m] = map[string]int64{}
			}
			perMonth[m][a.Kind]++
			if perUser[a.UserID] == nil {
				perUser[a.UserID] = map[string]int64{}
			}
			perUser[a.UserID][a.Kind]++
		}
		if len(stats.Months) != 12 {
			t.Fatalf("%d months, want 12", len(stats.Months))
		}
		var total int64
		for _, m := range stats.Months {
			for _, kind := range models.ActivityKinds {
				if got, want := m.Of(kind), perMonth[m.Month.Format("2006-01")][kind]; got != want {
					t.Errorf("%s %s: %d, the rows say %d", m.Month.Format("2006-01"), kind, got, want)
				}
			}
			total += m.Total()
		}
		if total != int64(len(rows)) || stats.Totals.Total() != total {
			t.Errorf("months add up to %d (totals %d), there are %d rows", total, stats.Totals.Total(), len(rows))
		}
		if len(stats.Users) != len(perUser) || stats.OtherUsers != 0 || stats.Others.Total() != 0 {
			t.Errorf("%d users listed, %d others, want all %d", len(stats.Users), stats.OtherUsers, len(perUser))
		}
		for i, u := range stats.Users {
			for _, kind := range models.ActivityKinds {
				if got, want := u.Of(kind), perUser[u.UserID][kind]; got != want {
					t.Errorf("user %d %s: %d, the rows say %d", u.UserID, kind, got, want)
				}
			}
			if i > 0 && stats.Users[i-1].Total() < u.Total() {
				t.Errorf("users not sorted by total: %d before %d", stats.Users[i-1].Total(), u.Total())
			}
		}

		t.Run("KindFilter", func(t *testing.T) {
			won, err := store.TeamStatistics(ctx, actor, models.StatisticsQuery{Kind: models.ActivityDealWon})
			if err != nil {
				t.Fatal(err)
			}
			if won.Totals.DealsWon != stats.Totals.DealsWon || won.Totals.RecordsCreated != 0 || won.Totals.Comments != 0 {
				t.Errorf("deal_won filter totals %+v, want only %d deals won", won.Totals, stats.Totals.DealsWon)
			}
		})
	})
}

func TestTeamStatisticsCountsEveryoneWithHistory(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		other := modelstest.NewAccount(t, store)
		now := time.Now().UTC()
		active := addUser(t, store, acc, "Ada Active", "ada-"+acc.Owner.EmailAddress(), models.RoleMember, models.StatusActive, nil)
		inactive := addUser(t, store, acc, "Ivan Inactive", "ivan-"+acc.Owner.EmailAddress(), models.RoleMember, models.StatusInactive, nil)
		gone := addUser(t, store, acc, "Gina Gone", "gina-"+acc.Owner.EmailAddress(), models.RoleMember, models.StatusInactive, nil)
		stranger := addUser(t, store, other, "Stan Stranger", "stan-"+other.Owner.EmailAddress(), models.RoleMember, models.StatusActive, nil)
		act := func(u *models.User, account int64, kind string, n int) {
			for i := 0; i < n; i++ {
				a := models.Activity{AccountID: account, UserID: u.ID, Kind: kind, OccurredAt: now.Add(-time.Duration(i) * time.Minute)}
				if err := store.DB().Create(&a).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		act(active, acc.Account.ID, models.ActivityRecordCreated, 3)
		act(inactive, acc.Account.ID, models.ActivityDealWon, 2)
		act(gone, acc.Account.ID, models.ActivityComment, 4)
		act(stranger, other.Account.ID, models.ActivityComment, 50)
		// Anonymised: erased name, status deleted, history kept.
		if err := store.DB().Exec("UPDATE users SET status = ?, name = '', email = NULL WHERE id = ?", models.StatusDeleted, gone.ID).Error; err != nil {
			t.Fatal(err)
		}
		byID := func() map[int64]models.UserStatistics {
			stats, err := store.TeamStatistics(ctx, acc.Actor, models.StatisticsQuery{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]models.UserStatistics{}
			for _, u := range stats.Users {
				out[u.UserID] = u
			}
			return out
		}
		users := byID()
		t.Run("SortsByAColumnAndTellsSameNamesApart", func(t *testing.T) {
			twin := addUser(t, store, acc, "Ada Active", "ada2-"+acc.Owner.EmailAddress(), models.RoleMember, models.StatusActive, nil)
			act(twin, acc.Account.ID, models.ActivityComment, 1)
			stats, err := store.TeamStatistics(ctx, acc.Actor, models.StatisticsQuery{Sort: "name"})
			if err != nil {
				t.Fatal(err)
			}
			var order []string
			for _, u := range stats.Users {
				order = append(order, u.DisplayName())
				switch u.UserID {
				case active.ID, twin.ID:
					if u.SameNameEmail != *u.Email {
						t.Errorf("%s shares a name but shows %q beside it", *u.Email, u.SameNameEmail)
					}
				default:
					if u.SameNameEmail != "" {
						t.Errorf("%s has a name of their own but shows %q", u.DisplayName(), u.SameNameEmail)
					}
				}
			}
			want := []string{models.DeletedUserName, "Ada Active", "Ada Active", "Ivan Inactive"}
			if models.DeletedUserName > "Ada" {
				want = []string{"Ada Active", "Ada Active", "Ivan Inactive", models.DeletedUserName}
			}
			if strings.Join(order, "|") != strings.Join(want, "|") {
				t.Errorf("sorted by name: %q, want %q", order, want)
			}
			stats, err = store.TeamStatistics(ctx, acc.Actor, models.StatisticsQuery{Sort: "'; DROP TABLE users; --", Desc: true})
			if err != nil || stats.Query.Sort != "" || stats.Users[0].Total() < stats.Users[len(stats.Users)-1].Total() {
				t.Errorf("an unknown sort must fall back to most active first: %v, %+v", err, stats.Query)
			}
			modelstest.Must(t, store.DB().Exec("DELETE FROM activities WHERE user_id = ?", twin.ID))
		})
		t.Run("InactiveStillCounts", func(t *testing.T) {
			if u := users[inactive.ID]; u.DealsWon != 2 || u.Status != models.StatusInactive || u.DisplayName() != "Ivan Inactive" {
				t.Errorf("inactive user: %+v", u)
			}
		})
		t.Run("AnonymisedShowsAsDeletedUser", func(t *testing.T) {
			u := users[gone.ID]
			if u.Comments != 4 || u.DisplayName() != models.DeletedUserName {
				t.Errorf("anonymised user: %+v shown as %q", u, u.DisplayName())
			}
			if got := models.DisplayName(&models.User{Name: "Kept", Status: models.StatusDeleted}); got != models.DeletedUserName {
				t.Errorf("DisplayName of a deleted user = %q", got)
			}
		})
		t.Run("OtherAccountNeverCounts", func(t *testing.T) {
			if _, ok := users[stranger.ID]; ok || len(users) != 3 {
				t.Errorf("listed %d users, including the other account's: %v", len(users), ok)
			}
		})
		t.Run("RemovedActivityNoLongerCounts", func(t *testing.T) {
			if err := store.DB().Exec("DELETE FROM activities WHERE user_id = ?", active.ID).Error; err != nil {
				t.Fatal(err)
			}
			if u, ok := byID()[active.ID]; ok {
				t.Errorf("user without activity rows still listed: %+v", u)
			}
		})
		t.Run("ErrForbiddenForMembers", func(t *testing.T) {
			member := &models.Actor{User: active, Account: acc.Account}
			if _, err := store.TeamStatistics(ctx, member, models.StatisticsQuery{}); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("member got %v, want ErrForbidden", err)
			}
		})
	})
}

func TestNormaliseStatisticsQuery(t *testing.T) {
	now := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		in       models.StatisticsQuery
		from, to time.Time
		kind     string
		changed  bool
	}{
		{"Defaults", models.StatisticsQuery{}, month(2025, 12), month(2026, 11), "", false},
		{"Kept", models.StatisticsQuery{From: month(2026, 1), To: month(2026, 6), Kind: models.ActivityComment}, month(2026, 1), month(2026, 6), models.ActivityComment, false},
		{"ReversedSwapped", models.StatisticsQuery{From: month(2026, 6), To: month(2026, 1)}, month(2026, 1), month(2026, 6), "", true},
		{"TooLongKeepsLastMonths", models.StatisticsQuery{From: month(2000, 1), To: month(2026, 11)}, month(2024, 12), month(2026, 11), "", true},
		{"FutureCutOff", models.StatisticsQuery{From: month(2026, 6), To: month(9999, 12)}, month(2026, 6), month(2026, 11), "", true},
		{"OnlyFromInFuture", models.StatisticsQuery{From: month(9999, 1)}, month(2026, 11), month(2026, 11), "", true},
		{"MidMonthRounded", models.StatisticsQuery{From: month(2026, 3).Add(50 * time.Hour), To: month(2026, 4)}, month(2026, 3), month(2026, 4), "", true},
		{"GarbageKind", models.StatisticsQuery{Kind: "<script>"}, month(2025, 12), month(2026, 11), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := models.NormaliseStatisticsQuery(tc.in, now)
			if !got.From.Equal(tc.from) || !got.To.Equal(tc.to) || got.Kind != tc.kind || changed != tc.changed {
				t.Errorf("got %s..%s %q changed=%v, want %s..%s %q changed=%v", got.From.Format("2006-01"), got.To.Format("2006-01"), got.Kind, changed,
					tc.from.Format("2006-01"), tc.to.Format("2006-01"), tc.kind, tc.changed)
			}
			if got.Months() < 1 || got.Months() > models.MaxStatisticsMonths {
				t.Errorf("%d months", got.Months())
			}
		})
	}
}
