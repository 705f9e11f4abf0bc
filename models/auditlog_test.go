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

// auditFixture is an account with a few people and events at known times, and a second account
// whose events must never show.
type auditFixture struct {
	acc, other     *modelstest.Account
	ann, bob, carl *models.User
	base           time.Time
}

func newAuditFixture(t *testing.T, store *models.Store) *auditFixture {
	t.Helper()
	f := &auditFixture{acc: modelstest.NewAccount(t, store), other: modelstest.NewAccount(t, store),
		base: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}
	tag := fmt.Sprint(f.acc.Account.ID)
	f.ann = addUser(t, store, f.acc, "Ann Auditee", "ann."+tag+"@audit.example", models.RoleMember, models.StatusActive, nil)
	f.bob = addUser(t, store, f.acc, "Bob Boss", "bob."+tag+"@audit.example", models.RoleAdmin, models.StatusActive, nil)
	f.carl = addUser(t, store, f.acc, "Carl Clerk", "carl."+tag+"@audit.example", models.RoleSupport, models.StatusActive, nil)
	owner := &f.acc.Owner.ID
	// Day 1: Bob deactivates Ann. Day 2: Bob, acting as Carl, reactivates Ann. Day 3: the owner
	// changes Carl's plan. One event in the other account, newest of all.
	addAuditEvent(t, store, f.acc.Account.ID, &f.bob.ID, nil, &f.ann.ID, models.AuditUserDeactivated, f.base, `{"records_moved":3,"reason":"<script>alert(1)</script>"}`, "198.51.100.7")
	addAuditEvent(t, store, f.acc.Account.ID, &f.carl.ID, &f.bob.ID, &f.ann.ID, models.AuditUserReactivated, f.base.AddDate(0, 0, 1), "{}", "")
	addAuditEvent(t, store, f.acc.Account.ID, owner, nil, &f.carl.ID, models.AuditUserPlanChanged, f.base.AddDate(0, 0, 2), `{"from_plan_id":1,"to_plan":"Pro"}`, "")
	addAuditEvent(t, store, f.other.Account.ID, &f.other.Owner.ID, nil, &f.other.Owner.ID, models.AuditUserDeactivated, f.base.AddDate(0, 0, 3), "{}", "")
	return f
}

func addAuditEvent(t *testing.T, store *models.Store, account int64, actor, real, target *int64, action string, at time.Time, details, ip string) *models.AuditEvent {
	t.Helper()
	e := models.AuditEvent{AccountID: account, ActorID: actor, RealActorID: real, TargetUserID: target, Action: action,
		Details: details, IP: ip, CreatedAt: at}
	if err := store.DB().Create(&e).Error; err != nil {
		t.Fatal(err)
	}
	return &e
}

// auditActions lists the actions of a page's entries that belong to the fixture (the account's
// own creation event is left out).
func auditActions(page *models.AuditLogPage) []string {
	var out []string
	for _, e := range page.Entries {
		if e.Action != models.AuditAccountCreated {
			out = append(out, e.Action)
		}
	}
	return out
}

func TestAuditLogFilters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newAuditFixture(t, store)
		list := func(t *testing.T, q models.AuditLogQuery) []string {
			t.Helper()
			page, err := store.AuditLog(ctx, f.acc.Actor, q)
			if err != nil {
				t.Fatal(err)
			}
			return auditActions(page)
		}
		expect := func(t *testing.T, q models.AuditLogQuery, want ...string) {
			t.Helper()
			if got := list(t, q); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("%+v lists %v, want %v", q, got, want)
			}
		}
		t.Run("NewestFirstAndOnlyThisAccount", func(t *testing.T) {
			expect(t, models.AuditLogQuery{}, models.AuditUserPlanChanged, models.AuditUserReactivated, models.AuditUserDeactivated)
			other := fmt.Sprint(f.other.Owner.ID)
			expect(t, models.AuditLogQuery{Actor: other})
			expect(t, models.AuditLogQuery{Target: "#" + other})
		})
		t.Run("ActorByIDNameOrEmailIncludingRealActor", func(t *testing.T) {
			bob := fmt.Sprint(f.bob.ID)
			expect(t, models.AuditLogQuery{Actor: bob}, models.AuditUserReactivated, models.AuditUserDeactivated)
			expect(t, models.AuditLogQuery{Actor: "#" + bob}, models.AuditUserReactivated, models.AuditUserDeactivated)
			expect(t, models.AuditLogQuery{Actor: "bob boss"}, models.AuditUserReactivated, models.AuditUserDeactivated)
			expect(t, models.AuditLogQuery{Actor: "  CARL." + fmt.Sprint(f.acc.Account.ID) + "@"}, models.AuditUserReactivated)
			expect(t, models.AuditLogQuery{Actor: "nobody-like-this"})
			// LIKE wildcards are text, not patterns.
			expect(t, models.AuditLogQuery{Actor: "%%"})
		})
		t.Run("Target", func(t *testing.T) {
			expect(t, models.AuditLogQuery{Target: "Ann Aud"}, models.AuditUserReactivated, models.AuditUserDeactivated)
			expect(t, models.AuditLogQuery{Target: fmt.Sprint(f.carl.ID)}, models.AuditUserPlanChanged)
			expect(t, models.AuditLogQuery{Target: "ann", Actor: "#" + fmt.Sprint(f.carl.ID)}, models.AuditUserReactivated)
		})
		t.Run("Action", func(t *testing.T) {
			expect(t, models.AuditLogQuery{Action: models.AuditUserDeactivated}, models.AuditUserDeactivated)
		})
		t.Run("DateRangeIsInclusive", func(t *testing.T) {
			day := func(n int) string { return f.base.AddDate(0, 0, n).Format(time.DateOnly) }
			expect(t, models.AuditLogQuery{From: day(1), To: day(1)}, models.AuditUserReactivated)
			expect(t, models.AuditLogQuery{From: day(1)}, models.AuditUserPlanChanged, models.AuditUserReactivated)
			expect(t, models.AuditLogQuery{To: day(0)}, models.AuditUserDeactivated)
			expect(t, models.AuditLogQuery{From: day(5), To: day(9)})
		})
		t.Run("FieldErrors", func(t *testing.T) {
			today := time.Now().UTC().Format(time.DateOnly)
			for _, c := range []struct {
				q     models.AuditLogQuery
				field string
			}{
				{models.AuditLogQuery{Action: "user.nonsense"}, "action"},
				{models.AuditLogQuery{Action: "'; DROP TABLE audit_events; --"}, "action"},
				{models.AuditLogQuery{From: "10/03/2025"}, "from"},
				{models.AuditLogQuery{From: "2025-02-30"}, "from"},
				{models.AuditLogQuery{To: "1999-12-31"}, "to"},
				{models.AuditLogQuery{To: "9999-01-01"}, "to"},
				{models.AuditLogQuery{From: today, To: "2025-01-01"}, "to"},
				{models.AuditLogQuery{Actor: "x"}, "actor"},
				{models.AuditLogQuery{Actor: strings.Repeat("a", 20000)}, "actor"},
				{models.AuditLogQuery{Target: "ann\x00"}, "target"},
				{models.AuditLogQuery{Target: "\xff\xfe"}, "target"},
				{models.AuditLogQuery{Target: "#99999999999999999999"}, "target"},
			} {
				_, err := store.AuditLog(ctx, f.acc.Actor, c.q)
				var fe models.FieldErrors
				if !errors.As(err, &fe) || fe[c.field] == "" || len(fe) != 1 {
					t.Errorf("%.60q: got %v, want a message on %s only", fmt.Sprintf("%+v", c.q), err, c.field)
				}
				if err := store.ExportAuditLog(ctx, f.acc.Actor, c.q, func(models.AuditLogEntry) error { return nil }); !errors.Is(err, models.ErrInvalid) {
					t.Errorf("export of %.60q: %v, want ErrInvalid", fmt.Sprintf("%+v", c.q), err)
				}
			}
		})
	})
}

func TestAuditLogShowsWhoReallyActed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		f := newAuditFixture(t, store)
		page, err := store.AuditLog(context.Background(), f.acc.Actor, models.AuditLogQuery{Action: models.AuditUserReactivated})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 1 {
			t.Fatalf("%d entries", len(page.Entries))
		}
		e := page.Entries[0]
		if e.Actor == nil || e.Actor.Label() != "Carl Clerk" || e.RealActor == nil || e.RealActor.Label() != "Bob Boss" ||
			e.Target == nil || e.Target.Label() != "Ann Auditee" || e.ActionLabel != "User reactivated" {
			t.Fatalf("entry %+v actor %+v real %+v target %+v", e, e.Actor, e.RealActor, e.Target)
		}
		page, _ = store.AuditLog(context.Background(), f.acc.Actor, models.AuditLogQuery{Action: models.AuditUserDeactivated})
		e = page.Entries[0]
		if e.RealActor != nil || e.IP != "198.51.100.7" {
			t.Fatalf("plain event: real actor %+v, IP %q", e.RealActor, e.IP)
		}
		want := []models.AuditDetail{{Label: "Reason", Value: "<script>alert(1)</script>"}, {Label: "Records moved", Value: "3"}}
		if fmt.Sprint(e.Details) != fmt.Sprint(want) {
			t.Fatalf("details %v, want %v", e.Details, want)
		}
	})
}

func TestAuditLogPermissions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newAuditFixture(t, store)
		for _, role := range models.Roles {
			u := addUser(t, store, f.acc, "Role "+string(role), string(role)+"."+fmt.Sprint(f.acc.Account.ID)+"@perm.example", role, models.StatusActive, nil)
			actor := &models.Actor{User: u, Account: f.acc.Account}
			_, err := store.AuditLog(ctx, actor, models.AuditLogQuery{})
			exportErr := store.ExportAuditLog(ctx, actor, models.AuditLogQuery{}, func(models.AuditLogEntry) error { return nil })
			allowed := role == models.RoleOwner || role == models.RoleAdmin || role == models.RoleSupport
			if allowed && (err != nil || exportErr != nil) {
				t.Errorf("%s: %v / %v, want the log", role, err, exportErr)
			}
			if !allowed && (!errors.Is(err, models.ErrForbidden) || !errors.Is(exportErr, models.ErrForbidden)) {
				t.Errorf("%s: %v / %v, want ErrForbidden", role, err, exportErr)
			}
		}
	})
}

func TestAuditLogPaging(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		const n = 2*models.AuditPageSize + 7
		// Pairs share a time, so the order within a second rests on the ID.
		for i := 0; i < n; i++ {
			addAuditEvent(t, store, acc.Account.ID, &acc.Owner.ID, nil, &acc.Owner.ID, models.AuditSignedIn, at.Add(time.Duration(i/2)*time.Second), "{}", "")
		}
		q := models.AuditLogQuery{Action: models.AuditSignedIn}
		var seen []int64
		var pages []*models.AuditLogPage
		for {
			page, err := store.AuditLog(ctx, acc.Actor, q)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, page)
			for _, e := range page.Entries {
				seen = append(seen, e.ID)
			}
			if page.NextCursor == "" || len(pages) > 5 {
				break
			}
			q.After = page.NextCursor
		}
		if len(pages) != 3 || len(seen) != n {
			t.Fatalf("%d pages, %d events; want 3 pages, %d events", len(pages), len(seen), n)
		}
		// One statement per page, names and addresses included, filtered by text or not.
		for _, q := range []models.AuditLogQuery{{}, {Actor: "olivia", Target: "owner-", After: pages[1].NextCursor}} {
			counter := &queryCounter{}
			if _, err := store.WithQueryLogger(counter).AuditLog(ctx, acc.Actor, q); err != nil {
				t.Fatal(err)
			}
			if counter.n != 1 {
				t.Fatalf("a page took %d statements", counter.n)
			}
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Fatalf("events out of order at %d: %v", i, seen[i-1:i+1])
			}
		}
		if pages[0].PrevCursor != "" || pages[1].PrevCursor == "" {
			t.Fatal("only pages after the first link back")
		}
		// Back from the last page: the middle page again, exactly.
		back, err := store.AuditLog(ctx, acc.Actor, models.AuditLogQuery{Action: models.AuditSignedIn, Before: pages[2].PrevCursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Entries) != models.AuditPageSize || back.Entries[0].ID != pages[1].Entries[0].ID || back.NextCursor == "" || back.PrevCursor == "" {
			t.Fatalf("paging back gave %d entries from %d", len(back.Entries), back.Entries[0].ID)
		}
		for _, bad := range []string{"garbage", "eyJ0IjoiMjAyNS0wMS0wMVQwMDowMDowMFoiLCJpIjotMX0", strings.Repeat("A", 5000), "%00", pages[1].NextCursor[:10]} {
			page, err := store.AuditLog(ctx, acc.Actor, models.AuditLogQuery{Action: models.AuditSignedIn, After: bad, Before: bad})
			if err != nil || len(page.Entries) == 0 || page.Entries[0].ID != seen[0] {
				t.Fatalf("bad cursor %.20q: %v, want the first page", bad, err)
			}
		}
		var exported []int64
		if err := store.ExportAuditLog(ctx, acc.Actor, models.AuditLogQuery{Action: models.AuditSignedIn, After: pages[1].NextCursor},
			func(e models.AuditLogEntry) error { exported = append(exported, e.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(exported) != fmt.Sprint(seen) {
			t.Fatalf("export listed %d events, the pages %d", len(exported), len(seen))
		}
	})
}

// TestAuditLogIsAppendOnly: the database itself refuses to change or remove an event, and users
// removed for good stay in the log by ID.
func TestAuditLogIsAppendOnly(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		f := newAuditFixture(t, store)
		e := addAuditEvent(t, store, f.acc.Account.ID, &f.bob.ID, nil, &f.ann.ID, models.AuditUserInvited, time.Now().UTC(), "{}", "192.0.2.1")
		statements := []string{
			fmt.Sprintf("UPDATE audit_events SET action = 'x' WHERE id = %d", e.ID),
			fmt.Sprintf("UPDATE audit_events SET actor_id = NULL WHERE id = %d", e.ID),
			fmt.Sprintf("DELETE FROM audit_events WHERE id = %d", e.ID),
			"DELETE FROM audit_events",
		}
		if store.IsPostgres() {
			statements = append(statements, "TRUNCATE audit_events CASCADE")
		}
		for _, sql := range statements {
			if err := store.DB().Exec(sql).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", sql, err)
			}
		}
		var n int64
		modelstest.Must(t, store.DB().Model(&models.AuditEvent{}).Where("id = ? AND action = ?", e.ID, models.AuditUserInvited).Count(&n))
		if n != 1 {
			t.Fatal("the event changed")
		}

		t.Run("RemovedUserShowsByID", func(t *testing.T) {
			gone := addUser(t, store, f.acc, "Gus Gone", "gus."+fmt.Sprint(f.acc.Account.ID)+"@audit.example", models.RoleMember, models.StatusInactive, nil)
			addAuditEvent(t, store, f.acc.Account.ID, &f.bob.ID, nil, &gone.ID, models.AuditUserDeactivated, time.Now().UTC(), "{}", "")
			addAuditEvent(t, store, f.acc.Account.ID, &gone.ID, nil, &gone.ID, models.AuditSignedIn, time.Now().UTC(), "{}", "203.0.113.50")
			if _, err := store.ScheduleDeletion(ctx, f.acc.Actor, []int64{gone.ID}, models.DeleteRemove, true); err != nil {
				t.Fatal(err)
			}
			if err := store.DB().First(&models.User{}, gone.ID).Error; err == nil {
				t.Fatal("the user was not removed")
			}
			page, err := store.AuditLog(ctx, f.acc.Actor, models.AuditLogQuery{Target: fmt.Sprint(gone.ID), Everything: true})
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("Removed user #%d", gone.ID)
			actions := map[string]bool{}
			for _, e := range page.Entries {
				actions[e.Action] = true
				if e.Target == nil || !e.Target.Removed || e.Target.Label() != want {
					t.Errorf("%s: target %+v, want %q", e.Action, e.Target, want)
				}
				if e.Action == models.AuditSignedIn && (e.Actor.Label() != want || e.IP != "") {
					t.Errorf("their sign-in: actor %q, IP %q; want %q and no address", e.Actor.Label(), e.IP, want)
				}
			}
			if !actions[models.AuditUserDeactivated] || !actions[models.AuditSignedIn] {
				t.Fatalf("events about the removed user: %v", actions)
			}
			// The deletion itself names them in its details, as before.
			page, _ = store.AuditLog(ctx, f.acc.Actor, models.AuditLogQuery{Action: models.AuditUserDeleted})
			if len(page.Entries) != 1 {
				t.Fatalf("deletion events %+v", page.Entries)
			}
			details := page.Entries[0].Details
			if len(details) != 2 || details[0] != (models.AuditDetail{Label: "Mode", Value: "remove"}) ||
				details[1].Label != "Removed user" || details[1].Value != fmt.Sprintf("user #%d", gone.ID) ||
				details[1].Person == nil || !details[1].Person.Removed {
				t.Fatalf("deletion event details %+v: want the mode and the removed user by ID, without a link", details)
			}
		})
		t.Run("ActingAsSomeoneElseIsHistory", func(t *testing.T) {
			// What someone did as another user names them only as the real actor; it is still
			// history, so they may be anonymised but not removed.
			ivy := addUser(t, store, f.acc, "Ivy Impersonator", "ivy."+fmt.Sprint(f.acc.Account.ID)+"@audit.example", models.RoleSupport, models.StatusInactive, nil)
			addAuditEvent(t, store, f.acc.Account.ID, &f.ann.ID, &ivy.ID, &f.ann.ID, models.AuditPrivacyEdited, time.Now().UTC(), "{}", "")
			options, err := store.DeletionOptions(ctx, f.acc.Actor, ivy.ID)
			if err != nil {
				t.Fatal(err)
			}
			if options.Allowed(models.DeleteRemove) || !options.Allowed(models.DeleteAnonymise) {
				t.Fatalf("refusals %+v: want remove refused, anonymise allowed", options.Refused)
			}
		})
		t.Run("ErasureRemovesTheirAddressesOnly", func(t *testing.T) {
			// Bob signs in from a known address, then is anonymised: his events stay, their
			// addresses go; other people's addresses stay.
			if err := store.DB().Model(f.bob).Update("status", models.StatusInactive).Error; err != nil {
				t.Fatal(err)
			}
			theirs := addAuditEvent(t, store, f.acc.Account.ID, &f.acc.Owner.ID, nil, &f.bob.ID, models.AuditUserDeactivated, time.Now().UTC(), "{}", "192.0.2.77")
			before, _ := store.AuditLog(ctx, f.acc.Actor, models.AuditLogQuery{Actor: fmt.Sprint(f.bob.ID)})
			if _, err := store.ScheduleDeletion(ctx, f.acc.Actor, []int64{f.bob.ID}, models.DeleteAnonymise, true); err != nil {
				t.Fatal(err)
			}
			after, _ := store.AuditLog(ctx, f.acc.Actor, models.AuditLogQuery{Actor: fmt.Sprint(f.bob.ID)})
			if len(after.Entries) != len(before.Entries) || len(after.Entries) < 3 {
				t.Fatalf("%d events before, %d after", len(before.Entries), len(after.Entries))
			}
			for _, e := range after.Entries {
				if e.IP != "" {
					t.Errorf("%s still shows %s", e.Action, e.IP)
				}
				if e.RealActor != nil && e.RealActor.Label() != models.DeletedUserName {
					t.Errorf("real actor shows as %q", e.RealActor.Label())
				}
			}
			kept := modelstest.Count(t, store.DB().Table("audit_event_ips").Joins("JOIN audit_events ON audit_events.id = audit_event_ips.event_id").
				Where("audit_events.account_id = ? AND audit_event_ips.ip = ?", f.acc.Account.ID, "198.51.100.7"))
			if kept != 0 {
				t.Error("the address of Bob's deactivation of Ann is still stored")
			}
			page, _ := store.AuditLog(ctx, f.acc.Actor, models.AuditLogQuery{Target: fmt.Sprint(f.bob.ID), Action: models.AuditUserDeactivated})
			if len(page.Entries) != 1 || page.Entries[0].ID != theirs.ID || page.Entries[0].IP != "192.0.2.77" {
				t.Errorf("the owner's deactivation of Bob lost the owner's address: %+v", page.Entries)
			}
		})
	})
}

// Writing events in bulk stores their addresses in one more statement, whatever the batch size.
func TestAuditAddressesWrittenWithTheirEvents(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		events := make([]models.AuditEvent, 30)
		for i := range events {
			events[i] = models.AuditEvent{AccountID: acc.Account.ID, ActorID: &acc.Owner.ID, Action: models.AuditSignedIn,
				Details: "{}", IP: fmt.Sprintf("10.0.0.%d", i), CreatedAt: time.Now().UTC()}
		}
		if err := store.DB().CreateInBatches(events, 20).Error; err != nil {
			t.Fatal(err)
		}
		page, err := store.AuditLog(context.Background(), acc.Actor, models.AuditLogQuery{Action: models.AuditSignedIn})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]string{}
		for _, e := range page.Entries {
			byID[e.ID] = e.IP
		}
		for _, e := range events {
			if byID[e.ID] != e.IP {
				t.Fatalf("event %d shows %q, written with %q", e.ID, byID[e.ID], e.IP)
			}
		}
	})
}

func TestAuditDetailsReadAsWords(t *testing.T) {
	names := models.AuditNames{7: "Finn Jensen"}
	got := models.AuditDetails(models.AuditRoleChanged, `{"from":"group_admin","to":"member"}`, names)
	if fmt.Sprint(got) != fmt.Sprint([]models.AuditDetail{{Label: "From", Value: "Group administrator"}, {Label: "To", Value: "Member"}}) {
		t.Errorf("role change: %+v", got)
	}
	got = models.AuditDetails(models.AuditUserDeactivated, `{"records_to":7,"groups_to":null,"manager_to":0,"reason":"","records_moved":12,"kinds":[]}`, names)
	if len(got) != 2 || got[0].Label != "Records moved" || got[0].Value != "12" ||
		got[1].Label != "Records to" || got[1].Value != "Finn Jensen" || got[1].Person == nil || got[1].Person.ID != 7 {
		t.Errorf("deactivation: %+v; want the moved records and their recipient by name, empty fields left out", got)
	}
	got = models.AuditDetails(models.AuditUserInvited, `{"role":"<script>","to_user_id":99}`, names)
	if got[0].Value != "<script>" || got[1].Value != "user #99" || !got[1].Person.Removed {
		t.Errorf("unknown role and unknown user: %+v", got)
	}
}
