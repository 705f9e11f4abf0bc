package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// deletionTeam is an account with an inactive user who has left traces everywhere: sessions,
// failed sign-ins, mail, invitations they sent, records they created, history and activity.
type deletionTeam struct {
	*team
	gone     *models.User
	name     string
	email    string
	sessions []string
}

func newDeletionTeam(t *testing.T, store *models.Store) *deletionTeam {
	t.Helper()
	ctx := context.Background()
	tm := newTeam(t, store)
	// Names and addresses unique to this test: the scan searches the whole database.
	surname := "Quixotewright" + strings.Map(func(r rune) rune { return 'a' + (r-'0')%26 }, strconv.FormatInt(tm.acc.Account.ID, 10))
	dt := &deletionTeam{team: tm, name: "Zebulon " + surname, email: "zebulon." + strings.ToLower(surname) + "@example.com"}
	gone := addUser(t, store, tm.acc, dt.name, dt.email, models.RoleAdmin, models.StatusActive, &tm.plan.ID)
	modelstest.Must(t, store.DB().Model(gone).Updates(map[string]any{"phone": "+44 7700 900123", "picture_url": "https://cdn.example.com/zq.png", "password_hash": ownerHash(t, store, tm)}))
	dt.gone = gone
	for i := 0; i < 2; i++ {
		_, s, err := store.SignIn(ctx, dt.email, modelstest.Password, "203.0.113.9", "Phone of "+dt.name)
		if err != nil {
			t.Fatal(err)
		}
		dt.sessions = append(dt.sessions, s)
	}
	_, _, _ = store.SignIn(ctx, dt.email, "wrong password", "203.0.113.9", "")
	// As an admin they invite someone: the invitation mail names them.
	actor := &models.Actor{User: gone, Account: tm.acc.Account}
	if _, err := store.Invite(ctx, actor, models.InviteRequest{Lines: models.ParseInviteList("newbie@" + strings.Split(dt.email, "@")[1]),
		PlanID: tm.plan.ID, Role: models.RoleMember, BaseURL: "https://roster.test"}); err != nil {
		t.Fatal(err)
	}
	// Their own work: a record they created and own, activity, and a reset link mailed to them.
	now := time.Now().UTC()
	rec := models.Record{AccountID: tm.acc.Account.ID, Kind: "deal", Title: "Big deal", IsOpen: true, OwnerID: gone.ID, CreatedByID: gone.ID, CreatedAt: now, UpdatedAt: now}
	if err := store.DB().Create(&rec).Error; err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{models.ActivityRecordCreated, models.ActivityComment} {
		modelstest.Must(t, store.DB().Create(&models.Activity{AccountID: tm.acc.Account.ID, UserID: gone.ID, Kind: kind, RecordID: &rec.ID, OccurredAt: now}))
	}
	if _, err := store.RequestPasswordResets(ctx, tm.acc.Actor, []int64{gone.ID}, "https://roster.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{gone.ID}, models.HandoverPlan{RecordsTo: tm.receiver.ID, Demote: true, Reason: "Left"}); err != nil {
		t.Fatal(err)
	}
	return dt
}

// personalDataLeft searches every text column of every table for each needle and returns where
// they were found.
func personalDataLeft(t *testing.T, store *models.Store, needles ...string) []string {
	t.Helper()
	type column struct{ Table, Name string }
	var columns []column
	if store.IsPostgres() {
		modelstest.Must(t, store.DB().Raw(`SELECT table_name AS "table", column_name AS name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')`).Scan(&columns))
	} else {
		modelstest.Must(t, store.DB().Raw(`SELECT m.name AS "table", p.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table'`).Scan(&columns))
	}
	if len(columns) < 20 {
		t.Fatalf("found only %d columns to search", len(columns))
	}
	var found []string
	for _, c := range columns {
		for _, needle := range needles {
			var n int64
			q := `SELECT count(*) FROM "` + c.Table + `" WHERE lower(CAST("` + c.Name + `" AS TEXT)) LIKE ?`
			if err := store.DB().Raw(q, "%"+strings.ToLower(needle)+"%").Scan(&n).Error; err != nil {
				t.Fatalf("search %s.%s: %v", c.Table, c.Name, err)
			}
			if n > 0 {
				found = append(found, c.Table+"."+c.Name+" holds "+needle)
			}
		}
	}
	return found
}

type accountCounts struct{ records, history, activities int64 }

func countsOf(t *testing.T, store *models.Store, accountID int64) accountCounts {
	t.Helper()
	return accountCounts{
		records:    modelstest.Count(t, store.DB().Model(&models.Record{}).Where("account_id = ?", accountID)),
		history:    modelstest.Count(t, store.DB().Model(&models.RecordOwnershipChange{}).Where("account_id = ?", accountID)),
		activities: modelstest.Count(t, store.DB().Model(&models.Activity{}).Where("account_id = ?", accountID)),
	}
}

func TestAnonymisationLeavesNoPersonalData(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		dt := newDeletionTeam(t, store)
		needles := []string{dt.name, dt.name[len("Zebulon "):], dt.email}
		if found := personalDataLeft(t, store, dt.name, dt.email); len(found) == 0 {
			t.Fatal("the fixture left no personal data to erase; the scan proves nothing")
		}
		before := countsOf(t, store, dt.acc.Account.ID)
		if _, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}, models.DeleteAnonymise, true); err != nil {
			t.Fatal(err)
		}
		if found := personalDataLeft(t, store, needles...); len(found) > 0 {
			t.Fatalf("personal data left after anonymising:\n%s", strings.Join(found, "\n"))
		}
		if after := countsOf(t, store, dt.acc.Account.ID); after != before {
			t.Fatalf("counts before %+v after %+v", before, after)
		}
		var traces, acted int64
		if err := store.DB().Table("audit_event_ips").Joins("JOIN audit_events ON audit_events.id = audit_event_ips.event_id").
			Where("audit_events.actor_id = ?", dt.gone.ID).Count(&traces).Error; err != nil {
			t.Fatal(err)
		}
		modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("actor_id = ?", dt.gone.ID).Count(&acted))
		if acted == 0 {
			t.Fatal("the fixture should have the user acting in the audit log, or the IP check proves nothing")
		}
		if traces > 0 {
			t.Fatalf("%d audit events still hold their IP address", traces)
		}
		var u models.User
		modelstest.Must(t, store.DB().First(&u, dt.gone.ID))
		if u.Status != models.StatusDeleted || u.Name != models.DeletedUserName || u.Email != nil || u.PasswordHash != "" || u.Phone != "" || u.PictureURL != "" {
			t.Fatalf("anonymised user %+v", u)
		}
		for _, s := range dt.sessions {
			if _, err := store.Authenticate(ctx, s); err == nil {
				t.Fatal("an old session of a deleted user still works")
			}
		}
		if _, _, err := store.SignIn(ctx, dt.email, modelstest.Password, "", ""); err == nil {
			t.Fatal("a deleted user signed in")
		}
		// Their address can be invited again.
		if _, err := store.Invite(ctx, dt.acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(dt.email), PlanID: dt.plan.ID,
			Role: models.RoleMember, BaseURL: "https://roster.test"}); err != nil {
			t.Fatalf("re-inviting a deleted user's address: %v", err)
		}
	})
}

func TestDeletionModesKeepRecords(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		t.Run("ScheduleThenCarryOut", func(t *testing.T) {
			dt := newDeletionTeam(t, store)
			before := countsOf(t, store, dt.acc.Account.ID)
			res, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}, models.DeleteAnonymise, false)
			if err != nil {
				t.Fatal(err)
			}
			wantDue := time.Now().AddDate(0, 0, dt.acc.Account.DeletionGraceDays)
			if d := res.DueAt.Sub(wantDue); d < -time.Minute || d > time.Minute {
				t.Fatalf("due %v, want about %v", res.DueAt, wantDue)
			}
			var u models.User
			modelstest.Must(t, store.DB().First(&u, dt.gone.ID))
			if u.Status != models.StatusInactive || u.DeletionDueAt == nil {
				t.Fatalf("scheduled user %+v", u)
			}
			if _, err := store.Reactivate(ctx, dt.acc.Actor, []int64{u.ID}); !errors.As(err, new(models.BulkRefusal)) {
				t.Fatalf("reactivating a scheduled user: %v", err)
			}
			// Not due yet: nothing happens.
			if _, err := store.CarryOutDueDeletions(ctx, 1000); err != nil {
				t.Fatal(err)
			}
			modelstest.Must(t, store.DB().First(&u, dt.gone.ID))
			if u.Status != models.StatusInactive {
				t.Fatal("carried out before the grace period ended")
			}
			modelstest.Must(t, store.DB().Model(&u).Update("deletion_due_at", time.Now().Add(-time.Minute)))
			if _, err := store.CarryOutDueDeletions(ctx, 1000); err != nil {
				t.Fatal(err)
			}
			modelstest.Must(t, store.DB().First(&u, dt.gone.ID))
			if u.Status != models.StatusDeleted || u.Email != nil {
				t.Fatalf("after the grace period: %+v", u)
			}
			if after := countsOf(t, store, dt.acc.Account.ID); after != before {
				t.Fatalf("counts before %+v after %+v", before, after)
			}
			if _, err := store.UndoDeletion(ctx, dt.acc.Actor, []int64{u.ID}); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("undo after carrying out: %v, want ErrNotFound", err)
			}
		})
		t.Run("UndoRestoresInactive", func(t *testing.T) {
			dt := newDeletionTeam(t, store)
			before := countsOf(t, store, dt.acc.Account.ID)
			if _, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}, models.DeleteWithHistory, false); err != nil {
				t.Fatal(err)
			}
			if n, err := store.UndoDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}); err != nil || n != 1 {
				t.Fatalf("undo: %d %v", n, err)
			}
			var u models.User
			if _, err := store.CarryOutDueDeletions(ctx, 1000); err != nil {
				t.Fatal(err)
			}
			modelstest.Must(t, store.DB().First(&u, dt.gone.ID))
			if u.Status != models.StatusInactive || u.DeletionDueAt != nil || u.DeletionMode != nil || u.Name != dt.name {
				t.Fatalf("after undo: %+v", u)
			}
			if after := countsOf(t, store, dt.acc.Account.ID); after != before {
				t.Fatalf("counts before %+v after %+v", before, after)
			}
			if _, err := store.UndoDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}); !errors.As(err, new(models.BulkRefusal)) {
				t.Fatalf("undo of an unscheduled user: %v", err)
			}
		})
		t.Run("WithHistoryRemovesOnlyTheirActivity", func(t *testing.T) {
			dt := newDeletionTeam(t, store)
			before := countsOf(t, store, dt.acc.Account.ID)
			var theirs int64
			modelstest.Must(t, store.DB().Model(&models.Activity{}).Where("user_id = ?", dt.gone.ID).Count(&theirs))
			if _, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}, models.DeleteWithHistory, true); err != nil {
				t.Fatal(err)
			}
			after := countsOf(t, store, dt.acc.Account.ID)
			if theirs == 0 || after.records != before.records || after.history != before.history || after.activities != before.activities-theirs {
				t.Fatalf("counts before %+v after %+v, their activity %d", before, after, theirs)
			}
			if found := personalDataLeft(t, store, dt.name, dt.email); len(found) > 0 {
				t.Fatalf("personal data left: %v", found)
			}
		})
		t.Run("RemoveOnlyWithoutHistory", func(t *testing.T) {
			dt := newDeletionTeam(t, store)
			_, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{dt.gone.ID}, models.DeleteRemove, true)
			var refusal models.BulkRefusal
			if !errors.As(err, &refusal) || !strings.Contains(refusal.Reasons[dt.gone.ID], "history") {
				t.Fatalf("removing someone with history: %v", err)
			}
			// An inactive user who never did anything, with an open invitation link and a seat history.
			clean := addUser(t, store, dt.acc, "Nobody Special", "nobody@example.com", models.RoleMember, models.StatusActive, &dt.plan.ID)
			joinGroup(t, store, dt.acc, dt.group, clean)
			if _, err := store.Deactivate(ctx, dt.acc.Actor, []int64{clean.ID}, models.HandoverPlan{}); err != nil {
				t.Fatal(err)
			}
			opts, err := store.DeletionOptions(ctx, dt.acc.Actor, clean.ID)
			if err != nil || !opts.Allowed(models.DeleteRemove) {
				t.Fatalf("options %+v %v", opts, err)
			}
			before := countsOf(t, store, dt.acc.Account.ID)
			if _, err := store.ScheduleDeletion(ctx, dt.acc.Actor, []int64{clean.ID}, models.DeleteRemove, true); err != nil {
				t.Fatal(err)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id = ?", clean.ID)); n != 0 {
				t.Fatal("the removed user's row is still there")
			}
			if after := countsOf(t, store, dt.acc.Account.ID); after != before {
				t.Fatalf("counts before %+v after %+v", before, after)
			}
		})
	})
}

func TestDeletionRefusals(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		t.Run("ActiveUsersRefused", func(t *testing.T) {
			_, err := store.ScheduleDeletion(ctx, tm.acc.Actor, []int64{tm.other.ID}, models.DeleteAnonymise, false)
			var refusal models.BulkRefusal
			if !errors.As(err, &refusal) || !strings.Contains(refusal.Reasons[tm.other.ID], "inactive") {
				t.Fatalf("deleting an active user: %v", err)
			}
		})
		t.Run("OwnerOfGroupsAndManagerRefusedWithReasons", func(t *testing.T) {
			if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}); err != nil {
				t.Fatal(err)
			}
			opts, err := store.DeletionOptions(ctx, tm.acc.Actor, tm.leaver.ID)
			if err != nil {
				t.Fatal(err)
			}
			var messages []string
			for _, r := range opts.Refused[models.DeleteRemove] {
				switch {
				case r.Fix == models.FixAnonymise:
					// Anonymising is refused too (they own a group): a link to it would lead nowhere.
					t.Errorf("offers %q while anonymising is refused", r.FixLabel)
				case r.Fix == models.FixNone && !strings.Contains(r.Message, "once the reasons above are resolved"):
					t.Errorf("reason without a fix link: %+v", r)
				}
				messages = append(messages, r.Message)
			}
			all := strings.Join(messages, "\n")
			for _, want := range []string{"Owns 1 group", "Manages 1 user", "Owns 18 records"} {
				if !strings.Contains(all, want) {
					t.Errorf("remove reasons %q lack %q", all, want)
				}
			}
			if opts.Allowed(models.DeleteAnonymise) {
				t.Error("anonymising a group owner must wait until the group has a new administrator")
			}
			if _, err := store.ScheduleDeletion(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.DeleteAnonymise, false); !errors.As(err, new(models.BulkRefusal)) {
				t.Fatalf("scheduling a refused deletion: %v", err)
			}
		})
		t.Run("LastOwnerRefused", func(t *testing.T) {
			acc := modelstest.NewAccount(t, store)
			admin := addUser(t, store, acc, "Ada Admin", "ada@example.com", models.RoleAdmin, models.StatusActive, nil)
			modelstest.Must(t, store.DB().Model(acc.Owner).Update("status", models.StatusInactive))
			opts, err := store.DeletionOptions(ctx, &models.Actor{User: admin, Account: acc.Account}, acc.Owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			var reasons []string
			for _, r := range opts.Refused[models.DeleteAnonymise] {
				reasons = append(reasons, r.Message)
			}
			if opts.Allowed(models.DeleteAnonymise) || !strings.Contains(strings.Join(reasons, " "), "last owner") {
				t.Fatalf("last owner: %+v", opts.Refused)
			}
		})
		t.Run("ForeignUserNotFound", func(t *testing.T) {
			other := modelstest.NewAccount(t, store)
			if _, err := store.DeletionOptions(ctx, other.Actor, tm.leaver.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("foreign user: %v", err)
			}
			if _, err := store.ScheduleDeletion(ctx, other.Actor, []int64{tm.leaver.ID}, models.DeleteAnonymise, true); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("foreign user: %v", err)
			}
		})
	})
}

// TestDueDeletionsRunOnce runs the background job on two servers at once.
func TestDueDeletionsRunOnce(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	var ids []int64
	for i := 0; i < 20; i++ {
		u := addUser(t, store, acc, "Due User", "due"+string(rune('a'+i))+"@example.com", models.RoleMember, models.StatusInactive, nil)
		ids = append(ids, u.ID)
	}
	if _, err := store.ScheduleDeletion(ctx, acc.Actor, ids, models.DeleteAnonymise, false); err != nil {
		t.Fatal(err)
	}
	modelstest.Must(t, store.DB().Model(&models.User{}).Where("id IN ?", ids).Update("deletion_due_at", time.Now().Add(-time.Minute)))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = store.CarryOutDueDeletions(ctx, 1000)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var events []struct {
		TargetUserID int64
		N            int64
	}
	modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Select("target_user_id, count(*) AS n").
		Where("action = ? AND target_user_id IN ?", models.AuditUserDeleted, ids).Group("target_user_id").Scan(&events))
	if len(events) != len(ids) {
		t.Fatalf("%d users deleted, want %d", len(events), len(ids))
	}
	for _, e := range events {
		if e.N != 1 {
			t.Fatalf("user %d deleted %d times", e.TargetUserID, e.N)
		}
	}
}
