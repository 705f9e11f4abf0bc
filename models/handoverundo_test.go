package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"roster/models"
	"roster/models/modelstest"
)

func lastEvent(t *testing.T, store *models.Store, acc *modelstest.Account, action string) models.AuditEvent {
	t.Helper()
	var e models.AuditEvent
	modelstest.Must(t, store.DB().Where("account_id = ? AND action = ?", acc.Account.ID, action).Order("id DESC").Take(&e))
	return e
}

func TestRecordsHandoverUndo(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		var deals []int64
		modelstest.Must(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND kind = ?", tm.leaver.ID, "deal").Order("id").Pluck("id", &deals))
		if _, err := store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: deals, To: tm.receiver.ID}); err != nil {
			t.Fatal(err)
		}
		event := lastEvent(t, store, tm.acc, models.AuditRecordsHandedOver)
		// One record moves on before the undo: it stays with its new owner.
		if _, err := store.HandOverRecords(ctx, tm.acc.Actor, models.RecordHandover{IDs: deals[:1], To: tm.other.ID}); err != nil {
			t.Fatal(err)
		}
		t.Run("PreviewListsWhatGoesBackAndWhatStays", func(t *testing.T) {
			undo, err := store.HandoverUndoPreview(ctx, tm.acc.Actor, event.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(undo.Records) != 2 || len(undo.MovedOn) != 1 || undo.MovedOn[0].ID != deals[0] || undo.MovedOn[0].CurrentID != tm.other.ID {
				t.Fatalf("back %+v, moved on %+v", undo.Records, undo.MovedOn)
			}
		})
		t.Run("PartialWhenARecordMovedOn", func(t *testing.T) {
			result, err := store.UndoHandover(ctx, tm.acc.Actor, event.ID)
			if err != nil {
				t.Fatal(err)
			}
			if result.Records != 2 || result.Stayed != 1 {
				t.Fatalf("result %+v", result)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("id IN ? AND owner_id = ?", deals[1:], tm.leaver.ID)); n != 2 {
				t.Fatalf("%d deals back with the leaver, want 2", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("id = ? AND owner_id = ?", deals[0], tm.other.ID)); n != 1 {
				t.Fatal("the record that moved on must stay")
			}
			if n := modelstest.Count(t, store.DB().Model(&models.RecordOwnershipChange{}).Where("record_id IN ? AND reason = ?", deals, "hand-over undone")); n != 2 {
				t.Fatalf("%d history lines for the undo, want 2", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", tm.acc.Account.ID, models.AuditHandoverUndone)); n != 1 {
				t.Fatalf("%d undo events, want 1", n)
			}
			var fields models.FieldErrors
			if _, err := store.UndoHandover(ctx, tm.acc.Actor, event.ID); !errors.As(err, &fields) {
				t.Fatalf("a second undo has nothing to give back: %v", err)
			}
		})
		t.Run("ErrNotFoundForAnotherAccount", func(t *testing.T) {
			stranger := modelstest.NewAccount(t, store)
			if _, err := store.HandoverUndoPreview(ctx, stranger.Actor, event.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("another account's event: %v", err)
			}
			other := lastEvent(t, store, tm.acc, models.AuditHandoverUndone)
			if _, err := store.HandoverUndoPreview(ctx, tm.acc.Actor, other.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("an event that is no hand-over: %v", err)
			}
		})
		t.Run("ErrGoneAfterTheGracePeriod", func(t *testing.T) {
			modelstest.Must(t, store.DB().Model(&models.Account{}).Where("id = ?", tm.acc.Account.ID).Update("deletion_grace_days", 0))
			acc := *tm.acc.Account
			acc.DeletionGraceDays = 0
			actor := &models.Actor{User: tm.acc.Owner, Account: &acc}
			if _, err := store.HandoverUndoPreview(ctx, actor, event.ID); !errors.Is(err, models.ErrGone) {
				t.Fatalf("after the grace period: %v", err)
			}
		})
	})
}

func TestDeactivationHandoverUndo(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		_, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{RecordsTo: tm.receiver.ID, GroupsTo: tm.receiver.ID, ManagerTo: tm.receiver.ID})
		if err != nil {
			t.Fatal(err)
		}
		event := lastEvent(t, store, tm.acc, models.AuditUserDeactivated)
		undo, err := store.HandoverUndoPreview(ctx, tm.acc.Actor, event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(undo.Records) != 12 || len(undo.Groups) != 1 || len(undo.Reports) != 1 {
			t.Fatalf("back: %d records, %d groups, %d reports", len(undo.Records), len(undo.Groups), len(undo.Reports))
		}
		if _, err := store.UndoHandover(ctx, tm.acc.Actor, event.ID); err != nil {
			t.Fatal(err)
		}
		if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID)); n != 18 {
			t.Fatalf("the leaver owns %d records again, want 18", n)
		}
		if n := modelstest.Count(t, store.DB().Model(&models.Group{}).Where("id = ? AND owner_id = ?", tm.group, tm.leaver.ID)); n != 1 {
			t.Fatal("the group must go back")
		}
		if n := modelstest.Count(t, store.DB().Model(&models.GroupMember{}).Where("group_id = ? AND user_id = ?", tm.group, tm.receiver.ID)); n != 0 {
			t.Fatal("the membership the hand-over gave must go too")
		}
		if n := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id = ? AND manager_id = ?", tm.report.ID, tm.leaver.ID)); n != 1 {
			t.Fatal("the report must go back to their manager")
		}
	})
}

func TestTransferHandoverUndo(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		if _, err := store.TransferAccount(ctx, tm.acc.Actor, tm.leaver.ID, models.AccountTransfer{To: tm.receiver.ID, Then: models.TransferThenLeave}); err != nil {
			t.Fatal(err)
		}
		event := lastEvent(t, store, tm.acc, models.AuditAccountTransferred)
		result, err := store.UndoHandover(ctx, tm.acc.Actor, event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if result.Records != 18 || result.Groups != 1 || result.Reports != 1 {
			t.Fatalf("result %+v", result)
		}
	})
}

// A manager who leaves with nothing but a report: the undo names them as the report's manager
// to come back, not as a deleted user.
func TestUndoOfReportsAloneNamesThePreviousManager(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		manager := addUser(t, store, tm.acc, "Mona Manager", "mona.manager@example.com", models.RoleMember, models.StatusActive, &tm.plan.ID)
		modelstest.Must(t, store.DB().Model(tm.other).Update("manager_id", manager.ID))
		if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{manager.ID}, models.HandoverPlan{ManagerTo: tm.receiver.ID}); err != nil {
			t.Fatal(err)
		}
		event := lastEvent(t, store, tm.acc, models.AuditUserDeactivated)
		undo, err := store.HandoverUndoPreview(ctx, tm.acc.Actor, event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(undo.Reports) != 1 || len(undo.Records) != 0 || len(undo.Groups) != 0 {
			t.Fatalf("back: %d records, %d groups, %d reports", len(undo.Records), len(undo.Groups), len(undo.Reports))
		}
		if got := undo.Reports[0].PreviousName; got == models.DeletedUserLabel || !strings.Contains(got, "Mona Manager") {
			t.Errorf("the report goes back to %q, want Mona Manager", got)
		}
	})
}
