package models_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// at returns a Store sharing store's database whose clock reads t: a server at another moment.
func at(store *models.Store, t time.Time) *models.Store {
	moved := *store
	moved.Now = func() time.Time { return t }
	return &moved
}

// inAnHour is a leave date an hour ahead, on the minute.
func inAnHour() time.Time { return time.Now().UTC().Add(time.Hour).Truncate(time.Minute) }

func scheduleOf(t *testing.T, store *models.Store, userID int64) []models.ScheduledDeactivation {
	t.Helper()
	var rows []models.ScheduledDeactivation
	modelstest.Must(t, store.DB().Where("user_id = ?", userID).Find(&rows))
	return rows
}

func auditDetailsOf(t *testing.T, store *models.Store, accountID int64, action string, target int64) []map[string]any {
	t.Helper()
	var events []models.AuditEvent
	modelstest.Must(t, store.DB().Where("account_id = ? AND action = ? AND target_user_id = ?", accountID, action, target).Order("id").Find(&events))
	out := make([]map[string]any, len(events))
	for i, e := range events {
		if err := json.Unmarshal([]byte(e.Details), &out[i]); err != nil {
			t.Fatal(err)
		}
		out[i]["actor_id"] = e.ActorID
	}
	return out
}

func TestScheduleDeactivation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		plan := models.HandoverPlan{RecordsTo: tm.receiver.ID, GroupsTo: tm.receiver.ID, Reason: "Moving abroad"}
		leaves := inAnHour()

		t.Run("Scheduled", func(t *testing.T) {
			n, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, plan, leaves)
			if err != nil || n != 1 {
				t.Fatalf("schedule: %d, %v", n, err)
			}
			rows := scheduleOf(t, store, tm.leaver.ID)
			if len(rows) != 1 || !rows[0].DueAt.Equal(leaves) || rows[0].ScheduledByID != tm.acc.Owner.ID || rows[0].TimeZone != "UTC" {
				t.Fatalf("stored %+v, want one due at %s by the owner", rows, leaves)
			}
			if got := rows[0].Handover(); got.RecordsTo != tm.receiver.ID || got.GroupsTo != tm.receiver.ID || got.Reason != "Moving abroad" {
				t.Errorf("stored plan %+v", got)
			}
			if events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditDeactivationScheduled, tm.leaver.ID); len(events) != 1 {
				t.Errorf("%d schedule events, want 1", len(events))
			}
			var u models.User
			modelstest.Must(t, store.DB().Take(&u, tm.leaver.ID))
			if u.Status != models.StatusActive {
				t.Errorf("status %s before the date, want active", u.Status)
			}
			profile, err := store.GetUserProfile(ctx, tm.acc.Actor, tm.leaver.ID)
			if err != nil {
				t.Fatal(err)
			}
			if profile.Leaving == nil || !profile.Leaving.DueAt.Equal(leaves) || profile.Leaving.ScheduledByName != tm.acc.Owner.Name {
				t.Errorf("profile leave date %+v", profile.Leaving)
			}
		})

		t.Run("ListedAsLeaving", func(t *testing.T) {
			all, err := store.ListUsers(ctx, tm.acc.Actor, models.UserListQuery{Status: models.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			badges := 0
			for _, r := range all.Rows {
				if r.LeavesAt != nil {
					badges++
					if r.ID != tm.leaver.ID || !r.LeavesAt.Equal(leaves) || r.LeavesTimeZone != "UTC" {
						t.Errorf("row %d leaves at %v (%s)", r.ID, r.LeavesAt, r.LeavesTimeZone)
					}
				}
			}
			if badges != 1 {
				t.Errorf("%d rows with a leave date, want 1", badges)
			}
			leaving, err := store.ListUsers(ctx, tm.acc.Actor, models.UserListQuery{Status: models.StatusActive, Leaving: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(leaving.Rows) != 1 || leaving.Rows[0].ID != tm.leaver.ID {
				t.Errorf("Leaving filter lists %d rows", len(leaving.Rows))
			}
			if c := leaving.Counts[models.StatusActive]; c.N != 1 || c.AtLeast {
				t.Errorf("Leaving filter counts %+v on Active, want exactly 1", c)
			}
			if c := leaving.Counts[models.StatusInactive]; c.N != 0 {
				t.Errorf("Leaving filter counts %d inactive, want 0", c.N)
			}
			// The unfiltered counts come from the kept counters and stay the whole tab.
			if all.Counts[models.StatusActive].N != int64(len(all.Rows)) {
				t.Errorf("Active counts %d, lists %d", all.Counts[models.StatusActive].N, len(all.Rows))
			}
			// With another filter too, the count still honours both.
			searched, err := store.ListUsers(ctx, tm.acc.Actor, models.UserListQuery{Status: models.StatusActive, Leaving: true, Search: "Otto"})
			if err != nil {
				t.Fatal(err)
			}
			if len(searched.Rows) != 0 || searched.Counts[models.StatusActive].N != 0 {
				t.Errorf("Leaving + search for someone staying: %d rows, count %d", len(searched.Rows), searched.Counts[models.StatusActive].N)
			}
		})

		t.Run("Changed", func(t *testing.T) {
			later := leaves.Add(24 * time.Hour)
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{Reason: "Stays a day longer"}, later); err != nil {
				t.Fatal(err)
			}
			rows := scheduleOf(t, store, tm.leaver.ID)
			if len(rows) != 1 || !rows[0].DueAt.Equal(later) || rows[0].Handover().RecordsTo != 0 {
				t.Fatalf("after the change: %+v", rows)
			}
			events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditDeactivationRescheduled, tm.leaver.ID)
			if len(events) != 1 || events[0]["previous_due_at"] == nil {
				t.Errorf("reschedule events %v", events)
			}
		})

		t.Run("Cancelled", func(t *testing.T) {
			if err := store.CancelScheduledDeactivation(ctx, tm.acc.Actor, tm.leaver.ID); err != nil {
				t.Fatal(err)
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 0 {
				t.Fatalf("%d leave dates left", len(rows))
			}
			events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditDeactivationUnscheduled, tm.leaver.ID)
			if len(events) != 1 || events[0]["why"] != "cancelled" {
				t.Errorf("cancel events %v", events)
			}
			if err := store.CancelScheduledDeactivation(ctx, tm.acc.Actor, tm.leaver.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("cancelling again: %v, want ErrNotFound", err)
			}
		})

		t.Run("PastDateRefused", func(t *testing.T) {
			for _, when := range []time.Time{time.Now().UTC().Add(-time.Minute), time.Now().UTC().Truncate(time.Minute)} {
				_, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, when)
				var fields models.FieldErrors
				if !errors.As(err, &fields) || fields["leave_date"] == "" {
					t.Errorf("leave date %s: %v, want a message on leave_date", when, err)
				}
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 0 {
				t.Errorf("a refused date was stored")
			}
		})

		t.Run("RecipientLeavingRefused", func(t *testing.T) {
			_, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{RecordsTo: tm.leaver.ID}, leaves)
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Errorf("handing records to the leaver: %v, want a message on records_to", err)
			}
		})

		t.Run("BlockedRefused", func(t *testing.T) {
			_, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.acc.Owner.ID}, models.HandoverPlan{}, leaves)
			var blocked models.DeactivationBlockedError
			if !errors.As(err, &blocked) {
				t.Errorf("scheduling oneself, the last owner: %v, want DeactivationBlockedError", err)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			other := newTeam(t, store)
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{other.leaver.ID}, models.HandoverPlan{}, leaves); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("schedule another account's user: %v", err)
			}
			if _, err := store.ScheduleDeactivation(ctx, other.acc.Actor, []int64{other.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
				t.Fatal(err)
			}
			if err := store.CancelScheduledDeactivation(ctx, tm.acc.Actor, other.leaver.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("cancel another account's leave date: %v", err)
			}
			if _, err := store.ScheduledDeactivationOf(ctx, tm.acc.Actor, other.leaver.ID); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("read another account's leave date: %v", err)
			}
			// Handing over to someone of another account is refused too.
			_, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{RecordsTo: other.receiver.ID}, leaves)
			var fields models.FieldErrors
			if !errors.As(err, &fields) || fields["records_to"] == "" {
				t.Errorf("recipient of another account: %v", err)
			}
			if rows := scheduleOf(t, store, other.leaver.ID); len(rows) != 1 {
				t.Errorf("the other account's leave date is gone")
			}
		})

		t.Run("ViewAsRefused", func(t *testing.T) {
			viewer := *tm.acc.Actor
			viewer.Impersonation = &models.Impersonation{Mode: models.ImpersonateView, RealUser: tm.acc.Owner, UserID: tm.acc.Owner.ID}
			var viewOnly models.ViewOnlyError
			if _, err := store.ScheduleDeactivation(ctx, &viewer, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); !errors.As(err, &viewOnly) {
				t.Errorf("schedule under View as: %v", err)
			}
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
				t.Fatal(err)
			}
			if err := store.CancelScheduledDeactivation(ctx, &viewer, tm.leaver.ID); !errors.As(err, &viewOnly) {
				t.Errorf("cancel under View as: %v", err)
			}
			if err := store.UpdateAccountTimeZone(ctx, &viewer, "Europe/Berlin"); !errors.As(err, &viewOnly) {
				t.Errorf("time zone under View as: %v", err)
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 1 {
				t.Errorf("View as changed the leave date")
			}
		})

		t.Run("Forbidden", func(t *testing.T) {
			member := &models.Actor{User: tm.other, Account: tm.acc.Account}
			if _, err := store.ScheduleDeactivation(ctx, member, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("a member schedules: %v", err)
			}
			if err := store.CancelScheduledDeactivation(ctx, member, tm.leaver.ID); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("a member cancels: %v", err)
			}
		})

		t.Run("DeactivatedByHandDropsIt", func(t *testing.T) {
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 1 {
				t.Fatalf("want a leave date to start with")
			}
			if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}); err != nil {
				t.Fatal(err)
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 0 {
				t.Errorf("the leave date outlived a deactivation by hand")
			}
			// Nothing is left for the runner.
			if n, err := at(store, leaves.Add(time.Minute)).CarryOutDueDeactivations(ctx, 1000); err != nil {
				t.Fatal(err)
			} else if events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditUserDeactivated, tm.leaver.ID); len(events) != 1 {
				t.Errorf("%d deactivation events after the runner handled %d, want 1", len(events), n)
			}
		})
	})
}

func TestScheduledDeactivationTimeZone(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		if err := store.UpdateAccountTimeZone(ctx, tm.acc.Actor, "Mars/Olympus_Mons"); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("unknown zone: %v, want FieldErrors", err)
		}
		for _, bad := range []string{"", "Local", "../../etc/passwd", "/usr/share/zoneinfo/UTC"} {
			if _, err := models.CheckTimeZone(bad); err == nil {
				t.Errorf("%q accepted as a time zone", bad)
			}
		}
		if err := store.UpdateAccountTimeZone(ctx, tm.acc.Actor, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		var account models.Account
		modelstest.Must(t, store.DB().Take(&account, tm.acc.Account.ID))
		if account.TimeZone != "Europe/Berlin" {
			t.Fatalf("stored zone %q", account.TimeZone)
		}
		// Winter (UTC+1), summer (UTC+2), and a time summer time skips (moved on by the hour).
		for _, c := range []struct{ date, clock, want string }{
			{"2026-12-03", "17:00", "2026-12-03T16:00:00Z"},
			{"2027-07-01", "17:00", "2027-07-01T15:00:00Z"},
			{"2027-03-28", "02:30", "2027-03-28T01:30:00Z"},
		} {
			got, err := models.LeaveTime(&account, c.date, c.clock)
			if err != nil || got.Format(time.RFC3339) != c.want {
				t.Errorf("%s %s in Berlin: %s, %v; want %s", c.date, c.clock, got.Format(time.RFC3339), err, c.want)
			}
		}
		for _, bad := range [][2]string{{"3.12.2026", "17:00"}, {"2026-02-30", "17:00"}, {"2026-12-03", "25:00"}, {"", ""}} {
			_, err := models.LeaveTime(&account, bad[0], bad[1])
			var fields models.FieldErrors
			if !errors.As(err, &fields) {
				t.Errorf("%q %q accepted", bad[0], bad[1])
			}
		}
		// A leave date keeps the zone it was chosen in, and reads back in it.
		actor := &models.Actor{User: tm.acc.Owner, Account: &account}
		leaves, _ := models.LeaveTime(&account, time.Now().AddDate(0, 1, 0).Format("2006-01-02"), "17:00")
		if _, err := store.ScheduleDeactivation(ctx, actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
			t.Fatal(err)
		}
		rows := scheduleOf(t, store, tm.leaver.ID)
		if len(rows) != 1 || rows[0].TimeZone != "Europe/Berlin" || rows[0].LocalDueAt().Format("15:04") != "17:00" {
			t.Errorf("stored %+v, want 17:00 Berlin", rows)
		}
		// Changing the account's zone later keeps the moment.
		if err := store.UpdateAccountTimeZone(ctx, actor, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		if again := scheduleOf(t, store, tm.leaver.ID); !again[0].DueAt.Equal(rows[0].DueAt) {
			t.Errorf("the zone change moved the leave date")
		}
	})
}

func TestCarryOutScheduledDeactivations(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()

		t.Run("Due", func(t *testing.T) {
			tm := newTeam(t, store)
			now := time.Now().UTC()
			modelstest.Must(t, store.DB().Create(&models.UserSession{ID: "sched-" + fmt.Sprint(tm.leaver.ID), AccountID: tm.acc.Account.ID, UserID: tm.leaver.ID,
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}))
			leaves := inAnHour()
			plan := models.HandoverPlan{RecordsTo: tm.receiver.ID, GroupsTo: tm.receiver.ID, ManagerTo: tm.receiver.ID, Reason: "Contract ends"}
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, plan, leaves); err != nil {
				t.Fatal(err)
			}
			if n, err := at(store, leaves.Add(-time.Second)).CarryOutDueDeactivations(ctx, 100); err != nil || n != 0 {
				t.Fatalf("a second early: carried out %d, %v", n, err)
			}
			if n, err := at(store, leaves).CarryOutDueDeactivations(ctx, 100); err != nil || n != 1 {
				t.Fatalf("on the minute: carried out %d, %v", n, err)
			}
			var u models.User
			modelstest.Must(t, store.DB().Take(&u, tm.leaver.ID))
			if u.Status != models.StatusInactive || u.DeactivatedAt == nil || !u.DeactivatedAt.Equal(leaves) {
				t.Errorf("leaver %s at %v, want inactive at %s", u.Status, u.DeactivatedAt, leaves)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.UserSession{}).Where("user_id = ? AND revoked_at IS NULL", tm.leaver.ID)); n != 0 {
				t.Errorf("%d sessions still open", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ? AND is_open", tm.leaver.ID)); n != 0 {
				t.Errorf("%d open records stayed with the leaver", n)
			}
			var report models.User
			modelstest.Must(t, store.DB().Take(&report, tm.report.ID))
			if report.ManagerID == nil || *report.ManagerID != tm.receiver.ID {
				t.Errorf("report's manager %v, want the receiver", report.ManagerID)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.SeatLedgerEntry{}).Where("user_id = ? AND reason = ?", tm.leaver.ID, models.SeatReasonDeactivated)); n != 1 {
				t.Errorf("%d seat releases, want 1", n)
			}
			events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditUserDeactivated, tm.leaver.ID)
			if len(events) != 1 || events[0]["way"] != "scheduled" || events[0]["reason"] != "Contract ends" {
				t.Fatalf("deactivation events %v", events)
			}
			if actor := events[0]["actor_id"].(*int64); actor == nil || *actor != tm.acc.Owner.ID {
				t.Errorf("actor %v, want the admin who scheduled it", actor)
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 0 {
				t.Errorf("the leave date stayed after it ran")
			}
			if n, err := at(store, leaves.Add(time.Minute)).CarryOutDueDeactivations(ctx, 100); err != nil || n != 0 {
				t.Errorf("second run carried out %d, %v", n, err)
			}
			page, err := store.AuditLog(ctx, tm.acc.Actor, models.AuditLogQuery{Action: models.AuditUserDeactivated})
			if err != nil {
				t.Fatal(err)
			}
			shown := false
			for _, e := range page.Entries {
				for _, d := range e.Details {
					if d.Value == "scheduled" {
						shown = true
					}
				}
			}
			if !shown {
				t.Errorf("the audit log does not show that it was scheduled: %+v", page.Entries)
			}
		})

		t.Run("RecipientGoneStillDeactivated", func(t *testing.T) {
			tm := newTeam(t, store)
			leaves := inAnHour()
			plan := models.HandoverPlan{RecordsTo: tm.receiver.ID, GroupsTo: tm.other.ID}
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, plan, leaves); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Deactivate(ctx, tm.acc.Actor, []int64{tm.receiver.ID}, models.HandoverPlan{}); err != nil {
				t.Fatal(err)
			}
			open := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID))
			if n, err := at(store, leaves.Add(30*time.Second)).CarryOutDueDeactivations(ctx, 100); err != nil || n != 1 {
				t.Fatalf("carried out %d, %v", n, err)
			}
			var u models.User
			modelstest.Must(t, store.DB().Take(&u, tm.leaver.ID))
			if u.Status != models.StatusInactive {
				t.Fatalf("leaver is %s, want inactive: access ends on time", u.Status)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id = ?", tm.leaver.ID)); n != open {
				t.Errorf("leaver owns %d records, want all %d kept", n, open)
			}
			var g models.Group
			modelstest.Must(t, store.DB().Take(&g, tm.group))
			if g.OwnerID != tm.other.ID {
				t.Errorf("the group went to %d, want the recipient still active", g.OwnerID)
			}
			var mail []models.OutboxMessage
			modelstest.Must(t, store.DB().Where("account_id = ? AND to_address = ?", tm.acc.Account.ID, *tm.acc.Owner.Email).Find(&mail))
			if len(mail) != 1 || !strings.Contains(mail[0].Body, tm.leaver.Name) || !strings.Contains(mail[0].Body, "their records") ||
				mail[0].ActionURL != fmt.Sprintf("/settings/users/%d", tm.leaver.ID) {
				t.Errorf("mail to the admin: %+v", mail)
			}
		})

		t.Run("BlockedCancelled", func(t *testing.T) {
			tm := newTeam(t, store)
			leaves := inAnHour()
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
				t.Fatal(err)
			}
			// Meanwhile the leaver became the account's only owner.
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", tm.leaver.ID).Update("role", models.RoleOwner))
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", tm.acc.Owner.ID).Update("role", models.RoleAdmin))
			if n, err := at(store, leaves).CarryOutDueDeactivations(ctx, 100); err != nil || n != 1 {
				t.Fatalf("handled %d, %v", n, err)
			}
			var u models.User
			modelstest.Must(t, store.DB().Take(&u, tm.leaver.ID))
			if u.Status != models.StatusActive {
				t.Errorf("the last owner was deactivated")
			}
			if rows := scheduleOf(t, store, tm.leaver.ID); len(rows) != 0 {
				t.Errorf("the refused leave date stayed")
			}
			events := auditDetailsOf(t, store, tm.acc.Account.ID, models.AuditDeactivationUnscheduled, tm.leaver.ID)
			if len(events) != 1 || events[0]["why"] != "refused" {
				t.Errorf("cancel events %v", events)
			}
			var mail []models.OutboxMessage
			modelstest.Must(t, store.DB().Where("account_id = ? AND to_address = ?", tm.acc.Account.ID, *tm.acc.Owner.Email).Find(&mail))
			if len(mail) != 1 || !strings.Contains(mail[0].Subject, "did not happen") || mail[0].ActionURL != fmt.Sprintf("/settings/users/%d", tm.leaver.ID) {
				t.Errorf("mail to the admin: %+v", mail)
			}
			if n, err := at(store, leaves.Add(time.Minute)).CarryOutDueDeactivations(ctx, 100); err != nil || n != 0 {
				t.Errorf("second run handled %d, %v", n, err)
			}
		})

		t.Run("TogetherAsOne", func(t *testing.T) {
			tm := newTeam(t, store)
			leaves := inAnHour()
			if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID, tm.other.ID}, models.HandoverPlan{RecordsTo: tm.receiver.ID}, leaves); err != nil {
				t.Fatal(err)
			}
			if n, err := at(store, leaves).CarryOutDueDeactivations(ctx, 100); err != nil || n != 2 {
				t.Fatalf("carried out %d, %v", n, err)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id IN ? AND status = ?", []int64{tm.leaver.ID, tm.other.ID}, models.StatusInactive)); n != 2 {
				t.Errorf("%d of 2 inactive", n)
			}
			if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id IN ? AND is_open", []int64{tm.leaver.ID, tm.other.ID})); n != 0 {
				t.Errorf("%d open records left with them", n)
			}
		})
	})
}

// Three servers poll for leave dates at once while a thousand fall due in the same minute: each
// is carried out exactly once, without an error, well within the minute.
func TestScheduledDeactivationsRunOnceAcrossServers(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a thousand users")
	}
	store := modelstest.Postgres(t)
	url := modelstest.PostgresURL(t)
	ctx := context.Background()
	const accounts, perAccount = 4, 250
	leaves := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Minute)
	var ids []int64
	accountIDs := make([]int64, accounts)
	for a := 0; a < accounts; a++ {
		acc := modelstest.NewAccount(t, store)
		accountIDs[a] = acc.Account.ID
		plan := planOf(t, store, acc)
		modelstest.Must(t, store.DB().Model(&models.Plan{}).Where("id = ?", plan.ID).Update("seats_purchased", perAccount+10))
		receiver := addUser(t, store, acc, "Rita Receiver", fmt.Sprintf("rita-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusActive, &plan.ID)
		now := time.Now().UTC()
		users := make([]models.User, perAccount)
		for i := range users {
			email := fmt.Sprintf("leaver-%d-%d@example.com", acc.Account.ID, i)
			users[i] = models.User{AccountID: acc.Account.ID, Email: &email, Name: fmt.Sprintf("Leaver %04d", i), Role: models.RoleMember,
				Status: models.StatusActive, PlanID: &plan.ID, CreatedAt: now, UpdatedAt: now}
		}
		modelstest.Must(t, store.DB().CreateInBatches(users, 500))
		records := make([]models.Record, perAccount)
		group := make([]int64, perAccount)
		for i, u := range users {
			group[i] = u.ID
			records[i] = models.Record{AccountID: acc.Account.ID, Kind: "deal", Title: "Deal", IsOpen: true, OwnerID: u.ID, CreatedByID: u.ID, CreatedAt: now, UpdatedAt: now}
		}
		modelstest.Must(t, store.DB().CreateInBatches(records, 500))
		// Half chosen in one go, the rest one by one, as admins do.
		if _, err := store.ScheduleDeactivation(ctx, acc.Actor, group[:perAccount/2], models.HandoverPlan{RecordsTo: receiver.ID}, leaves); err != nil {
			t.Fatal(err)
		}
		for _, id := range group[perAccount/2:] {
			if _, err := store.ScheduleDeactivation(ctx, acc.Actor, []int64{id}, models.HandoverPlan{RecordsTo: receiver.ID, Reason: fmt.Sprint("Leaver ", id)}, leaves); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, group...)
	}

	const servers = 3
	runners := make([]*models.Store, servers)
	retries := &retryCounter{}
	for i := range runners {
		s, err := models.Open(ctx, url, models.MaxConns(4))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Now = func() time.Time { return leaves.Add(time.Second) }
		s.Metrics = retries
		runners[i] = s
	}
	start := time.Now()
	var wg sync.WaitGroup
	handled := make([]int, servers)
	errs := make([]error, servers)
	for i, s := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each polls like RunScheduledDeactivations until a pass finds nothing left.
			for time.Since(start) < 2*time.Minute {
				n, err := s.CarryOutDueDeactivations(ctx, 100)
				if err != nil {
					errs[i] = err
					return
				}
				handled[i] += n
				if n == 0 {
					var left int64
					if err := s.DB().Model(&models.ScheduledDeactivation{}).Where("due_at <= ?", leaves).Count(&left).Error; err != nil || left == 0 {
						errs[i] = err
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, err := range errs {
		if err != nil {
			t.Errorf("server %d: %v", i, err)
		}
	}
	total := handled[0] + handled[1] + handled[2]
	t.Logf("%d leave dates carried out by %d servers in %s (%v each); transactions retried: %d", total, servers, elapsed.Round(time.Millisecond),
		handled, retries.n.Load())
	if total != len(ids) {
		t.Errorf("handled %d, want %d", total, len(ids))
	}
	if elapsed > time.Minute {
		t.Errorf("took %s, want well within the minute", elapsed)
	}
	var perUser []struct {
		TargetUserID int64
		N            int64
	}
	modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Select("target_user_id, count(*) AS n").
		Where("account_id IN ? AND action = ?", accountIDs, models.AuditUserDeactivated).Group("target_user_id").Scan(&perUser))
	once := 0
	for _, p := range perUser {
		if p.N != 1 {
			t.Errorf("user %d deactivated %d times", p.TargetUserID, p.N)
		} else {
			once++
		}
	}
	if once != len(ids) {
		t.Errorf("%d users deactivated once, want %d", once, len(ids))
	}
	if n := modelstest.Count(t, store.DB().Model(&models.User{}).Where("id IN ? AND status = ?", ids, models.StatusInactive)); n != int64(len(ids)) {
		t.Errorf("%d inactive, want %d", n, len(ids))
	}
	if n := modelstest.Count(t, store.DB().Model(&models.ScheduledDeactivation{}).Where("account_id IN ?", accountIDs)); n != 0 {
		t.Errorf("%d leave dates left", n)
	}
	if n := modelstest.Count(t, store.DB().Model(&models.Record{}).Where("owner_id IN ?", ids)); n != 0 {
		t.Errorf("%d records stayed with leavers", n)
	}
	if n := modelstest.Count(t, store.DB().Model(&models.SeatLedgerEntry{}).Where("user_id IN ? AND reason = ?", ids, models.SeatReasonDeactivated)); n != int64(len(ids)) {
		t.Errorf("%d seats freed, want %d", n, len(ids))
	}
}

// Other systems hear that the user left on a leave date, not by a click.
func TestWebhookSaysTheDeactivationWasScheduled(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		store = hooksStore(store, nil)
		tm := newTeam(t, store)
		r := newReceiver(t, nil)
		addEndpoint(t, store, tm.acc, r, models.EventUserDeactivated)
		// Near enough that the receiver accepts the signature's timestamp from the runner's clock.
		leaves := time.Now().UTC().Truncate(time.Minute).Add(time.Minute)
		if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
			t.Fatal(err)
		}
		runner := hooksStore(store, func() time.Time { return leaves })
		if n, err := runner.CarryOutDueDeactivations(ctx, 10); err != nil || n != 1 {
			t.Fatalf("carried out %d, %v", n, err)
		}
		drain(t, runner, runner.NewWebhookSender())
		got := r.snapshot()
		if len(got) != 1 {
			t.Fatalf("got %d events, want user.deactivated", len(got))
		}
		if d := payloadOf(t, got[0].Body)["data"].(map[string]any); d["how"] != "scheduled" {
			t.Errorf("user.deactivated says how %v, want scheduled", d["how"])
		}
	})
}

// Access ends on the leave date's minute, even before a runner has carried it out.
func TestSessionsEndAtTheLeaveMinute(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		tm := newTeam(t, store)
		token := strings.Repeat("5e", 32)
		sum := sha256.Sum256([]byte(token))
		now := time.Now().UTC()
		modelstest.Must(t, store.DB().Create(&models.UserSession{ID: hex.EncodeToString(sum[:]), AccountID: tm.acc.Account.ID, UserID: tm.leaver.ID,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(3 * time.Hour)}))
		leaves := inAnHour()
		if _, err := store.ScheduleDeactivation(ctx, tm.acc.Actor, []int64{tm.leaver.ID}, models.HandoverPlan{}, leaves); err != nil {
			t.Fatal(err)
		}
		if _, err := at(store, leaves.Add(-time.Second)).Authenticate(ctx, token); err != nil {
			t.Errorf("a second before the leave date: %v, want the session to work", err)
		}
		if _, err := at(store, leaves).Authenticate(ctx, token); !errors.Is(err, models.ErrSessionEnded) {
			t.Errorf("on the leave date's minute: %v, want ErrSessionEnded", err)
		}
		// Nor can they sign in again. (Addresses of their own: the sign-in throttle counts per
		// client, and another test hammers 203.0.113.7 at the same time.)
		// An address of their own: sign-in looks at the five most recent users of an address
		// across accounts, and every team of this package's tests shares the same addresses.
		unique := fmt.Sprintf("leaver-%d@leave-date.example", tm.leaver.ID)
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", tm.leaver.ID).
			Updates(map[string]any{"password_hash": ownerHash(t, store, tm), "email": unique}))
		tm.leaver.Email = &unique
		if _, _, err := at(store, leaves.Add(-time.Minute)).SignIn(ctx, *tm.leaver.Email, modelstest.Password, "192.0.2.71", "test"); err != nil {
			t.Errorf("signing in before the leave date: %v", err)
		}
		if _, _, err := at(store, leaves).SignIn(ctx, *tm.leaver.Email, modelstest.Password, "192.0.2.72", "test"); !errors.Is(err, models.ErrBadCredentials) {
			t.Errorf("signing in on the leave date: %v, want ErrBadCredentials", err)
		}
	})
}
