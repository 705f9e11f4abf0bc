package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// transferState is everything a transfer may change, for comparing before and after.
type transferState struct {
	Records  map[int64]recordState
	History  int64
	Users    map[int64]string // role, status and manager per user
	Groups   map[int64]int64  // owner per group
	Members  int64
	Audit    int64
	Sessions int64
}

func transferSnapshot(t *testing.T, store *models.Store, accountID int64) transferState {
	t.Helper()
	st := transferState{Records: recordSnapshot(t, store, accountID), Users: map[int64]string{}, Groups: map[int64]int64{}}
	db := store.DB()
	st.History = modelstest.Count(t, db.Model(&models.RecordOwnershipChange{}).Where("account_id = ?", accountID))
	var users []models.User
	modelstest.Must(t, db.Where("account_id = ?", accountID).Find(&users))
	for _, u := range users {
		manager := int64(0)
		if u.ManagerID != nil {
			manager = *u.ManagerID
		}
		st.Users[u.ID] = fmt.Sprintf("%s/%s/%d", u.Role, u.Status, manager)
	}
	var groups []models.Group
	modelstest.Must(t, db.Where("account_id = ?", accountID).Find(&groups))
	for _, g := range groups {
		st.Groups[g.ID] = g.OwnerID
	}
	st.Members = modelstest.Count(t, db.Model(&models.GroupMember{}).Where("account_id = ?", accountID))
	st.Audit = modelstest.Count(t, db.Model(&models.AuditEvent{}).Where("account_id = ?", accountID))
	st.Sessions = modelstest.Count(t, db.Model(&models.UserSession{}).Where("account_id = ? AND revoked_at IS NULL", accountID))
	return st
}

func transferUser(t *testing.T, store *models.Store, id int64) models.User {
	t.Helper()
	var u models.User
	if err := store.DB().First(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTransferAccountMovesEverything(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		modelstest.Must(t, store.DB().Model(tm.leaver).Update("role", models.RoleAdmin))
		// Other tests' teams have a leaver with this address too: give ours an address of its own.
		email := fmt.Sprintf("lea.leaver-%d@example.com", tm.leaver.ID)
		tm.leaver.Email = &email
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", tm.leaver.ID).Updates(map[string]any{"password_hash": ownerHash(t, store, tm), "email": email}))
		var sessions []string
		for i := 0; i < 2; i++ {
			_, s, err := store.SignIn(ctx, tm.leaver.EmailAddress(), modelstest.Password, "", "")
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, s)
		}
		before := transferSnapshot(t, store, tm.acc.Account.ID)
		usage := usageOf(t, store, tm.acc, tm.plan.ID)

		res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenDeactivate, Reason: "Moved to <b>sales</b>"})
		if err != nil {
			t.Fatal(err)
		}
		// Every record of every kind, closed ones too: 3 per kind.
		if res.RecordsMoved != 18 || res.GroupsMoved != 1 || res.ManagedMoved != 1 || res.RoleGiven != models.RoleAdmin ||
			!res.Demoted || !res.Deactivated || res.SessionsEnded != 2 || len(res.RecordsByKind) != len(models.RecordKinds) {
			t.Fatalf("result %+v", res)
		}
		after := transferSnapshot(t, store, tm.acc.Account.ID)
		if len(after.Records) != len(before.Records) {
			t.Fatalf("%d records before, %d after", len(before.Records), len(after.Records))
		}
		for id, was := range before.Records {
			now := after.Records[id]
			want := was
			if was.OwnerID == tm.leaver.ID {
				want.OwnerID = tm.receiver.ID
			}
			if now != want {
				t.Errorf("record %d: %+v, want %+v", id, now, want)
			}
			if was.OwnerID == tm.leaver.ID {
				var history []models.RecordOwnershipChange
				modelstest.Must(t, store.DB().Where("record_id = ?", id).Order("id").Find(&history))
				last := history[len(history)-1]
				if *last.FromUserID != tm.leaver.ID || last.ToUserID != tm.receiver.ID || *last.ChangedByID != tm.acc.Owner.ID ||
					last.Reason != "account transfer: Moved to <b>sales</b>" {
					t.Errorf("record %d history %+v", id, last)
				}
			}
		}
		if after.History != before.History+18 {
			t.Fatalf("%d history lines written, want one per record (18)", after.History-before.History)
		}
		var group models.Group
		modelstest.Must(t, store.DB().First(&group, tm.group))
		var membership int64
		modelstest.Must(t, store.DB().Model(&models.GroupMember{}).Where("group_id = ? AND user_id = ?", tm.group, tm.receiver.ID).Count(&membership))
		if group.OwnerID != tm.receiver.ID || membership != 1 {
			t.Fatalf("group owner %d, receiver member %d", group.OwnerID, membership)
		}
		if report := transferUser(t, store, tm.report.ID); report.ManagerID == nil || *report.ManagerID != tm.receiver.ID {
			t.Fatalf("the report's manager is %v, want the receiver", report.ManagerID)
		}
		if receiver := transferUser(t, store, tm.receiver.ID); receiver.Role != models.RoleAdmin || receiver.Status != models.StatusActive {
			t.Fatalf("receiver %s/%s, want an active admin", receiver.Role, receiver.Status)
		}
		if leaver := transferUser(t, store, tm.leaver.ID); leaver.Role != models.RoleMember || leaver.Status != models.StatusInactive {
			t.Fatalf("leaver %s/%s, want an inactive member", leaver.Role, leaver.Status)
		}
		for _, s := range sessions {
			if _, err := store.Authenticate(ctx, s); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("the leaver's session still works: %v", err)
			}
		}
		if u := usageOf(t, store, tm.acc, tm.plan.ID); u.InUse != usage.InUse-1 || u.Plan.SeatsPurchased != usage.Plan.SeatsPurchased {
			t.Fatalf("seats: before %+v after %+v; one freed, purchase unchanged", usage, u)
		}
		var events []models.AuditEvent
		modelstest.Must(t, store.DB().Where("account_id = ? AND target_user_id = ? AND action IN ?", tm.acc.Account.ID, tm.leaver.ID,
			[]string{models.AuditAccountTransferred, models.AuditUserDeactivated}).Order("id").Find(&events))
		if len(events) != 2 {
			t.Fatalf("audit events %+v, want a deactivation and a transfer", events)
		}
		transfer := events[0]
		if transfer.Action != models.AuditAccountTransferred {
			transfer = events[1]
		}
		for _, want := range []string{fmt.Sprintf(`"to":%d`, tm.receiver.ID), `"records_moved":18`, `"groups_moved":1`, `"managed_moved":1`,
			`"role_given":"admin"`, `"then":"deactivate"`} {
			if !strings.Contains(transfer.Details, want) {
				t.Errorf("transfer audit %s lacks %s", transfer.Details, want)
			}
		}
		if strings.Contains(transfer.Details, "<b>") || strings.Contains(transfer.Details, tm.leaver.EmailAddress()) {
			t.Errorf("transfer audit %s holds raw HTML or personal data", transfer.Details)
		}
	})
}

func TestTransferAccountThenLeave(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		modelstest.Must(t, store.DB().Model(tm.leaver).Update("role", models.RoleManager))
		res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenLeave})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deactivated || res.RecordsMoved != 18 || res.RoleGiven != models.RoleManager {
			t.Fatalf("result %+v", res)
		}
		if leaver := transferUser(t, store, tm.leaver.ID); leaver.Role != models.RoleMember || leaver.Status != models.StatusActive {
			t.Fatalf("leaver %s/%s, want an active member", leaver.Role, leaver.Status)
		}
		if owned := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID)); owned != 0 {
			t.Fatalf("the leaver still owns %d records", owned)
		}
		t.Run("LessRightsAreNotGiven", func(t *testing.T) {
			// The receiver is a manager now; a member's transfer gives them no role.
			res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.other.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenLeave})
			if err != nil || res.RoleGiven != "" || res.Demoted {
				t.Fatalf("%+v %v", res, err)
			}
			if receiver := transferUser(t, store, tm.receiver.ID); receiver.Role != models.RoleManager {
				t.Fatalf("receiver is %s, want manager kept", receiver.Role)
			}
		})
	})
}

func TestTransferAccountFromTheOnlyOwner(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		owner := tm.acc.Owner.ID
		t.Run("CannotDeactivateThemselves", func(t *testing.T) {
			before := transferSnapshot(t, store, tm.acc.Account.ID)
			_, err := store.TransferAccount(ctx, tm.acc.Actor, owner, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenDeactivate})
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["then"] == "" {
				t.Fatalf("got %v, want a message on then", err)
			}
			if after := transferSnapshot(t, store, tm.acc.Account.ID); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatal("a refused transfer changed something")
			}
		})
		t.Run("TheRecipientBecomesOwner", func(t *testing.T) {
			res, err := store.TransferAccount(ctx, tm.acc.Actor, owner, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenLeave})
			if err != nil {
				t.Fatal(err)
			}
			if res.RoleGiven != models.RoleOwner {
				t.Fatalf("result %+v", res)
			}
			if u := transferUser(t, store, tm.receiver.ID); u.Role != models.RoleOwner {
				t.Fatalf("receiver is %s, want owner", u.Role)
			}
			if u := transferUser(t, store, owner); u.Role != models.RoleMember || u.Status != models.StatusActive {
				t.Fatalf("former owner %s/%s, want an active member", u.Role, u.Status)
			}
		})
	})
}

func TestTransferAccountRefusals(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		stranger := modelstest.NewAccount(t, store)
		admin := addUser(t, store, tm.acc, "Ada Admin", "ada.admin@example.com", models.RoleAdmin, models.StatusActive, &tm.plan.ID)
		adminActor := &models.Actor{User: admin, Account: tm.acc.Account}
		second := addUser(t, store, tm.acc, "Sam Second", "sam.second@example.com", models.RoleOwner, models.StatusActive, &tm.plan.ID)
		addRecord(t, store, tm.acc, second, "deal", true)
		inactive := addUser(t, store, tm.acc, "Ina Inactive", "ina@example.com", models.RoleMember, models.StatusInactive, &tm.plan.ID)
		invited := addUser(t, store, tm.acc, "Ivo Invited", "ivo@example.com", models.RoleMember, models.StatusInvited, &tm.plan.ID)
		before := transferSnapshot(t, store, tm.acc.Account.ID)

		for name, tc := range map[string]struct {
			actor *models.Actor
			from  int64
			t     models.AccountTransfer
			field string
		}{
			"to themself":               {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.leaver.ID, Then: "leave"}, "to"},
			"to an inactive user":       {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: inactive.ID, Then: "leave"}, "to"},
			"to an invited user":        {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: invited.ID, Then: "leave"}, "to"},
			"to another account's user": {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: stranger.Owner.ID, Then: "leave"}, "to"},
			"to nobody":                 {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{Then: "leave"}, "to"},
			"an unknown next step":      {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "archive"}, "then"},
			"a huge reason":             {tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "leave", Reason: strings.Repeat("x", 600)}, "reason"},
		} {
			_, err := store.TransferAccount(ctx, tc.actor, tc.from, tc.t)
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields[tc.field] == "" {
				t.Errorf("%s: got %v, want a message on %s", name, err, tc.field)
			}
		}
		_, err := store.TransferAccount(ctx, adminActor, second.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "leave"})
		if refused, _ := err.(models.TransferRefusedError); !strings.Contains(refused.Error(), "owner") {
			t.Errorf("an admin transferring an owner's account should be refused with the reason: %v", err)
		}
		if _, err := store.TransferAccount(ctx, tm.acc.Actor, stranger.Owner.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "leave"}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another account's user: got %v, want ErrNotFound", err)
		}
		var refused models.TransferRefusedError
		if _, err := store.TransferAccount(ctx, tm.acc.Actor, invited.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "leave"}); !errors.As(err, &refused) {
			t.Errorf("an invited user: got %v, want TransferRefusedError", err)
		}
		if after := transferSnapshot(t, store, tm.acc.Account.ID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatal("a refused transfer changed something")
		}
	})
}

// signInAs gives u a password and an address of their own (other tests' teams share names) and
// signs them in, returning the session.
func signInAs(t *testing.T, store *models.Store, tm *team, u *models.User) string {
	t.Helper()
	email := fmt.Sprintf("user-%d-of-%d@example.com", u.ID, tm.acc.Account.ID)
	u.Email = &email
	modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": ownerHash(t, store, tm), "email": email}))
	_, session, err := store.SignIn(context.Background(), email, modelstest.Password, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return session
}

func TestTransferAccountThenDelete(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		t.Run("ScheduledAfterTheGracePeriod", func(t *testing.T) {
			tm := newTeam(t, store)
			modelstest.Must(t, store.DB().Model(tm.leaver).Update("role", models.RoleManager))
			// The grace period is read from the account as it is now, not as the actor loaded it.
			modelstest.Must(t, store.DB().Model(&models.Account{}).Where("id = ?", tm.acc.Account.ID).Update("deletion_grace_days", 9))
			session := signInAs(t, store, tm, tm.leaver)
			before := countsOf(t, store, tm.acc.Account.ID)
			res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID,
				Then: models.TransferThenDelete, DeletionMode: models.DeleteWithHistory, Reason: "Left the company"})
			if err != nil {
				t.Fatal(err)
			}
			wantDue := time.Now().AddDate(0, 0, 9)
			if d := res.DeletionDueAt.Sub(wantDue); d < -time.Minute || d > time.Minute || res.Erased || !res.Deactivated ||
				res.DeletionMode != models.DeleteWithHistory || res.RecordsMoved != 18 || res.GroupsMoved != 1 || res.ManagedMoved != 1 ||
				res.RoleGiven != models.RoleManager || res.SessionsEnded != 1 {
				t.Fatalf("result %+v, want due about %v", res, wantDue)
			}
			leaver := transferUser(t, store, tm.leaver.ID)
			if leaver.Status != models.StatusInactive || leaver.Role != models.RoleMember || leaver.DeletionDueAt == nil ||
				!leaver.DeletionDueAt.Equal(res.DeletionDueAt) || leaver.DeletionMode == nil || *leaver.DeletionMode != string(models.DeleteWithHistory) ||
				leaver.DeletionRequestedByID == nil || *leaver.DeletionRequestedByID != tm.acc.Owner.ID || leaver.Name != "Lea Leaver" {
				t.Fatalf("leaver %+v, want inactive and scheduled for deletion with history", leaver)
			}
			if _, err := store.Authenticate(ctx, session); !errors.Is(err, models.ErrSessionEnded) {
				t.Fatalf("the leaver's session still works: %v", err)
			}
			owned := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID))
			groups := modelstest.Count(t, store.DB().Model(&models.Group{}).Where("owner_id = ?", tm.leaver.ID))
			managed := modelstest.Count(t, store.DB().Model(&models.User{}).Where("manager_id = ?", tm.leaver.ID))
			if owned+groups+managed != 0 {
				t.Fatalf("the leaver still owns %d records, %d groups and manages %d people", owned, groups, managed)
			}
			if receiver := transferUser(t, store, tm.receiver.ID); receiver.Role != models.RoleManager {
				t.Fatalf("receiver is %s, want manager", receiver.Role)
			}
			after := countsOf(t, store, tm.acc.Account.ID)
			if after.records != before.records || after.history != before.history+18 || after.activities != before.activities {
				t.Fatalf("counts before %+v after %+v: records unchanged, one history line per record, activity kept until the deletion", before, after)
			}
			var events []models.AuditEvent
			modelstest.Must(t, store.DB().Where("target_user_id = ?", tm.leaver.ID).Order("id").Find(&events))
			actions := map[string]string{}
			for _, e := range events {
				actions[e.Action] = e.Details
			}
			if _, ok := actions[models.AuditUserDeactivated]; !ok {
				t.Fatalf("no deactivation event: %+v", events)
			}
			for _, want := range []string{`"then":"delete"`, `"mode":"with_history"`, `"erase_now":false`, `"records_moved":18`} {
				if !strings.Contains(actions[models.AuditAccountTransferred], want) {
					t.Errorf("transfer audit %q lacks %s", actions[models.AuditAccountTransferred], want)
				}
			}
			if !strings.Contains(actions[models.AuditDeletionScheduled], `"mode":"with_history"`) {
				t.Errorf("deletion audit %q", actions[models.AuditDeletionScheduled])
			}
			// It is an ordinary scheduled deletion: undo brings them back as inactive.
			if n, err := store.UndoDeletion(ctx, tm.acc.Actor, []int64{tm.leaver.ID}); err != nil || n != 1 {
				t.Fatalf("undo: %d %v", n, err)
			}
		})
		t.Run("AnonymiseIsTheDefault", func(t *testing.T) {
			tm := newTeam(t, store)
			res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenDelete})
			if err != nil {
				t.Fatal(err)
			}
			leaver := transferUser(t, store, tm.leaver.ID)
			if res.DeletionMode != models.DeleteAnonymise || leaver.DeletionMode == nil || *leaver.DeletionMode != string(models.DeleteAnonymise) {
				t.Fatalf("result %+v, leaver %+v: want anonymise", res, leaver)
			}
		})
		t.Run("EraseNow", func(t *testing.T) {
			tm := newTeam(t, store)
			session := signInAs(t, store, tm, tm.leaver)
			email := tm.leaver.EmailAddress()
			before := countsOf(t, store, tm.acc.Account.ID)
			res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID,
				Then: models.TransferThenDelete, DeletionMode: models.DeleteAnonymise, EraseNow: true})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Erased || !res.DeletionDueAt.IsZero() || res.From.Name != models.DeletedUserName || res.RecordsMoved != 18 {
				t.Fatalf("result %+v", res)
			}
			leaver := transferUser(t, store, tm.leaver.ID)
			if leaver.Status != models.StatusDeleted || leaver.Name != models.DeletedUserName || leaver.Email != nil || leaver.PasswordHash != "" {
				t.Fatalf("leaver %+v, want anonymised", leaver)
			}
			if _, err := store.Authenticate(ctx, session); err == nil {
				t.Fatal("an old session of an erased user still works")
			}
			if _, _, err := store.SignIn(ctx, email, modelstest.Password, "", ""); err == nil {
				t.Fatal("an erased user signed in")
			}
			if after := countsOf(t, store, tm.acc.Account.ID); after.records != before.records || after.activities != before.activities {
				t.Fatalf("counts before %+v after %+v", before, after)
			}
			var deleted int64
			modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("target_user_id = ? AND action = ?", tm.leaver.ID, models.AuditUserDeleted).Count(&deleted))
			if deleted != 1 {
				t.Fatalf("%d deletion events, want 1", deleted)
			}
		})
		t.Run("AnInactiveUserIsDeletedToo", func(t *testing.T) {
			tm := newTeam(t, store)
			modelstest.Must(t, store.DB().Model(tm.leaver).Update("status", models.StatusInactive))
			res, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenDelete})
			if err != nil {
				t.Fatal(err)
			}
			if leaver := transferUser(t, store, tm.leaver.ID); res.Deactivated || leaver.Status != models.StatusInactive || leaver.DeletionDueAt == nil {
				t.Fatalf("result %+v leaver %+v", res, leaver)
			}
		})
		t.Run("RefusalsChangeNothing", func(t *testing.T) {
			tm := newTeam(t, store)
			scheduled := addUser(t, store, tm.acc, "Sue Scheduled", "sue.scheduled@example.com", models.RoleMember, models.StatusInactive, &tm.plan.ID)
			addRecord(t, store, tm.acc, scheduled, "deal", true)
			if _, err := store.ScheduleDeletion(ctx, tm.acc.Actor, []int64{scheduled.ID}, models.DeleteAnonymise, false); err != nil {
				t.Fatal(err)
			}
			before := transferSnapshot(t, store, tm.acc.Account.ID)
			for name, tc := range map[string]struct {
				from  int64
				t     models.AccountTransfer
				field string
			}{
				"remove":                         {tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "delete", DeletionMode: models.DeleteRemove}, "mode"},
				"an unknown mode":                {tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "delete", DeletionMode: "shred", EraseNow: true}, "mode"},
				"themselves":                     {tm.acc.Owner.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "delete"}, "then"},
				"already scheduled for deletion": {scheduled.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "delete"}, "then"},
			} {
				_, err := store.TransferAccount(ctx, tm.acc.Actor, tc.from, tc.t)
				var fields models.FieldErrors
				if !errors.As(err, &fields) || fields[tc.field] == "" {
					t.Errorf("%s: got %v, want a message on %s", name, err, tc.field)
				}
			}
			if after := transferSnapshot(t, store, tm.acc.Account.ID); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("a refused transfer changed something:\nbefore %v\nafter  %v", before, after)
			}
			if u := transferUser(t, store, tm.leaver.ID); u.DeletionDueAt != nil {
				t.Fatal("a refused transfer scheduled a deletion")
			}
			// A mode is only read when they are to be deleted.
			if _, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "leave", DeletionMode: "shred", EraseNow: true}); err != nil {
				t.Fatalf("leave with a stray mode: %v", err)
			}
			if u := transferUser(t, store, tm.leaver.ID); u.Status != models.StatusActive || u.DeletionDueAt != nil {
				t.Fatalf("leaver %+v, want active and not scheduled", u)
			}
		})
	})
}

// TestTransferAccountIsAllOrNothing makes the very last write of a transfer fail, and finds
// everything as it was.
func TestTransferAccountIsAllOrNothing(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		modelstest.Must(t, store.DB().Model(tm.leaver).Update("role", models.RoleAdmin))
		before := transferSnapshot(t, store, tm.acc.Account.ID)
		name := fmt.Sprintf("fail_transfer_%d", tm.leaver.ID)
		statements := []string{fmt.Sprintf(`CREATE TRIGGER %s BEFORE INSERT ON audit_events
			WHEN NEW.action = '%s' AND NEW.target_user_id = %d BEGIN SELECT RAISE(ABORT, 'forced failure'); END`, name, models.AuditAccountTransferred, tm.leaver.ID)}
		drop := []string{"DROP TRIGGER " + name}
		if store.IsPostgres() {
			statements = []string{
				fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
					IF NEW.action = '%s' AND NEW.target_user_id = %d THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$`,
					name, models.AuditAccountTransferred, tm.leaver.ID),
				fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION %s()", name, name),
			}
			drop = []string{"DROP TRIGGER " + name + " ON audit_events", "DROP FUNCTION " + name + "()"}
		}
		for _, sql := range statements {
			if err := store.DB().Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			for _, sql := range drop {
				modelstest.Must(t, store.DB().Exec(sql))
			}
		})
		if _, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: "deactivate"}); err == nil {
			t.Fatal("the forced failure did not fail the transfer")
		}
		if after := transferSnapshot(t, store, tm.acc.Account.ID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a failed transfer left changes behind:\nbefore %v\nafter  %v", before, after)
		}
	})
}
