package models_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// The statements every page view runs are read by Roster's own row reader on PostgreSQL; it must
// fill exactly what GORM fills: embedded prefixes, NULLs as zero values, pointers, times, lists.
func TestPreparedRowsReadAsGormReadsThem(t *testing.T) {
	type person struct {
		User        models.User `gorm:"embedded;embeddedPrefix:u__"`
		Manager     models.User `gorm:"embedded;embeddedPrefix:m__"`
		Reports     int64
		IsOwner     bool
		SortKey     string
		GroupNames  *string
		NotSelected string
	}
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		plans := addPlans(t, store, acc, "Team")
		boss := addUser(t, store, acc, "Boss <b>", "boss@example.test", models.RoleAdmin, models.StatusActive, &plans[0])
		worker := addUser(t, store, acc, "Worker", "worker@example.test", models.RoleMember, models.StatusInactive, nil)
		modelstest.Must(t, store.DB().Model(worker).Updates(map[string]any{"manager_id": boss.ID, "deactivated_at": time.Now().UTC()}))
		sql := `SELECT u.id AS u__id, u.name AS u__name, u.email AS u__email, u.plan_id AS u__plan_id, u.status AS u__status,
				u.deactivated_at AS u__deactivated_at, u.created_at AS u__created_at,
				m.id AS m__id, m.name AS m__name, m.email AS m__email,
				(SELECT count(*) FROM users r WHERE r.manager_id = u.id) AS reports, u.role = 'owner' AS is_owner,
				u.created_at AS sort_key, NULL AS group_names, 'extra' AS unknown_column
			FROM users u LEFT JOIN users m ON m.id = u.manager_id
			WHERE u.account_id = ? ORDER BY u.id`
		var got, want []person
		found, err := models.TakePreparedForTest(context.Background(), store, &got, sql, acc.Account.ID)
		if err != nil || !found {
			t.Fatalf("found %v, err %v", found, err)
		}
		modelstest.Must(t, store.DB().Raw(sql, acc.Account.ID).Scan(&want))
		if len(got) != 3 {
			t.Fatalf("read %d people, want the owner, the boss and the worker", len(got))
		}
		for i := range want {
			// Times differ only in their location's name; compare the instants.
			for _, pair := range [][2]*time.Time{{&got[i].User.CreatedAt, &want[i].User.CreatedAt}} {
				if !pair[0].Equal(*pair[1]) {
					t.Errorf("row %d: created %v, want %v", i, *pair[0], *pair[1])
				}
				*pair[0] = *pair[1]
			}
			if (got[i].User.DeactivatedAt == nil) != (want[i].User.DeactivatedAt == nil) {
				t.Errorf("row %d: deactivated %v, want %v", i, got[i].User.DeactivatedAt, want[i].User.DeactivatedAt)
			}
			got[i].User.DeactivatedAt, want[i].User.DeactivatedAt = nil, nil
			got[i].SortKey, want[i].SortKey = "", "" // a time read into text: each driver writes its own format
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d:\n got  %+v\n want %+v", i, got[i], want[i])
			}
		}
		last := got[2]
		if last.User.Name != "Worker" || last.Manager.Name != "Boss <b>" || last.Manager.ID != boss.ID || last.User.PlanID != nil {
			t.Errorf("the worker reads as %+v", last)
		}
		if got[1].Reports != 1 || got[1].Manager.ID != 0 || got[1].Manager.Email != nil {
			t.Errorf("the boss reads as %+v", got[1])
		}

		var one person
		found, err = models.TakePreparedForTest(context.Background(), store, &one, sql, acc.Account.ID)
		if err != nil || !found || one.User.ID != got[0].User.ID {
			t.Errorf("one row: found %v, err %v, id %d", found, err, one.User.ID)
		}
		var none person
		if found, err := models.TakePreparedForTest(context.Background(), store, &none, sql, -1); err != nil || found {
			t.Errorf("no row: found %v, err %v", found, err)
		}
	})
}
