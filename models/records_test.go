package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func recordTitles(rows []models.RecordRow) []string {
	titles := make([]string, len(rows))
	for i, r := range rows {
		titles[i] = r.Title
	}
	return titles
}

func TestRecordsListFiltersAndOwnerStatuses(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		gone := addUser(t, store, tm.acc, "Gina Gone", "gina@example.com", models.RoleMember, models.StatusInactive, nil)
		addRecord(t, store, tm.acc, gone, "deal", true)
		modelstest.Must(t, store.DB().Model(gone).Updates(map[string]any{"status": models.StatusDeleted, "name": models.DeletedUserName, "email": nil}))

		all, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Count.N != 18+3+1 || len(all.Rows) != 22 {
			t.Fatalf("every record: count %+v, rows %d", all.Count, len(all.Rows))
		}
		t.Run("DeletedOwnerShownByID", func(t *testing.T) {
			page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{OwnerStatus: models.OwnerDeleted})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Rows) != 1 || page.Rows[0].OwnerLabel() != "(deleted user) #"+strconv.FormatInt(gone.ID, 10) || page.Rows[0].OwnerStatus() != models.OwnerDeleted {
				t.Fatalf("deleted owner's records: %+v", page.Rows)
			}
			byOwner, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{OwnerID: gone.ID})
			if err != nil || len(byOwner.Rows) != 1 || byOwner.Owner.Label() != "(deleted user) #"+strconv.FormatInt(gone.ID, 10) {
				t.Fatalf("filter by anonymised owner: %v %+v", err, byOwner)
			}
		})
		t.Run("KindAndOpen", func(t *testing.T) {
			page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{Kind: "deal", Open: models.RecordsClosed, OwnerID: tm.leaver.ID})
			if err != nil || len(page.Rows) != 1 || page.Rows[0].IsOpen {
				t.Fatalf("closed deals of the leaver: %v %+v", err, page)
			}
		})
		t.Run("ScheduledOwner", func(t *testing.T) {
			modelstest.Must(t, store.DB().Model(tm.other).Updates(map[string]any{"status": models.StatusInactive, "deletion_due_at": store.Now().AddDate(0, 0, 30)}))
			page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{OwnerStatus: models.OwnerScheduled})
			if err != nil || len(page.Rows) != 3 || page.Rows[0].OwnerStatus() != models.OwnerScheduled {
				t.Fatalf("scheduled owner's records: %v %+v", err, page)
			}
		})
		t.Run("SearchPagesThroughFewMatches", func(t *testing.T) {
			for _, sort := range models.RecordSorts {
				q := models.RecordListQuery{Search: "DEAL of", Sort: sort, PageSize: 2}
				seen := 0
				for pages := 0; pages < 10; pages++ {
					page, err := store.ListRecords(ctx, tm.acc.Actor, q)
					if err != nil {
						t.Fatal(err)
					}
					seen += len(page.Rows)
					if page.NextCursor == "" {
						break
					}
					q.After = page.NextCursor
				}
				if seen != 5 {
					t.Fatalf("%s: search reached %d deals over its pages, want 5", sort, seen)
				}
			}
		})
		t.Run("KeysetPagingEveryOrder", func(t *testing.T) {
			for _, sort := range models.RecordSorts {
				for _, desc := range []bool{false, true} {
					q := models.RecordListQuery{Sort: sort, Desc: desc, PageSize: 5}
					seen := map[int64]bool{}
					var pages []*models.RecordListPage
					for {
						page, err := store.ListRecords(ctx, tm.acc.Actor, q)
						if err != nil {
							t.Fatal(err)
						}
						pages = append(pages, page)
						for _, r := range page.Rows {
							if seen[r.ID] {
								t.Fatalf("%s desc=%v: record %d twice", sort, desc, r.ID)
							}
							seen[r.ID] = true
						}
						if page.NextCursor == "" {
							break
						}
						q.After, q.Before = page.NextCursor, ""
					}
					if len(seen) != 22 {
						t.Fatalf("%s desc=%v: %d records over the pages, want 22", sort, desc, len(seen))
					}
					back := q
					back.After, back.Before = "", pages[len(pages)-1].PrevCursor
					prev, err := store.ListRecords(ctx, tm.acc.Actor, back)
					if err != nil || recordTitles(prev.Rows)[0] != recordTitles(pages[len(pages)-2].Rows)[0] || prev.Rows[0].ID != pages[len(pages)-2].Rows[0].ID {
						t.Fatalf("%s desc=%v: paging back does not return the previous page: %v", sort, desc, err)
					}
				}
			}
		})
	})
}

func TestRecordsHostileInput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		for _, search := range []string{`<script>alert(1)</script>`, `' OR 1=1 --`, `%`, `_`, `\`, "\xff\xfe broken", strings.Repeat("x", 100000), "a\x00b"} {
			page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{Search: search})
			if err != nil {
				t.Fatalf("search %.20q: %v", search, err)
			}
			if len(page.Rows) != 0 {
				t.Fatalf("search %.20q matched %d records", search, len(page.Rows))
			}
		}
		page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{After: "not-a-cursor", Sort: "1; DROP TABLE records"})
		if err != nil || len(page.Rows) != 18+3 {
			t.Fatalf("a broken cursor and sort start from the beginning: %v", err)
		}
		t.Run("ErrNotFoundForAnotherAccountsOwner", func(t *testing.T) {
			stranger := newTeam(t, store)
			_, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{OwnerID: stranger.leaver.ID})
			if !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account's owner: %v, want ErrNotFound", err)
			}
			var theirs []int64
			modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", stranger.leaver.ID).Pluck("id", &theirs))
			_, err = store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: theirs[:2], To: tm.receiver.ID})
			if !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("handing over another account's records: %v, want ErrNotFound", err)
			}
			_, err = store.HandOverRecords(ctx, stranger.acc.Actor, models.RecordHandover{IDs: theirs[:2], To: tm.receiver.ID})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Fatalf("handing over to another account's user: %v, want FieldErrors", err)
			}
		})
	})
}

func TestRecordsReach(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		boss := addUser(t, store, tm.acc, "Mona Manager", "mona@example.com", models.RoleManager, models.StatusActive, &tm.plan.ID)
		modelstest.Must(t, store.DB().Model(tm.receiver).Update("manager_id", boss.ID))
		modelstest.Must(t, store.DB().Model(tm.other).Update("manager_id", boss.ID))
		manager := &models.Actor{User: boss, Account: tm.acc.Account}

		page, err := store.ListRecords(ctx, manager, models.RecordListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Rows {
			if r.OwnerID != tm.other.ID {
				t.Fatalf("a manager sees %q of owner %d, outside their reports", r.Title, r.OwnerID)
			}
		}
		if len(page.Rows) != 3 {
			t.Fatalf("a manager sees %d records, want their report's 3", len(page.Rows))
		}
		if _, err := store.ListRecords(ctx, manager, models.RecordListQuery{OwnerID: tm.leaver.ID}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("filter by someone outside reach: %v, want ErrNotFound", err)
		}
		var leavers []int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID).Pluck("id", &leavers))
		t.Run("ErrNotFoundOutsideReach", func(t *testing.T) {
			_, err := store.HandOverRecords(ctx, manager, models.RecordHandover{IDs: leavers[:1], To: tm.receiver.ID})
			if !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("handing over records outside reach: %v", err)
			}
		})
		t.Run("RecipientOutsideReach", func(t *testing.T) {
			ids := []int64{page.Rows[0].ID}
			_, err := store.HandOverRecords(ctx, manager, models.RecordHandover{IDs: ids, To: tm.leaver.ID})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Fatalf("recipient outside reach: %v", err)
			}
		})
		t.Run("WithinReach", func(t *testing.T) {
			result, err := store.HandOverRecords(ctx, manager, models.RecordHandover{All: true, To: tm.receiver.ID})
			if err != nil || result.Moved != 3 {
				t.Fatalf("hand over all the manager sees: %v %+v", err, result)
			}
		})
	})
}

func TestRecordsHandover(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		inactive := addUser(t, store, tm.acc, "Ian Inactive", "ian@example.com", models.RoleMember, models.StatusInactive, nil)
		var deals, leads []int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND kind = ?", tm.leaver.ID, "deal").Pluck("id", &deals))
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND kind = ?", tm.leaver.ID, "lead").Pluck("id", &leads))

		t.Run("RecipientMustBeActive", func(t *testing.T) {
			_, err := store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: deals, To: inactive.ID})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Fatalf("inactive recipient: %v", err)
			}
			_, err = store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: deals})
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Fatalf("no recipient: %v", err)
			}
		})
		t.Run("PerKindWithHistoryAndOneAuditEvent", func(t *testing.T) {
			ids := append(append([]int64{}, deals...), leads...)
			result, err := store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: ids, To: tm.receiver.ID,
				ToByKind: map[string]int64{"lead": tm.other.ID}, Reason: "Lea left the team"})
			if err != nil {
				t.Fatal(err)
			}
			if result.Moved != 6 {
				t.Fatalf("moved %d, want 6", result.Moved)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ?", deals, tm.receiver.ID)); n != 3 {
				t.Fatalf("%d deals with the receiver, want 3", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ? AND handed_over_from_id = ?", leads, tm.other.ID, tm.leaver.ID)); n != 3 {
				t.Fatalf("%d leads with the other member, want 3", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.RecordOwnershipChange{}).Where("record_id IN ? AND from_user_id = ?", ids, tm.leaver.ID)); n != 6 {
				t.Fatalf("%d history lines, want 6", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", tm.acc.Account.ID, models.AuditRecordsHandedOver)); n != 1 {
				t.Fatalf("%d audit events, want 1", n)
			}
			page, err := store.ListRecords(ctx, tm.acc.Actor, models.RecordListQuery{OwnerID: tm.other.ID, Kind: "lead"})
			if err != nil || len(page.Rows) != 4 || page.Rows[0].FromLabel() != tm.leaver.Name || page.Rows[0].HandedOverAt == nil {
				t.Fatalf("the list shows the last hand-over: %v %+v", err, page)
			}
		})
	})
}
