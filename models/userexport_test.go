package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// exportedUser is what the database says about one user, to check an export against.
type exportedUser struct {
	ID      int64
	Name    string
	Email   string
	Role    models.Role
	Status  models.UserStatus
	PlanID  *int64
	Groups  []string `gorm:"-"`
	GroupID []int64  `gorm:"-"`
}

func TestExportUsers(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		// More active users than two batches hold, so the export crosses batch boundaries twice.
		seeded := modelstest.Seeded(t, store, 2600)
		other := modelstest.Seeded(t, store, 60)
		actor := modelstest.ActorFor(t, store, seeded)
		users := accountUsers(t, store, seeded.Account.ID)

		export := func(t *testing.T, q models.UserListQuery) []models.UserExportRow {
			t.Helper()
			var rows []models.UserExportRow
			if err := store.ExportUsers(ctx, actor, q, func(r models.UserExportRow) error {
				rows = append(rows, r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return rows
		}
		// expect checks that rows are exactly the users match selects on q's tab, each once.
		expect := func(t *testing.T, q models.UserListQuery, rows []models.UserExportRow, match func(exportedUser) bool) {
			t.Helper()
			want := map[int64]bool{}
			for _, u := range users {
				if u.Status == q.Status && match(u) {
					want[u.ID] = true
				}
			}
			if len(want) == 0 && q.Status == models.StatusActive {
				t.Fatalf("query %+v: the seed data should match someone", q)
			}
			seen := map[int64]bool{}
			for _, r := range rows {
				if seen[r.ID] {
					t.Fatalf("query %+v: user %d exported twice", q, r.ID)
				}
				seen[r.ID] = true
				if !want[r.ID] {
					t.Fatalf("query %+v: exported %q (id %d), who does not match or is not of this account", q, r.Name, r.ID)
				}
			}
			if len(seen) != len(want) {
				t.Fatalf("query %+v: exported %d users, want %d", q, len(seen), len(want))
			}
		}

		t.Run("EveryUserOfEachTabOnce", func(t *testing.T) {
			for _, status := range models.ListedStatuses {
				rows := export(t, models.UserListQuery{Status: status})
				expect(t, models.UserListQuery{Status: status}, rows, func(exportedUser) bool { return true })
				if status == models.StatusActive && len(rows) <= 2*models.ExportBatchSize {
					t.Fatalf("%d active users fit in two batches; the test needs more", len(rows))
				}
				byID := map[int64]exportedUser{}
				for _, u := range users {
					byID[u.ID] = u
				}
				for _, r := range rows {
					u := byID[r.ID]
					if r.Name != u.Name || r.Email != u.Email || r.Role != u.Role || r.Status != status || r.CreatedAt.IsZero() {
						t.Fatalf("row %+v does not match the user %+v", r, u)
					}
					if (u.PlanID != nil) != (r.PlanName != "") {
						t.Fatalf("row %d: plan %q, user's plan id %v", r.ID, r.PlanName, u.PlanID)
					}
					if strings.Join(r.Groups, "; ") != strings.Join(u.Groups, "; ") {
						t.Fatalf("row %d: groups %q, want %q", r.ID, r.Groups, u.Groups)
					}
					if status == models.StatusInvited && (r.InvitedByName == "" || r.InvitedAt == nil || r.ExpiresAt == nil) {
						t.Fatalf("invited row %d lacks its invitation: %+v", r.ID, r)
					}
				}
			}
		})

		t.Run("SameOrderAsTheList", func(t *testing.T) {
			for _, sortBy := range models.UserSorts {
				for _, desc := range []bool{false, true} {
					q := models.UserListQuery{Status: models.StatusActive, Sort: sortBy, Desc: desc, PageSize: models.MaxPageSize}
					var listed []int64
					for {
						page, err := store.ListUsers(ctx, actor, q)
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range page.Rows {
							listed = append(listed, r.ID)
						}
						if page.NextCursor == "" {
							break
						}
						q.After = page.NextCursor
					}
					// Cursors and page size in the query are ignored: an export is the whole tab.
					var exported []int64
					for _, r := range export(t, q) {
						exported = append(exported, r.ID)
					}
					if !slices.Equal(exported, listed) {
						t.Fatalf("sort %s desc=%v: the export's order differs from the list's (%d and %d rows)", sortBy, desc, len(exported), len(listed))
					}
				}
			}
		})

		t.Run("Filters", func(t *testing.T) {
			var plan, group int64
			for _, u := range users {
				if u.Status == models.StatusActive && u.PlanID != nil && plan == 0 {
					plan = *u.PlanID
				}
				if u.Status == models.StatusActive && len(u.GroupID) > 0 && group == 0 {
					group = u.GroupID[0]
				}
			}
			cases := []struct {
				name  string
				q     models.UserListQuery
				match func(exportedUser) bool
			}{
				{"search", models.UserListQuery{Search: "Hansen"}, func(u exportedUser) bool {
					return strings.Contains(strings.ToLower(u.Name+" "+u.Email), "hansen")
				}},
				{"role", models.UserListQuery{Role: models.RoleManager}, func(u exportedUser) bool { return u.Role == models.RoleManager }},
				{"plan", models.UserListQuery{PlanID: plan}, func(u exportedUser) bool { return u.PlanID != nil && *u.PlanID == plan }},
				{"group", models.UserListQuery{GroupID: group}, func(u exportedUser) bool { return slices.Contains(u.GroupID, group) }},
				{"search, role and plan", models.UserListQuery{Search: "a", Role: models.RoleMember, PlanID: plan, Sort: models.SortEmail, Desc: true},
					func(u exportedUser) bool {
						return strings.Contains(strings.ToLower(u.Name+" "+u.Email), "a") && u.Role == models.RoleMember && u.PlanID != nil && *u.PlanID == plan
					}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					for _, status := range []models.UserStatus{models.StatusActive, models.StatusInactive} {
						q := tc.q
						q.Status = status
						expect(t, q, export(t, q), tc.match)
					}
				})
			}
		})

		t.Run("NeverAnotherAccount", func(t *testing.T) {
			var theirs models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ?", other.Account.ID, models.StatusActive).Order("id").First(&theirs))
			var plan, group int64
			modelstest.Must(t, store.DB().Model(&models.Plan{}).Select("id").Where("account_id = ?", other.Account.ID).Limit(1).Scan(&plan))
			modelstest.Must(t, store.DB().Model(&models.Group{}).Select("id").Where("account_id = ?", other.Account.ID).Limit(1).Scan(&group))
			for _, q := range []models.UserListQuery{{Search: theirs.EmailAddress()}, {PlanID: plan}, {GroupID: group}} {
				for _, r := range export(t, q) {
					t.Fatalf("query %+v exports %q of another account", q, r.Name)
				}
			}
		})

		t.Run("QueriesPerBatchAreFixed", func(t *testing.T) {
			for _, status := range models.ListedStatuses {
				counter := &queryCounter{}
				n := 0
				if err := store.WithQueryLogger(counter).ExportUsers(ctx, actor, models.UserListQuery{Status: status}, func(models.UserExportRow) error {
					n++
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				// One query per batch: the rows with their groups, and a last read that finds
				// fewer rows than a batch, or none.
				want := n/models.ExportBatchSize + 1
				if counter.n != want {
					t.Errorf("%s: exporting %d users took %d queries, want %d", status, n, counter.n, want)
				}
			}
		})

		t.Run("AnErrorOfEachStopsTheExport", func(t *testing.T) {
			stop := errors.New("client went away")
			calls := 0
			err := store.ExportUsers(ctx, actor, models.UserListQuery{}, func(models.UserExportRow) error {
				calls++
				if calls == models.ExportBatchSize+5 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != models.ExportBatchSize+5 {
				t.Fatalf("got %v after %d calls, want the callback's error after %d", err, calls, models.ExportBatchSize+5)
			}
		})

		t.Run("ErrForbidden", func(t *testing.T) {
			var member models.User
			modelstest.Must(t, store.DB().Where("account_id = ? AND status = ? AND role = ?", seeded.Account.ID, models.StatusActive, models.RoleMember).First(&member))
			memberActor := &models.Actor{User: &member, Account: &seeded.Account}
			called := false
			err := store.ExportUsers(ctx, memberActor, models.UserListQuery{}, func(models.UserExportRow) error {
				called = true
				return nil
			})
			if !errors.Is(err, models.ErrForbidden) || called {
				t.Fatalf("member export: %v (rows: %v), want ErrForbidden and no rows", err, called)
			}
			if err := store.ExportUsers(ctx, nil, models.UserListQuery{}, func(models.UserExportRow) error { return nil }); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("visitor export: %v, want ErrForbidden", err)
			}
		})
	})
}

// accountUsers reads every user of an account with their groups, sorted by group name as the
// list shows them, straight from the tables.
func accountUsers(t *testing.T, store *models.Store, accountID int64) []exportedUser {
	t.Helper()
	var users []exportedUser
	if err := store.DB().Table("users").Select("id, name, coalesce(email, '') AS email, role, status, plan_id").
		Where("account_id = ?", accountID).Order("id").Scan(&users).Error; err != nil {
		t.Fatal(err)
	}
	var memberships []struct {
		UserID  int64
		GroupID int64
		Name    string
	}
	if err := store.DB().Table("group_members").Select("group_members.user_id, groups.id AS group_id, groups.name").
		Joins("JOIN groups ON groups.id = group_members.group_id").Where("groups.account_id = ?", accountID).
		Order("groups.name").Scan(&memberships).Error; err != nil {
		t.Fatal(err)
	}
	index := map[int64]int{}
	for i, u := range users {
		index[u.ID] = i
	}
	for _, m := range memberships {
		i, ok := index[m.UserID]
		if !ok {
			t.Fatalf("group member %d is not of account %d", m.UserID, accountID)
		}
		users[i].Groups = append(users[i].Groups, m.Name)
		users[i].GroupID = append(users[i].GroupID, m.GroupID)
	}
	return users
}
