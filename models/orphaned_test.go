package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

// orphans is an account where former users still hold work.
type orphans struct {
	acc      *modelstest.Account
	boss     *models.User // active manager of leaver
	leaver   *models.User // inactive: records, a group and a report
	anon     *models.User // anonymised: one open record, no manager
	closed   *models.User // inactive with closed records only: nothing waits for them
	fallback *models.User // active, the account's default hand-over fallback
	report   *models.User // managed by leaver
	group    int64
}

func newOrphans(t *testing.T, store *models.Store) *orphans {
	t.Helper()
	acc := modelstest.NewAccount(t, store)
	plan := planOf(t, store, acc)
	o := &orphans{acc: acc}
	o.boss = addUser(t, store, acc, "Bea Boss", "bea@example.com", models.RoleManager, models.StatusActive, &plan.ID)
	o.leaver = addUser(t, store, acc, "Nora Jensen", "nora@example.com", models.RoleMember, models.StatusInactive, &plan.ID)
	o.anon = addUser(t, store, acc, "(deleted user)", "anon@example.com", models.RoleMember, models.StatusDeleted, nil)
	o.closed = addUser(t, store, acc, "Carl Closed", "carl@example.com", models.RoleMember, models.StatusInactive, &plan.ID)
	o.fallback = addUser(t, store, acc, "Finn Fallback", "finn@example.com", models.RoleMember, models.StatusActive, &plan.ID)
	o.report = addUser(t, store, acc, "Remy Report", "remy@example.com", models.RoleMember, models.StatusActive, &plan.ID)
	modelstest.Must(t, store.DB().Model(o.leaver).Update("manager_id", o.boss.ID))
	modelstest.Must(t, store.DB().Model(o.report).Update("manager_id", o.leaver.ID))
	o.group = addGroup(t, store, acc, "Leads")
	modelstest.Must(t, store.DB().Model(&models.Group{}).Where("id = ?", o.group).Update("owner_id", o.leaver.ID))
	addRecord(t, store, acc, o.leaver, "deal", true)
	addRecord(t, store, acc, o.leaver, "deal", true)
	addRecord(t, store, acc, o.leaver, "deal", false)
	addRecord(t, store, acc, o.leaver, "contact", false)
	addRecord(t, store, acc, o.leaver, "lead", true)
	addRecord(t, store, acc, o.anon, "pin", true)
	addRecord(t, store, acc, o.closed, "deal", false)
	addRecord(t, store, acc, o.boss, "deal", true) // active: not orphaned
	return o
}

func TestOrphanedWorkReport(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		o := newOrphans(t, store)
		work, err := store.OrphanedWork(ctx, o.acc.Actor, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("Totals", func(t *testing.T) {
			if work.People != 2 || work.OpenRecords != 4 || work.Groups != 1 || work.Reports != 1 || work.HasNext {
				t.Fatalf("totals = %+v", work)
			}
			if n, err := store.OrphanedWorkCount(ctx, o.acc.Actor); err != nil || n != 2 {
				t.Fatalf("count = %d, %v", n, err)
			}
		})
		t.Run("GroupedByFormerOwner", func(t *testing.T) {
			if len(work.Owners) != 2 || work.Owners[0].User.ID != o.anon.ID || work.Owners[1].User.ID != o.leaver.ID {
				t.Fatalf("owners = %+v", work.Owners)
			}
			nora := work.Owners[1]
			if nora.OpenRecords != 3 || nora.Reports != 1 || len(nora.Groups) != 1 || nora.Groups[0].Name != "Leads" {
				t.Fatalf("nora = %+v", nora)
			}
			want := []models.RecordCount{{Kind: "deal", Open: 2, Closed: 1}, {Kind: "lead", Open: 1}, {Kind: "contact", Closed: 1}}
			if len(nora.Records) != len(want) {
				t.Fatalf("records = %+v", nora.Records)
			}
			for i := range want {
				if nora.Records[i] != want[i] {
					t.Fatalf("records[%d] = %+v, want %+v (open first)", i, nora.Records[i], want[i])
				}
			}
		})
		t.Run("SuggestsActiveManager", func(t *testing.T) {
			if s := work.Owners[1]; s.SuggestedID != o.boss.ID || s.SuggestedWhy != "manager" || s.SuggestedName != "Bea Boss" {
				t.Fatalf("suggestion = %+v", s)
			}
			if s := work.Owners[0]; s.SuggestedID != 0 {
				t.Fatalf("no manager, no fallback: suggestion = %+v", s)
			}
		})
		t.Run("SuggestsFallbackWhenManagerLeft", func(t *testing.T) {
			if err := store.UpdateDefaultHandover(ctx, o.acc.Actor, models.DefaultHandoverInput{Mode: models.HandoverToManager, FallbackEmail: "finn@example.com"}); err != nil {
				t.Fatal(err)
			}
			modelstest.Must(t, store.DB().Model(o.boss).Update("status", models.StatusInactive))
			defer func() { modelstest.Must(t, store.DB().Model(o.boss).Update("status", models.StatusActive)) }()
			work, err := store.OrphanedWork(ctx, o.acc.Actor, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, ow := range work.Owners {
				if ow.SuggestedID != o.fallback.ID || ow.SuggestedWhy != "fallback" {
					t.Fatalf("suggestion for %s = %+v", ow.User.Name, ow)
				}
			}
		})
		t.Run("Paged", func(t *testing.T) {
			work, err := store.OrphanedWork(ctx, o.acc.Actor, 2)
			if err != nil || len(work.Owners) != 0 || work.People != 2 {
				t.Fatalf("page 2 = %+v, %v", work, err)
			}
		})
		t.Run("Reach", func(t *testing.T) {
			manager := &models.Actor{User: o.boss, Account: o.acc.Account}
			work, err := store.OrphanedWork(ctx, manager, 1)
			if err != nil || work.People != 1 || len(work.Owners) != 1 || work.Owners[0].User.ID != o.leaver.ID {
				t.Fatalf("manager sees %+v, %v", work, err)
			}
			stranger := modelstest.NewAccount(t, store)
			if n, err := store.OrphanedWorkCount(ctx, stranger.Actor); err != nil || n != 0 {
				t.Fatalf("another account counts %d, %v", n, err)
			}
			member := &models.Actor{User: o.fallback, Account: o.acc.Account}
			if _, err := store.OrphanedWork(ctx, member, 1); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("member: %v", err)
			}
			if n, _ := store.OrphanedWorkCount(ctx, member); n != 0 {
				t.Fatalf("member count = %d", n)
			}
		})
	})
}

func TestOrphanedWorkHandOver(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		o := newOrphans(t, store)
		stranger := modelstest.NewAccount(t, store)
		refusals := []struct {
			name string
			from int64
			h    models.OrphanHandover
			want error
		}{
			{"ErrNotFoundOtherAccount", stranger.Owner.ID, models.OrphanHandover{To: o.boss.ID}, models.ErrNotFound},
			{"ErrNotFoundNegative", -1, models.OrphanHandover{To: o.boss.ID}, models.ErrNotFound},
			{"ErrInvalidRecipientOtherAccount", o.leaver.ID, models.OrphanHandover{To: stranger.Owner.ID}, models.ErrInvalid},
			{"ErrInvalidRecipientInactive", o.leaver.ID, models.OrphanHandover{To: o.closed.ID}, models.ErrInvalid},
			{"ErrInvalidRecipientThemselves", o.leaver.ID, models.OrphanHandover{To: o.leaver.ID}, models.ErrInvalid},
			{"ErrInvalidNoRecipient", o.leaver.ID, models.OrphanHandover{}, models.ErrInvalid},
			{"ErrConflictActiveOwner", o.boss.ID, models.OrphanHandover{To: o.fallback.ID}, models.ErrConflict},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				if _, err := store.HandOverOrphanedWork(ctx, o.acc.Actor, r.from, r.h); !errors.Is(err, r.want) {
					t.Fatalf("err = %v, want %v", err, r.want)
				}
			})
		}
		t.Run("ErrNotFoundOutsideReach", func(t *testing.T) {
			manager := &models.Actor{User: o.boss, Account: o.acc.Account}
			if _, err := store.HandOverOrphanedWork(ctx, manager, o.anon.ID, models.OrphanHandover{To: o.boss.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("err = %v", err)
			}
		})
		t.Run("HandsOverToSuggestion", func(t *testing.T) {
			res, err := store.HandOverOrphanedWork(ctx, o.acc.Actor, o.leaver.ID, models.OrphanHandover{To: o.boss.ID})
			if err != nil {
				t.Fatal(err)
			}
			if res.RecordsMoved != 3 || res.GroupsMoved != 1 || res.ManagedMoved != 1 || res.From.ID != o.leaver.ID || res.To.ID != o.boss.ID {
				t.Fatalf("result = %+v", res)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND is_open = ?", o.boss.ID, true)); n != 4 {
				t.Fatalf("boss owns %d open records", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", o.leaver.ID)); n != 2 {
				t.Fatalf("closed records stay: leaver owns %d", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.RecordOwnershipChange{}).Where("from_user_id = ? AND to_user_id = ? AND reason = ?", o.leaver.ID, o.boss.ID, "orphaned work hand-over")); n != 3 {
				t.Fatalf("history lines = %d", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id = ? AND manager_id = ?", o.report.ID, o.boss.ID)); n != 1 {
				t.Fatal("report not handed over")
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Group{}).Where("id = ? AND owner_id = ?", o.group, o.boss.ID)); n != 1 {
				t.Fatal("group not handed over")
			}
			if n := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("action = ? AND target_user_id = ?", models.AuditOrphanedWorkHandedOver, o.leaver.ID)); n != 1 {
				t.Fatalf("audit events = %d", n)
			}
			if n, _ := store.OrphanedWorkCount(ctx, o.acc.Actor); n != 1 {
				t.Fatalf("count after = %d", n)
			}
		})
		t.Run("IncludeClosed", func(t *testing.T) {
			res, err := store.HandOverOrphanedWork(ctx, o.acc.Actor, o.closed.ID, models.OrphanHandover{To: o.fallback.ID, IncludeClosed: true})
			if err != nil || res.RecordsMoved != 1 {
				t.Fatalf("result = %+v, %v", res, err)
			}
		})
	})
}

func TestOrphanedWorkTakesFixedStatements(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		o := newOrphans(t, store)
		plan := planOf(t, store, o.acc)
		for i := 0; i < 30; i++ {
			u := addUser(t, store, o.acc, fmt.Sprintf("Former %02d", i), fmt.Sprintf("former%d@example.com", i), models.RoleMember, models.StatusInactive, &plan.ID)
			modelstest.Must(t, store.DB().Model(u).Update("manager_id", o.boss.ID))
			addRecord(t, store, o.acc, u, "deal", true)
			addRecord(t, store, o.acc, u, "lead", false)
		}
		if err := store.UpdateDefaultHandover(ctx, o.acc.Actor, models.DefaultHandoverInput{Mode: models.HandoverToManager, FallbackEmail: "finn@example.com"}); err != nil {
			t.Fatal(err)
		}
		for page := 1; page <= 2; page++ {
			counter := &queryCounter{}
			work, err := store.WithQueryLogger(counter).OrphanedWork(ctx, o.acc.Actor, page)
			if err != nil {
				t.Fatal(err)
			}
			if work.People != 32 || (page == 1 && (len(work.Owners) != models.OrphanedWorkPageSize || !work.HasNext)) || (page == 2 && len(work.Owners) != 7) {
				t.Fatalf("page %d: %d of %d people, next %v", page, len(work.Owners), work.People, work.HasNext)
			}
			if counter.n > 5 {
				t.Fatalf("page %d took %d statements", page, counter.n)
			}
		}
		counter := &queryCounter{}
		if n, err := store.WithQueryLogger(counter).OrphanedWorkCount(ctx, o.acc.Actor); err != nil || n != 32 || counter.n != 1 {
			t.Fatalf("count %d in %d statements, %v", n, counter.n, err)
		}
	})
}

func TestOrphanedWorkSurvivesHostileInput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		o := newOrphans(t, store)
		stranger := modelstest.NewAccount(t, store)
		work, err := store.OrphanedWork(ctx, o.acc.Actor, -5)
		if err != nil || work.Page != 1 || len(work.Owners) != 2 {
			t.Fatalf("a negative page: %+v, %v", work, err)
		}
		if work, err := store.OrphanedWork(ctx, o.acc.Actor, 1_000_000); err != nil || len(work.Owners) != 0 {
			t.Fatalf("a page far beyond the end: %+v, %v", work, err)
		}
		for name, id := range map[string]int64{"Zero": 0, "Negative": -1, "OtherAccount": stranger.Owner.ID, "Active": o.boss.ID, "NothingOrphaned": o.closed.ID} {
			t.Run("ErrNotFound"+name, func(t *testing.T) {
				if _, err := store.OrphanedWorkOf(ctx, o.acc.Actor, id); !errors.Is(err, models.ErrNotFound) {
					t.Fatalf("err = %v", err)
				}
			})
		}
		if owner, err := store.OrphanedWorkOf(ctx, o.acc.Actor, o.leaver.ID); err != nil || owner.OpenRecords != 3 {
			t.Fatalf("one person: %+v, %v", owner, err)
		}
	})
}

func TestOrphanedWorkCountIsKeptBrieflyAndForgottenAfterAChange(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		count := func() int64 {
			t.Helper()
			n, err := store.OrphanedWorkCount(ctx, tm.acc.Actor)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		// A change made behind the store's back is not seen until the count is taken again...
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", tm.leaver.ID).Update("status", models.StatusInactive))
		if got := count(); got != before {
			t.Fatalf("count %d right after, want the kept %d", got, before)
		}
		// ...but a change through the store counts afresh at once.
		if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.other.ID}, models.HandoverPlan{}); err != nil {
			t.Fatal(err)
		}
		if got := count(); got <= before {
			t.Fatalf("count %d after a deactivation through the store, want more than %d", got, before)
		}
	})
}
