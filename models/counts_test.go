package models_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"roster/models"
	"roster/models/modelstest"
)

// The tab counts come from counters the database keeps; they must match the rows after any kind
// of write: bulk inserts, multi-row status changes, no-op updates and deletes.
func TestTabCountsStayExact(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 90)
		actor := modelstest.ActorFor(t, store, seeded)
		db := store.DB()
		check := func(step string) {
			t.Helper()
			page, err := store.ListUsers(ctx, actor, models.UserListQuery{Status: models.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			want := statusCounts(t, store, seeded.Account.ID)
			for _, status := range models.ListedStatuses {
				if got := page.Counts[status]; got.N != want[status] || got.AtLeast {
					t.Fatalf("after %s: %s tab shows %+v, the table holds %d", step, status, got, want[status])
				}
			}
		}
		check("seeding")
		var members []int64
		modelstest.Must(t, db.Model(&models.User{}).Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).
			Order("id").Limit(10).Pluck("id", &members))
		if len(members) != 10 {
			t.Fatalf("found %d active members to change, want 10", len(members))
		}
		updated := func(tx *gorm.DB, want int64) {
			t.Helper()
			if modelstest.Must(t, tx).RowsAffected != want {
				t.Fatalf("update changed %d rows, want %d", tx.RowsAffected, want)
			}
		}
		updated(db.Model(&models.User{}).Where("id IN ?", members).Update("status", models.StatusInactive), 10)
		check("deactivating ten users in one statement")
		updated(db.Model(&models.User{}).Where("id IN ?", members).Update("name", "Renamed"), 10)
		check("an update that leaves statuses alone")
		updated(db.Model(&models.User{}).Where("id IN ?", members[:3]).Update("status", models.StatusActive), 3)
		check("reactivating three")
		// A fresh invitation, which nothing else refers to yet, so it can be deleted outright (a
		// seeded one is still referenced from other tables, such as group memberships).
		invited := addUser(t, store, &modelstest.Account{Account: &seeded.Account}, "Ivy Invited",
			"ivy-invited@"+seeded.OwnerEmail[strings.IndexByte(seeded.OwnerEmail, '@')+1:], models.RoleMember, models.StatusInvited, nil)
		check("inviting one more")
		updated(db.Delete(&models.User{}, invited.ID), 1)
		check("deleting an invitation")
	})
}

func TestFilteredCountsStopAtTheLimit(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 1400)
		actor := modelstest.ActorFor(t, store, seeded)
		t.Run("ExactBelowTheScanLimit", func(t *testing.T) {
			page, err := store.ListUsers(context.Background(), actor, models.UserListQuery{Status: models.StatusActive, Search: "@"})
			if err != nil {
				t.Fatal(err)
			}
			want := statusCounts(t, store, seeded.Account.ID)
			for _, status := range models.ListedStatuses {
				if got := page.Counts[status]; got.N != want[status] || got.AtLeast {
					t.Fatalf("%s: %+v, want exactly %d", status, got, want[status])
				}
			}
		})
		// Above the single-pass limit, each tab is counted up to the display limit.
		defer models.SetCountLimits(500, 300)()
		// Every generated address contains the account's domain, so this search matches everyone.
		page, err := store.ListUsers(context.Background(), actor, models.UserListQuery{Status: models.StatusActive, Search: "@"})
		if err != nil {
			t.Fatal(err)
		}
		if got := page.Counts[models.StatusActive]; got.N != 300 || !got.AtLeast {
			t.Fatalf("active count under a broad search: %+v, want 300 and more", got)
		}
		want := statusCounts(t, store, seeded.Account.ID)[models.StatusInvited]
		if got := page.Counts[models.StatusInvited]; got.N != want || got.AtLeast {
			t.Fatalf("invited count below the limit: %+v, want exactly %d", got, want)
		}
	})
}
