package models_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"roster/models"
	"roster/models/modelstest"
)

func TestListUsersTabsAndCounts(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 120)
		actor := modelstest.ActorFor(t, store, seeded)
		want := statusCounts(t, store, seeded.Account.ID)
		for _, status := range models.ListedStatuses {
			page, err := store.ListUsers(ctx, actor, models.UserListQuery{Status: status, PageSize: models.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			if page.Counts[status].N != want[status] {
				t.Errorf("%s tab counts %d, the database holds %d", status, page.Counts[status].N, want[status])
			}
			if int64(len(page.Rows)) != want[status] {
				t.Errorf("%s tab lists %d rows, want %d", status, len(page.Rows), want[status])
			}
			for _, row := range page.Rows {
				if row.Status != status {
					t.Fatalf("%s tab lists %s (status %s)", status, row.Name, row.Status)
				}
			}
		}
		if want[models.StatusInactive] == 0 || want[models.StatusInvited] == 0 {
			t.Fatalf("seed data should fill every tab, got %v", want)
		}
	})
}

func TestListUsersKeysetPagingVisitsEveryUserOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 150)
		actor := modelstest.ActorFor(t, store, seeded)
		total := statusCounts(t, store, seeded.Account.ID)[models.StatusActive]
		for _, sortBy := range models.UserSorts {
			for _, desc := range []bool{false, true} {
				q := models.UserListQuery{Status: models.StatusActive, Sort: sortBy, Desc: desc, PageSize: 7}
				var forward []int64
				var pages []*models.UserListPage
				for {
					page, err := store.ListUsers(ctx, actor, q)
					if err != nil {
						t.Fatal(err)
					}
					pages = append(pages, page)
					for _, r := range page.Rows {
						forward = append(forward, r.ID)
					}
					if page.NextCursor == "" {
						break
					}
					q.After, q.Before = page.NextCursor, ""
				}
				if int64(len(forward)) != total || len(unique(forward)) != len(forward) {
					t.Fatalf("sort %s desc=%v: paged through %d rows (%d distinct), want %d", sortBy, desc, len(forward), len(unique(forward)), total)
				}
				// Walking back from the last page with the Previous cursors gives the same pages.
				q.After = ""
				for i := len(pages) - 1; i > 0; i-- {
					q.Before = pages[i].PrevCursor
					if q.Before == "" {
						t.Fatalf("sort %s: page %d has no previous cursor", sortBy, i)
					}
					back, err := store.ListUsers(ctx, actor, q)
					if err != nil {
						t.Fatal(err)
					}
					if ids(back.Rows) != ids(pages[i-1].Rows) {
						t.Fatalf("sort %s desc=%v: previous of page %d differs from page %d", sortBy, desc, i, i-1)
					}
				}
				if pages[0].PrevCursor != "" {
					t.Fatalf("first page offers a previous page")
				}
			}
		}
	})
}

func TestListUsersOrdersByName(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 60)
		actor := modelstest.ActorFor(t, store, seeded)
		page, err := store.ListUsers(context.Background(), actor, models.UserListQuery{Status: models.StatusActive, PageSize: 200})
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(page.Rows))
		for i, r := range page.Rows {
			names[i] = strings.ToLower(r.Name)
		}
		if !sort.StringsAreSorted(names) {
			t.Fatalf("names are not in order: %v", names)
		}
	})
}

func TestListUsersSearchAndFilters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plans := addPlans(t, store, acc, "Pro", "Lite")
		group := addGroup(t, store, acc, "Night Shift")
		mk := func(name, email string, role models.Role, status models.UserStatus, plan int64) *models.User {
			return addUser(t, store, acc, name, email, role, status, &plan)
		}
		percent := mk("Ann 100% Percent", "ann@example.com", models.RoleMember, models.StatusActive, plans[0])
		underscore := mk("Bob_Under", "bob@example.com", models.RoleManager, models.StatusActive, plans[1])
		mk("Carl Searle", "carl@searle.example", models.RoleMember, models.StatusInactive, plans[1])
		script := mk(`<script>alert(1)</script>`, "xss@example.com", models.RoleSupport, models.StatusActive, plans[0])
		joinGroup(t, store, acc, group, underscore)

		cases := []struct {
			name   string
			query  models.UserListQuery
			active []string
			counts [3]int64 // active, inactive, invited; the owner counts where the query matches them
		}{
			{"search name, case-insensitive", models.UserListQuery{Search: "SEARLE"}, nil, [3]int64{0, 1, 0}},
			{"search e-mail", models.UserListQuery{Search: "bob@"}, []string{"Bob_Under"}, [3]int64{1, 0, 0}},
			{"percent is literal", models.UserListQuery{Search: "100%"}, []string{percent.Name}, [3]int64{1, 0, 0}},
			{"underscore is literal", models.UserListQuery{Search: "b_u"}, []string{"Bob_Under"}, [3]int64{1, 0, 0}},
			{"sql fragment matches nothing", models.UserListQuery{Search: "' OR 1=1 --"}, nil, [3]int64{0, 0, 0}},
			{"html is searched as text", models.UserListQuery{Search: "<script>"}, []string{script.Name}, [3]int64{1, 0, 0}},
			{"role", models.UserListQuery{Role: models.RoleManager}, []string{"Bob_Under"}, [3]int64{1, 0, 0}},
			{"plan", models.UserListQuery{PlanID: plans[1]}, []string{"Bob_Under"}, [3]int64{1, 1, 0}},
			{"no plan", models.UserListQuery{PlanID: models.PlanFilterNone}, nil, [3]int64{0, 0, 0}},
			{"group", models.UserListQuery{GroupID: group}, []string{"Bob_Under"}, [3]int64{1, 0, 0}},
			{"unknown role is ignored", models.UserListQuery{Role: "emperor", Search: "example.com"}, []string{percent.Name, "Bob_Under", script.Name}, [3]int64{4, 0, 0}}, // and the owner,
			{"huge search is cut, not refused", models.UserListQuery{Search: strings.Repeat("x", 10000)}, nil, [3]int64{0, 0, 0}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				q := tc.query
				q.Status = models.StatusActive
				page, err := store.ListUsers(ctx, acc.Actor, q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range page.Rows {
					if r.ID != acc.Owner.ID {
						got = append(got, r.Name)
					}
				}
				sort.Strings(got)
				want := append([]string(nil), tc.active...)
				sort.Strings(want)
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("rows %q, want %q", got, want)
				}
				gotCounts := [3]int64{page.Counts[models.StatusActive].N, page.Counts[models.StatusInactive].N, page.Counts[models.StatusInvited].N}
				if gotCounts != tc.counts {
					t.Errorf("counts %v, want %v", gotCounts, tc.counts)
				}
			})
		}
	})
}

func TestListUsersNeverShowsAnotherAccount(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		mine, theirs := modelstest.NewAccount(t, store), modelstest.NewAccount(t, store)
		theirGroup := addGroup(t, store, theirs, "Theirs")
		theirPlan := addPlans(t, store, theirs, "Their plan")[0]
		stranger := addUser(t, store, theirs, "Stranger Danger", "stranger@example.com", models.RoleMember, models.StatusActive, &theirPlan)
		joinGroup(t, store, theirs, theirGroup, stranger)
		for _, q := range []models.UserListQuery{{Search: "Stranger"}, {GroupID: theirGroup}, {PlanID: theirPlan}, {}} {
			page, err := store.ListUsers(ctx, mine.Actor, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Rows {
				if r.ID != mine.Owner.ID {
					t.Fatalf("query %+v lists %q of another account", q, r.Name)
				}
			}
		}
		if _, err := store.GetUserProfile(ctx, mine.Actor, stranger.ID); err != models.ErrNotFound {
			t.Fatalf("profile of another account's user: got %v, want ErrNotFound", err)
		}
	})
}

func TestListUsersQueryCountDoesNotGrowWithPageSize(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		seeded := modelstest.Seeded(t, store, 300)
		actor := modelstest.ActorFor(t, store, seeded)
		count := func(q models.UserListQuery) (int, int) {
			counter := &queryCounter{}
			page, err := store.WithQueryLogger(counter).ListUsers(context.Background(), actor, q)
			if err != nil {
				t.Fatal(err)
			}
			return counter.n, len(page.Rows)
		}
		small, smallRows := count(models.UserListQuery{Status: models.StatusActive, PageSize: 5})
		large, largeRows := count(models.UserListQuery{Status: models.StatusActive, PageSize: 200, WithChoices: true})
		if smallRows != 5 || largeRows != 200 {
			t.Fatalf("pages of %d and %d rows, want 5 and 200", smallRows, largeRows)
		}
		if small != large || large > 2 {
			t.Fatalf("a page of 5 rows takes %d queries and one of 200 takes %d; want the same, at most 2", small, large)
		}
		// Whatever the filters: a search, a group, a role, a plan, and a search broad enough to
		// need the bounded counts.
		var groupID int64
		modelstest.Must(t, store.DB().Model(&models.Group{}).Select("id").Where("account_id = ?", seeded.Account.ID).Limit(1).Scan(&groupID))
		for _, q := range []models.UserListQuery{
			{Search: "a", WithChoices: true}, {GroupID: groupID}, {Role: models.RoleMember, WithChoices: true},
			{PlanID: models.PlanFilterNone, Status: models.StatusInvited}, {Search: "e", Status: models.StatusInactive},
		} {
			if n, _ := count(q); n > 2 {
				t.Fatalf("%+v takes %d queries, want at most 2", q, n)
			}
		}
	})
}

func TestUserProfile(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 60)
		actor := modelstest.ActorFor(t, store, seeded)
		var owner models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND role = ?", seeded.Account.ID, models.RoleGroupAdmin).Order("id").First(&owner))
		profile, err := store.GetUserProfile(ctx, actor, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", owner.ID).Count(&want))
		open, closed := profile.TotalRecords()
		if want == 0 || open+closed != want {
			t.Fatalf("profile counts %d records, the database holds %d", open+closed, want)
		}
		if len(profile.OwnedGroups) != 1 || profile.Plan == nil {
			t.Fatalf("group administrator should own one group and hold a plan: %+v", profile)
		}
		for _, id := range []int64{0, -1, 1 << 62} {
			if _, err := store.GetUserProfile(ctx, actor, id); err != models.ErrNotFound {
				t.Fatalf("profile %d: got %v, want ErrNotFound", id, err)
			}
		}
	})
}

// queryCounter is a GORM logger that counts the statements it is shown.
type queryCounter struct{ n int }

func (q *queryCounter) LogMode(logger.LogLevel) logger.Interface { return q }
func (q *queryCounter) Info(context.Context, string, ...any)     {}
func (q *queryCounter) Warn(context.Context, string, ...any)     {}
func (q *queryCounter) Error(context.Context, string, ...any)    {}
func (q *queryCounter) Trace(context.Context, time.Time, func() (string, int64), error) {
	q.n++
}

func statusCounts(t *testing.T, store *models.Store, accountID int64) map[models.UserStatus]int64 {
	t.Helper()
	counts := map[models.UserStatus]int64{}
	for _, status := range models.ListedStatuses {
		var n int64
		if err := store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", accountID, status).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[status] = n
	}
	return counts
}

func unique(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func ids(rows []models.UserRow) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(string(rune(r.ID)))
	}
	return b.String()
}

// A profile, someone else's or one's own, is one statement: the user, what they point at, their
// counts and their lists together.
func TestUserProfileIsOneStatement(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		seeded := modelstest.Seeded(t, store, 60)
		actor := modelstest.ActorFor(t, store, seeded)
		var member models.User
		modelstest.Must(t, store.DB().Where("account_id = ? AND role = ?", seeded.Account.ID, models.RoleGroupAdmin).Order("id").First(&member))
		counter := &queryCounter{}
		profile, err := store.WithQueryLogger(counter).GetUserProfile(ctx, actor, member.ID)
		if err != nil || counter.n != 1 || profile.User.ID != member.ID || len(profile.Records) == 0 {
			t.Fatalf("profile: %d statements, %v", counter.n, err)
		}
		counter = &queryCounter{}
		own, err := store.WithQueryLogger(counter).OwnProfile(ctx, actor)
		if err != nil || counter.n != 1 || own.User.ID != actor.User.ID || len(own.RecentActivity) == 0 {
			t.Fatalf("own profile: %d statements, %v", counter.n, err)
		}
	})
}

// Up to GroupChoicesShown groups come with the page for its filter; beyond that only the chosen
// one does, and FilterGroups lists them all, each actor's own.
func TestManyGroupsAreOfferedOnDemand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		var ids []int64
		for i := range models.GroupChoicesShown {
			ids = append(ids, addGroup(t, store, acc, fmt.Sprintf("Team %03d", i)))
		}
		q := models.UserListQuery{Status: models.StatusActive, WithChoices: true}
		page, err := store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		if page.MoreGroups || len(page.Groups) != models.GroupChoicesShown {
			t.Fatalf("%d groups: the page offers %d, more %v", models.GroupChoicesShown, len(page.Groups), page.MoreGroups)
		}

		ids = append(ids, addGroup(t, store, acc, "Team 999"))
		page, err = store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		if !page.MoreGroups || len(page.Groups) != 0 {
			t.Fatalf("one group more: the page offers %d, more %v", len(page.Groups), page.MoreGroups)
		}
		q.GroupID = ids[7]
		page, err = store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		if !page.MoreGroups || len(page.Groups) != 1 || page.Groups[0].Name != "Team 007" {
			t.Fatalf("filtered by a group: the page offers %+v", page.Groups)
		}

		all, err := store.FilterGroups(ctx, acc.Actor)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != models.GroupChoicesShown+1 || all[0].Name != "Team 000" || all[len(all)-1].Name != "Team 999" {
			t.Fatalf("FilterGroups: %d groups, first %q", len(all), all[0].Name)
		}

		other := modelstest.NewAccount(t, store)
		theirs, err := store.FilterGroups(ctx, other.Actor)
		if err != nil || len(theirs) != 0 {
			t.Fatalf("another account's admin sees %d groups (err %v)", len(theirs), err)
		}
	})
}

// Each row names its own plan, manager and groups (alphabetically), on every page whichever way
// it was reached: the names come with the page's second statement, not with the row.
func TestListRowsNameTheirPlanManagerAndGroups(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plans := addPlans(t, store, acc, "Starter", "Pro <b>")
		boss := addUser(t, store, acc, "Bea Boss", "bea@example.test", models.RoleManager, models.StatusActive, &plans[1])
		beta, alpha := addGroup(t, store, acc, "beta"), addGroup(t, store, acc, "Alpha")
		var people []*models.User
		for i, name := range []string{"Ann One", "Ben Two", "Cat Three"} {
			u := addUser(t, store, acc, name, fmt.Sprintf("p%d@example.test", i), models.RoleMember, models.StatusActive, &plans[i%2])
			modelstest.Must(t, store.DB().Model(u).Update("manager_id", boss.ID))
			people = append(people, u)
		}
		for _, g := range []int64{beta, alpha} {
			modelstest.Must(t, store.DB().Create(&models.GroupMember{GroupID: g, UserID: people[1].ID, AccountID: acc.Account.ID, CreatedAt: time.Now()}))
		}
		want := map[string]string{"Ann One": "Starter|Bea Boss|", "Ben Two": "Pro <b>|Bea Boss|Alpha,beta", "Cat Three": "Starter|Bea Boss|",
			"Bea Boss": "Pro <b>||"}
		check := func(page *models.UserListPage) {
			t.Helper()
			for _, r := range page.Rows {
				if w, ok := want[r.Name]; ok {
					if got := r.PlanName + "|" + r.ManagerName + "|" + strings.Join(r.Groups, ","); got != w {
						t.Errorf("%s: %q, want %q", r.Name, got, w)
					}
				}
			}
		}
		q := models.UserListQuery{Status: models.StatusActive, PageSize: 2}
		first, err := store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		check(first)
		q.After = first.NextCursor
		second, err := store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		check(second)
		q.After, q.Before = "", second.PrevCursor
		back, err := store.ListUsers(ctx, acc.Actor, q)
		if err != nil {
			t.Fatal(err)
		}
		check(back)
		if len(back.Rows) != 2 || back.Rows[0].Name != first.Rows[0].Name {
			t.Errorf("back to the first page: %+v", back.Rows)
		}
		searched, err := store.ListUsers(ctx, acc.Actor, models.UserListQuery{Status: models.StatusActive, Search: "ben"})
		if err != nil || len(searched.Rows) != 1 {
			t.Fatalf("search: %v, %d rows", err, len(searched.Rows))
		}
		check(searched)
	})
}
