package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"roster/models"
	"roster/models/modelstest"
)

// team is an account with people who own records, groups and reports.
type team struct {
	acc      *modelstest.Account
	plan     models.Plan
	leaver   *models.User // a member who owns records of several kinds, a group and a report
	other    *models.User // a second member who owns records
	receiver *models.User // an active member who stays
	report   *models.User // managed by the leaver
	group    int64
}

func newTeam(t *testing.T, store *models.Store) *team {
	t.Helper()
	acc := modelstest.NewAccount(t, store)
	plan := planOf(t, store, acc)
	tm := &team{acc: acc, plan: plan}
	mk := func(name string) *models.User {
		return addUser(t, store, acc, name, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"@example.com", models.RoleMember, models.StatusActive, &plan.ID)
	}
	tm.leaver, tm.other, tm.receiver, tm.report = mk("Lea Leaver"), mk("Otto Other"), mk("Rita Receiver"), mk("Remy Report")
	modelstest.Must(t, store.DB().Model(tm.report).Update("manager_id", tm.leaver.ID))
	tm.group = addGroup(t, store, acc, "Leaver's group")
	modelstest.Must(t, store.DB().Model(&models.Group{}).Where("id = ?", tm.group).Update("owner_id", tm.leaver.ID))
	for i, kind := range models.RecordKinds {
		for j := 0; j < 3; j++ {
			addRecord(t, store, acc, tm.leaver, kind, j != 2)
		}
		if i%2 == 0 {
			addRecord(t, store, acc, tm.other, kind, true)
		}
	}
	return tm
}

func TestDeactivationImpact(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		tm := newTeam(t, store)
		impact, err := store.DeactivationImpact(context.Background(), tm.acc.Actor, []int64{tm.leaver.ID, tm.acc.Owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		var leaver, owner models.UserImpact
		for _, u := range impact.Users {
			if u.User.ID == tm.leaver.ID {
				leaver = u
			} else {
				owner = u
			}
		}
		open, closed := int64(0), int64(0)
		for _, r := range leaver.Records {
			open, closed = open+r.Open, closed+r.Closed
		}
		if open != 12 || closed != 6 || len(leaver.OwnedGroups) != 1 || leaver.ManagedUsers != 1 || len(leaver.Blockers) != 0 {
			t.Fatalf("leaver impact: open %d closed %d groups %d managed %d blockers %v", open, closed, len(leaver.OwnedGroups), leaver.ManagedUsers, leaver.Blockers)
		}
		if len(owner.Blockers) != 1 || !strings.Contains(owner.Blockers[0].Message, "yourself") {
			t.Fatalf("the actor's own row must be blocked: %+v", owner.Blockers)
		}
		if impact.SeatCostCents["EUR"] != 2*tm.plan.PriceCents {
			t.Fatalf("seat cost %v, want two seats of %d", impact.SeatCostCents, tm.plan.PriceCents)
		}
	})
}

func TestDeactivationBlockers(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		admin := addUser(t, store, tm.acc, "Ada Admin", "ada.admin@example.com", models.RoleAdmin, models.StatusActive, &tm.plan.ID)
		second := addUser(t, store, tm.acc, "Sam Second", "sam@example.com", models.RoleOwner, models.StatusActive, &tm.plan.ID)
		secondActor := &models.Actor{User: second, Account: tm.acc.Account}

		t.Run("AdminsMustBeDemotedFirst", func(t *testing.T) {
			_, err := store.Deactivate(ctx, tm.acc.Actor, []int64{admin.ID}, models.HandoverPlan{})
			var blocked models.DeactivationBlockedError
			if !errors.As(err, &blocked) {
				t.Fatalf("got %v, want DeactivationBlockedError", err)
			}
			if _, demotingFixes := blocked.Impact.Blocked(); !demotingFixes {
				t.Fatal("demoting should resolve an admin's blocker")
			}
			res, err := store.Deactivate(ctx, tm.acc.Actor, []int64{admin.ID}, models.HandoverPlan{Demote: true})
			if err != nil || res.Demoted != 1 {
				t.Fatalf("demote and deactivate: %+v %v", res, err)
			}
			var after models.User
			modelstest.Must(t, store.DB().First(&after, admin.ID))
			if after.Role != models.RoleMember || after.Status != models.StatusInactive {
				t.Fatalf("after demote and deactivate: role %s status %s", after.Role, after.Status)
			}
		})
		t.Run("TheLastOwnerStays", func(t *testing.T) {
			// The second owner may demote and deactivate the first, but then is the last owner.
			if _, err := store.Deactivate(ctx, secondActor, []int64{tm.acc.Owner.ID}, models.HandoverPlan{Demote: true}); err != nil {
				t.Fatalf("deactivating one of two owners: %v", err)
			}
			other := &models.Actor{User: second, Account: tm.acc.Account}
			impact, err := store.DeactivationImpact(ctx, other, []int64{second.ID})
			if err != nil {
				t.Fatal(err)
			}
			if blocked, fixes := impact.Blocked(); !blocked || fixes {
				t.Fatalf("the last owner must be blocked, and demoting must not fix it: %+v", impact.Users[0].Blockers)
			}
		})
	})
}

func TestDeactivateHandsOverWithoutLosingAnything(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		before := recordSnapshot(t, store, tm.acc.Account.ID)
		_, token, err := store.SignIn(ctx, tm.acc.Owner.EmailAddress(), modelstest.Password, "", "")
		if err != nil {
			t.Fatal(err)
		}
		// The leavers sign in on two devices each.
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("id IN ?", []int64{tm.leaver.ID, tm.other.ID}).Update("password_hash", ownerHash(t, store, tm)))
		var sessions []string
		for _, u := range []*models.User{tm.leaver, tm.leaver, tm.other} {
			_, s, err := store.SignIn(ctx, u.EmailAddress(), modelstest.Password, "", "")
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, s)
		}
		usage := usageOf(t, store, tm.acc, tm.plan.ID)

		plan := models.HandoverPlan{RecordsTo: tm.receiver.ID, RecordsByKind: map[string]int64{"pin": tm.acc.Owner.ID},
			GroupsTo: tm.receiver.ID, ManagerTo: tm.receiver.ID, Reason: "Left the company"}
		res, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID, tm.other.ID}, plan)
		if err != nil {
			t.Fatal(err)
		}
		// Open records only: 2 of 3 per kind for the leaver (12), one per even kind for the other (3).
		if res.Users != 2 || res.RecordsMoved != 15 || res.GroupsMoved != 1 || res.ManagedMoved != 1 || res.SessionsEnded != 3 {
			t.Fatalf("result %+v", res)
		}
		after := recordSnapshot(t, store, tm.acc.Account.ID)
		if len(after) != len(before) {
			t.Fatalf("%d records before, %d after", len(before), len(after))
		}
		var lines int64
		modelstest.Must(t, store.DB().Model(&models.RecordOwnershipChange{}).Where("account_id = ? AND reason LIKE ?", tm.acc.Account.ID, "%Left the company").Count(&lines))
		if lines != res.RecordsMoved {
			t.Fatalf("%d history lines for %d records moved, want one each", lines, res.RecordsMoved)
		}
		for id, was := range before {
			now := after[id]
			switch {
			case !was.IsOpen && now.OwnerID != was.OwnerID:
				t.Errorf("closed record %d moved although only open work was to move", id)
			case was.IsOpen && was.Kind == "pin" && now.OwnerID != tm.acc.Owner.ID:
				t.Errorf("open PIN %d went to %d, want the per-kind recipient %d", id, now.OwnerID, tm.acc.Owner.ID)
			case was.IsOpen && was.Kind != "pin" && now.OwnerID != tm.receiver.ID:
				t.Errorf("open %s %d went to %d, want %d", was.Kind, id, now.OwnerID, tm.receiver.ID)
			case now.Title != was.Title || now.IsOpen != was.IsOpen || now.Kind != was.Kind:
				t.Errorf("record %d changed beyond its owner", id)
			}
			if now.OwnerID != was.OwnerID {
				var history []models.RecordOwnershipChange
				modelstest.Must(t, store.DB().Where("record_id = ?", id).Order("id").Find(&history))
				last := history[len(history)-1]
				if *last.FromUserID != was.OwnerID || last.ToUserID != now.OwnerID || *last.ChangedByID != tm.acc.Owner.ID || !strings.Contains(last.Reason, "Left the company") {
					t.Errorf("record %d history %+v", id, last)
				}
			}
		}
		for _, s := range sessions {
			if _, err := store.Authenticate(ctx, s); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("a leaver's session still works: %v", err)
			}
		}
		if _, err := store.Authenticate(ctx, token); err != nil {
			t.Fatalf("the admin's own session ended: %v", err)
		}
		if u := usageOf(t, store, tm.acc, tm.plan.ID); u.InUse != usage.InUse-2 || u.Plan.SeatsPurchased != usage.Plan.SeatsPurchased {
			t.Fatalf("seats: before %+v after %+v; two freed, purchase unchanged", usage, u)
		}
		var group models.Group
		modelstest.Must(t, store.DB().First(&group, tm.group))
		var report models.User
		modelstest.Must(t, store.DB().First(&report, tm.report.ID))
		var membership int64
		modelstest.Must(t, store.DB().Model(&models.GroupMember{}).Where("group_id = ? AND user_id = ?", tm.group, tm.receiver.ID).Count(&membership))
		if group.OwnerID != tm.receiver.ID || *report.ManagerID != tm.receiver.ID || membership != 1 {
			t.Fatalf("group owner %d (member %d), report's manager %d", group.OwnerID, membership, *report.ManagerID)
		}
		var events []models.AuditEvent
		modelstest.Must(t, store.DB().Where("account_id = ? AND action = ?", tm.acc.Account.ID, models.AuditUserDeactivated).Find(&events))
		if len(events) != 2 || !strings.Contains(events[0].Details, "records_moved") {
			t.Fatalf("audit events %+v", events)
		}
		var ledger int64
		modelstest.Must(t, store.DB().Model(&models.SeatLedgerEntry{}).Where("account_id = ? AND in_use_change = -1", tm.acc.Account.ID).Count(&ledger))
		if ledger != 2 {
			t.Fatalf("ledger has %d releases, want 2", ledger)
		}
	})
}

func TestDeactivateRefusesBadRecipients(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		stranger := modelstest.NewAccount(t, store)
		before := recordSnapshot(t, store, tm.acc.Account.ID)
		for name, plan := range map[string]models.HandoverPlan{
			"another account's user": {RecordsTo: stranger.Owner.ID},
			"someone leaving too":    {RecordsTo: tm.other.ID},
			"an unknown user":        {GroupsTo: 1 << 40},
			"an unknown kind":        {RecordsByKind: map[string]int64{"<script>": tm.receiver.ID}},
			"a huge reason":          {Reason: strings.Repeat("x", 600)},
		} {
			_, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID, tm.other.ID}, plan)
			if !errors.Is(err, models.ErrInvalid) {
				t.Errorf("%s: got %v, want a field error", name, err)
			}
		}
		if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{stranger.Owner.ID}, models.HandoverPlan{}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deactivating another account's user: got %v, want ErrNotFound", err)
		}
		if after := recordSnapshot(t, store, tm.acc.Account.ID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatal("a refused deactivation changed records")
		}
		var status models.UserStatus
		modelstest.Must(t, store.DB().Model(&models.User{}).Select("status").Where("id = ?", tm.leaver.ID).Scan(&status))
		if status != models.StatusActive {
			t.Fatal("a refused deactivation changed the user")
		}
	})
}

func TestReactivateNeedsFreeSeats(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID, tm.other.ID}, models.HandoverPlan{}); err != nil {
			t.Fatal(err)
		}
		// Fill the plan so only one seat is left, then try to bring both back.
		free := usageOf(t, store, tm.acc, tm.plan.ID).Free()
		for i := 0; i < free-1; i++ {
			addUser(t, store, tm.acc, "Filler", fmt.Sprintf("filler%d@example.com", i), models.RoleMember, models.StatusActive, &tm.plan.ID)
		}
		_, err := store.Reactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID, tm.other.ID})
		var exhausted models.SeatsExhaustedError
		if !errors.As(err, &exhausted) || exhausted.Shortfalls[0].Missing != 1 || exhausted.Shortfalls[0].Plan != tm.plan.Name {
			t.Fatalf("got %v, want a shortfall of 1 seat on %s", err, tm.plan.Name)
		}
		if !strings.Contains(err.Error(), tm.plan.Name) || !strings.Contains(err.Error(), "lacks 1 seat") {
			t.Fatalf("message %q should name the plan and the missing seat", err.Error())
		}
		if active := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id IN ? AND status = ?", []int64{tm.leaver.ID, tm.other.ID}, models.StatusActive)); active != 0 {
			t.Fatal("a refused reactivation changed someone")
		}
		if n, err := store.Reactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}); err != nil || n != 1 {
			t.Fatalf("reactivating one into the last seat: %d %v", n, err)
		}
		var refusal models.BulkRefusal
		if _, err := store.Reactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}); !errors.As(err, &refusal) {
			t.Fatalf("reactivating an active user: got %v, want BulkRefusal", err)
		}
	})
}

// The hand-over's two foreign keys are checked once per statement on PostgreSQL (migration
// 00007) and by SQLite's foreign keys: on both, a record names an existing owner, a user who owns
// records stays, and a record with ownership history stays.
func TestRecordOwnershipKeysHold(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		db := store.DB()
		violates := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, gorm.ErrForeignKeyViolated) {
				t.Errorf("%s: got %v, want a foreign key violation", what, err)
			}
		}
		now := time.Now().UTC()
		var maxUser int64
		modelstest.Must(t, db.Model(&models.User{}).Select("max(id)").Scan(&maxUser))
		nobody := maxUser + 1000
		orphan := models.Record{AccountID: tm.acc.Account.ID, Kind: "deal", Title: "Nobody's", IsOpen: true, OwnerID: nobody,
			CreatedByID: tm.acc.Owner.ID, CreatedAt: now, UpdatedAt: now}
		violates("a record owned by nobody", db.Create(&orphan).Error)
		violates("handing records to nobody", db.Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID).Update("owner_id", nobody).Error)

		// Someone who owns records but is referenced by nothing else: only ownership keeps them.
		keeper := models.User{AccountID: tm.acc.Account.ID, Name: "Kim Keeper", Role: models.RoleMember, Status: models.StatusActive,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&keeper).Error; err != nil {
			t.Fatal(err)
		}
		kept := models.Record{AccountID: tm.acc.Account.ID, Kind: "lead", Title: "Kept", IsOpen: true, OwnerID: keeper.ID,
			CreatedByID: tm.acc.Owner.ID, CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&kept).Error; err != nil {
			t.Fatal(err)
		}
		violates("removing a user who owns a record", db.Delete(&models.User{}, keeper.ID).Error)
		violates("renumbering a user who owns a record", db.Model(&models.User{}).Where("id = ?", keeper.ID).Update("id", nobody).Error)

		// A record with ownership history cannot go; one without can (nothing else refers to it).
		if _, err := store.TransferAccount(ctx, tm.acc.Actor, keeper.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenLeave}); err != nil {
			t.Fatal(err)
		}
		violates("deleting a record with ownership history", db.Delete(&models.Record{}, kept.ID).Error)
		violates("renumbering a record with ownership history", db.Model(&models.Record{}).Where("id = ?", kept.ID).Update("id", kept.ID+1_000_000).Error)
		if err := db.Delete(&models.User{}, keeper.ID).Error; err != nil {
			t.Fatalf("removing a user who owns nothing any more: %v", err)
		}
		var history int64
		modelstest.Must(t, db.Model(&models.RecordOwnershipChange{}).Where("record_id = ?", kept.ID).Count(&history))
		if history != 1 {
			t.Fatalf("the transferred record has %d history lines, want 1", history)
		}
		loose := models.Record{AccountID: tm.acc.Account.ID, Kind: "pin", Title: "Loose", IsOpen: true, OwnerID: tm.receiver.ID,
			CreatedByID: tm.acc.Owner.ID, CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&loose).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Delete(&models.Record{}, loose.ID).Error; err != nil {
			t.Fatalf("deleting a record without history: %v", err)
		}
	})
}

// A record's deletion waits for a transaction that is writing history about it, and then sees
// that history: the foreign key's lock, kept on PostgreSQL by a SHARE lock on the history.
func TestRecordDeletionWaitsForHistoryWriters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		tm := newTeam(t, store)
		now := time.Now().UTC()
		r := models.Record{AccountID: tm.acc.Account.ID, Kind: "deal", Title: "Contested", IsOpen: true, OwnerID: tm.receiver.ID,
			CreatedByID: tm.acc.Owner.ID, CreatedAt: now, UpdatedAt: now}
		if err := store.DB().Create(&r).Error; err != nil {
			t.Fatal(err)
		}
		writer := store.DB().Begin()
		line := models.RecordOwnershipChange{AccountID: tm.acc.Account.ID, RecordID: r.ID, ToUserID: tm.receiver.ID, Reason: "test", ChangedAt: now}
		if err := writer.Create(&line).Error; err != nil {
			writer.Rollback()
			t.Fatal(err)
		}
		deleted := make(chan error, 1)
		go func() { deleted <- store.DB().Delete(&models.Record{}, r.ID).Error }()
		select {
		case err := <-deleted:
			writer.Rollback()
			t.Fatalf("the deletion did not wait for the history writer: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := writer.Commit().Error; err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-deleted:
			if !errors.Is(err, gorm.ErrForeignKeyViolated) {
				t.Fatalf("deleting a record whose history was just written: got %v, want a foreign key violation", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the deletion still waits after the history writer committed")
		}
	})
}

type recordState struct {
	OwnerID int64
	Kind    string
	Title   string
	IsOpen  bool
}

func recordSnapshot(t *testing.T, store *models.Store, accountID int64) map[int64]recordState {
	t.Helper()
	var records []models.Record
	if err := store.DB().Where("account_id = ?", accountID).Find(&records).Error; err != nil {
		t.Fatal(err)
	}
	m := map[int64]recordState{}
	for _, r := range records {
		m[r.ID] = recordState{r.OwnerID, r.Kind, r.Title, r.IsOpen}
	}
	return m
}

func ownerHash(t *testing.T, store *models.Store, tm *team) string {
	t.Helper()
	var hash string
	modelstest.Must(t, store.DB().Model(&models.User{}).Select("password_hash").Where("id = ?", tm.acc.Owner.ID).Scan(&hash))
	if hash == "" {
		t.Fatal("the owner has no password hash")
	}
	return hash
}
