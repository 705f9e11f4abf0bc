package models_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// dormancyClock moves a store's clock for one test and puts it back afterwards.
func dormancyClock(t *testing.T, store *models.Store, start time.Time) func(days int) {
	t.Helper()
	saved := store.Now
	t.Cleanup(func() { store.Now = saved })
	at := start
	store.Now = func() time.Time { return at }
	return func(days int) { at = at.AddDate(0, 0, days) }
}

// dormantUser adds an active member whose last sign-in (and creation) lie at.
func dormantUser(t *testing.T, store *models.Store, acc *modelstest.Account, name string, plan *int64, at time.Time) *models.User {
	t.Helper()
	u := addUser(t, store, acc, name, strings.ToLower(strings.ReplaceAll(name, " ", "."))+"-"+fmt.Sprint(acc.Account.ID)+"@example.com",
		models.RoleMember, models.StatusActive, plan)
	setDormancyDates(t, store, u, at)
	return u
}

func setDormancyDates(t *testing.T, store *models.Store, u *models.User, at time.Time) {
	t.Helper()
	modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"created_at": at, "activated_at": at, "last_sign_in_at": at}))
}

func enableDormancy(t *testing.T, store *models.Store, acc *modelstest.Account, warn, deactivate int) {
	t.Helper()
	_, err := store.UpdateDormancyPolicy(context.Background(), acc.Actor, models.DormancyPolicyInput{Enabled: true,
		WarnDays: fmt.Sprint(warn), DeactivateDays: fmt.Sprint(deactivate)})
	if err != nil {
		t.Fatal(err)
	}
}

func dormancyMailTo(t *testing.T, store *models.Store, acc *modelstest.Account, address string) []models.OutboxMessage {
	t.Helper()
	var msgs []models.OutboxMessage
	modelstest.Must(t, store.DB().Where("account_id = ? AND to_address = ?", acc.Account.ID, address).Order("id").Find(&msgs))
	return msgs
}

func reloadUser(t *testing.T, store *models.Store, id int64) models.User {
	t.Helper()
	var u models.User
	modelstest.Must(t, store.DB().Where("id = ?", id).Take(&u))
	return u
}

func runDormancy(t *testing.T, store *models.Store) models.DormancyRun {
	t.Helper()
	run, err := store.CarryOutDormancy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestDormancyPolicyValidation(t *testing.T) {
	tests := []struct {
		name          string
		warn, deact   string
		wantFieldErrs []string
	}{
		{"Valid", "30", "37", nil},
		{"ValidWithSpaces", " 60 ", "90", nil},
		{"DeactivateTooSoon", "30", "36", []string{"deactivate_days"}},
		{"WarnTooSmall", "1", "30", []string{"warn_days"}},
		{"WarnTooLarge", "731", "1000", []string{"warn_days"}},
		{"DeactivateTooLarge", "60", "1096", []string{"deactivate_days"}},
		{"NotNumbers", "sixty", "9e9", []string{"warn_days", "deactivate_days"}},
		{"Empty", "", "", []string{"warn_days", "deactivate_days"}},
		{"Negative", "-5", "-1", []string{"warn_days", "deactivate_days"}},
		{"Hostile", "<script>", "1; DROP TABLE users", []string{"warn_days", "deactivate_days"}},
		{"Overflow", "99999999999999999999", "60", []string{"warn_days"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.ParseDormancyPolicy(models.DormancyPolicyInput{Enabled: true, WarnDays: tt.warn, DeactivateDays: tt.deact})
			var fields models.FieldErrors
			if len(tt.wantFieldErrs) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errors.As(err, &fields) || len(fields) != len(tt.wantFieldErrs) {
				t.Fatalf("got %v, want field errors on %v", err, tt.wantFieldErrs)
			}
			for _, f := range tt.wantFieldErrs {
				if fields[f] == "" {
					t.Errorf("no message for %s: %v", f, fields)
				}
			}
		})
	}
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		acc := modelstest.NewAccount(t, store)
		ctx := context.Background()
		t.Run("OffByDefault", func(t *testing.T) {
			p, err := store.DormancyPolicyOf(ctx, acc.Actor)
			if err != nil || p.Enabled || p.DeactivateDays < p.WarnDays+models.DormancyWarningLead {
				t.Fatalf("got %+v, %v", p, err)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			member := addUser(t, store, acc, "Mia Member", "mia-"+fmt.Sprint(acc.Account.ID)+"@example.com", models.RoleMember, models.StatusActive, nil)
			actor := &models.Actor{User: member, Account: acc.Account}
			if _, err := store.UpdateDormancyPolicy(ctx, actor, models.DormancyPolicyInput{Enabled: true, WarnDays: "30", DeactivateDays: "60"}); !errors.Is(err, models.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("BadValuesChangeNothing", func(t *testing.T) {
			if _, err := store.UpdateDormancyPolicy(ctx, acc.Actor, models.DormancyPolicyInput{Enabled: true, WarnDays: "30", DeactivateDays: "31"}); err == nil {
				t.Fatal("saved a policy that deactivates a day after the warning")
			}
			if p, _ := store.DormancyPolicyOf(ctx, acc.Actor); p.Enabled {
				t.Fatal("the refused policy was turned on")
			}
		})
		t.Run("Saved", func(t *testing.T) {
			enableDormancy(t, store, acc, 30, 45)
			p, err := store.DormancyPolicyOf(ctx, acc.Actor)
			if err != nil || p != (models.DormancyPolicy{Enabled: true, WarnDays: 30, DeactivateDays: 45}) {
				t.Fatalf("got %+v, %v", p, err)
			}
			n := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ?", acc.Account.ID, models.AuditDormancyPolicyChanged))
			if n != 1 {
				t.Fatalf("%d audit events", n)
			}
		})
	})
}

func TestDormancyJob(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		start := time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)

		t.Run("OffByDefaultDoesNothing", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			u := dormantUser(t, store, acc, "Idle Ida", nil, start.AddDate(0, 0, -400))
			advance(0)
			runDormancy(t, store)
			if got := reloadUser(t, store, u.ID); got.DormancyWarnedAt != nil || got.Status != models.StatusActive {
				t.Fatalf("off policy touched the user: %+v", got)
			}
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 0 {
				t.Fatalf("%d mails", n)
			}
		})

		t.Run("WarnOnceThenDeactivateWithDefaultHandover", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			plans := addPlans(t, store, acc, "Pro")
			manager := addUser(t, store, acc, "Max Manager", "max-"+fmt.Sprint(acc.Account.ID)+"@example.com", models.RoleMember, models.StatusActive, nil)
			setDormancyDates(t, store, manager, start)
			u := dormantUser(t, store, acc, "Idle Ida", &plans[0], start.AddDate(0, 0, -31))
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("manager_id", manager.ID))
			record := addRecord(t, store, acc, u, "deal", true)
			fresh := dormantUser(t, store, acc, "Busy Bo", nil, start.AddDate(0, 0, -2))
			if err := store.UpdateDefaultHandover(ctx, acc.Actor, models.DefaultHandoverInput{Mode: models.HandoverToManager}); err != nil {
				t.Fatal(err)
			}
			enableDormancy(t, store, acc, 30, 40)

			runDormancy(t, store)
			mails := dormancyMailTo(t, store, acc, u.EmailAddress())
			if len(mails) != 1 || !strings.Contains(mails[0].Body, "unless you sign in") {
				t.Fatalf("warning mails: %+v", mails)
			}
			release := start.AddDate(0, 0, 9).Format("2 January 2006")
			if !strings.Contains(mails[0].Body, release) {
				t.Fatalf("warning does not say %s: %s", release, mails[0].Body)
			}
			if n := len(dormancyMailTo(t, store, acc, fresh.EmailAddress())); n != 0 {
				t.Fatal("warned someone who signed in two days ago")
			}
			summary := dormancyMailTo(t, store, acc, acc.Owner.EmailAddress())
			if len(summary) != 1 || !strings.Contains(summary[0].Body, "Idle Ida") || !strings.Contains(summary[0].Subject, "1 warned, 0 deactivated") {
				t.Fatalf("summary: %+v", summary)
			}

			// The next day: nothing new, however often the job runs.
			advance(1)
			runDormancy(t, store)
			runDormancy(t, store)
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 1 {
				t.Fatalf("warned %d times", n)
			}
			if n := len(dormancyMailTo(t, store, acc, acc.Owner.EmailAddress())); n != 1 {
				t.Fatalf("%d summaries for a pass that did nothing", n)
			}

			// Day 40 after the last sign-in and 9 days after the warning: deactivated.
			advance(8)
			runDormancy(t, store)
			got := reloadUser(t, store, u.ID)
			if got.Status != models.StatusInactive {
				t.Fatalf("status %s", got.Status)
			}
			var moved models.Record
			modelstest.Must(t, store.DB().Where("id = ?", record.ID).Take(&moved))
			if moved.OwnerID != manager.ID {
				t.Fatalf("record went to %d, want the manager %d", moved.OwnerID, manager.ID)
			}
			var event models.AuditEvent
			modelstest.Must(t, store.DB().Where("target_user_id = ? AND action = ?", u.ID, models.AuditUserDeactivated).Take(&event))
			if event.ActorID != nil || event.SystemActor == nil || *event.SystemActor != models.SystemDormancy ||
				!strings.Contains(event.Details, `"way":"dormancy"`) {
				t.Fatalf("deactivation event actor: %+v", event)
			}
			var ledger models.SeatLedgerEntry
			modelstest.Must(t, store.DB().Where("user_id = ? AND reason = ?", u.ID, models.SeatReasonDeactivated).Take(&ledger))
			summary = dormancyMailTo(t, store, acc, acc.Owner.EmailAddress())
			if len(summary) != 2 || !strings.Contains(summary[1].Body, "Deactivated (1)") || !strings.Contains(summary[1].Body, "Idle Ida") {
				t.Fatalf("second summary: %+v", summary)
			}
			page, err := store.AuditLog(ctx, acc.Actor, models.AuditLogQuery{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range page.Entries {
				if e.Action == models.AuditUserDeactivated && e.Actor != nil && e.Actor.Label() == "Dormancy policy" {
					found = true
				}
			}
			if !found {
				t.Fatal("the audit log does not name the dormancy policy")
			}
			byName, err := store.AuditLog(ctx, acc.Actor, models.AuditLogQuery{Actor: "dormancy pol"})
			if err != nil {
				t.Fatal(err)
			}
			if len(byName.Entries) == 0 {
				t.Fatal("the actor filter does not find the dormancy policy by name")
			}
			for _, e := range byName.Entries {
				if e.Actor == nil || !e.Actor.System {
					t.Fatalf("the actor filter found %+v", e)
				}
			}
			profile, err := store.GetUserProfile(ctx, acc.Actor, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			named := false
			for _, e := range profile.RecentActivity {
				if e.Action == models.AuditUserDeactivated && e.SystemActor != nil && *e.SystemActor == models.SystemDormancy {
					named = true
				}
			}
			if !named {
				t.Fatalf("the profile's audit trail does not name the policy: %+v", profile.RecentActivity)
			}
		})

		t.Run("SignInResets", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			u := dormantUser(t, store, acc, "Back Bea", nil, start.AddDate(0, 0, -31))
			enableDormancy(t, store, acc, 30, 40)
			runDormancy(t, store)
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 1 {
				t.Fatalf("%d warnings", n)
			}
			advance(2)
			modelstest.Must(t, store.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("last_sign_in_at", start.AddDate(0, 0, 2)))
			advance(10) // past the day the seat was to go
			runDormancy(t, store)
			if got := reloadUser(t, store, u.ID); got.Status != models.StatusActive {
				t.Fatal("deactivated someone who signed in after the warning")
			}
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 1 {
				t.Fatalf("%d warnings before a new dormancy period", n)
			}
			// A new period of 30 days: warned again, once.
			advance(21)
			runDormancy(t, store)
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 2 {
				t.Fatalf("%d warnings after a second dormant period", n)
			}
		})

		t.Run("LongDormantGetAWeekAfterTheWarning", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			u := dormantUser(t, store, acc, "Gone Gus", nil, start.AddDate(0, 0, -200))
			enableDormancy(t, store, acc, 30, 40)
			runDormancy(t, store)
			mails := dormancyMailTo(t, store, acc, u.EmailAddress())
			if len(mails) != 1 || !strings.Contains(mails[0].Body, start.AddDate(0, 0, 7).Format("2 January 2006")) {
				t.Fatalf("warning %+v", mails)
			}
			advance(6)
			runDormancy(t, store)
			if got := reloadUser(t, store, u.ID); got.Status != models.StatusActive {
				t.Fatal("deactivated less than a week after the warning")
			}
			advance(1)
			runDormancy(t, store)
			if got := reloadUser(t, store, u.ID); got.Status != models.StatusInactive {
				t.Fatalf("still %s a week after the warning", got.Status)
			}
		})

		t.Run("ReactivationRestartsTheClock", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			plans := addPlans(t, store, acc, "Pro")
			u := dormantUser(t, store, acc, "Back Ben", &plans[0], start.AddDate(0, 0, -100))
			if _, err := store.Deactivate(ctx, acc.Actor, []int64{u.ID}, models.HandoverPlan{}); err != nil {
				t.Fatal(err)
			}
			advance(1)
			if _, err := store.Reactivate(ctx, acc.Actor, []int64{u.ID}); err != nil {
				t.Fatal(err)
			}
			if got := reloadUser(t, store, u.ID); got.ActivatedAt == nil || !got.ActivatedAt.Equal(start.AddDate(0, 0, 1)) {
				t.Fatalf("activated at %v, want the reactivation", got.ActivatedAt)
			}
			enableDormancy(t, store, acc, 30, 40)
			runDormancy(t, store)
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 0 {
				t.Fatal("warned a day after the reactivation")
			}
			advance(30)
			runDormancy(t, store)
			if n := len(dormancyMailTo(t, store, acc, u.EmailAddress())); n != 1 {
				t.Fatalf("%d warnings 30 days after the reactivation", n)
			}
		})

		t.Run("ExemptNeverWarned", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			u := dormantUser(t, store, acc, "Exempt Eve", nil, start.AddDate(0, 0, -300))
			if err := store.SetDormancyExempt(ctx, acc.Actor, u.ID, true); err != nil {
				t.Fatal(err)
			}
			enableDormancy(t, store, acc, 30, 40)
			for i := 0; i < 3; i++ {
				runDormancy(t, store)
				advance(20)
			}
			got := reloadUser(t, store, u.ID)
			if got.Status != models.StatusActive || got.DormancyWarnedAt != nil || len(dormancyMailTo(t, store, acc, u.EmailAddress())) != 0 {
				t.Fatalf("exempt user touched: %+v", got)
			}
			exempt, err := store.DormancyExemptUsers(ctx, acc.Actor)
			if err != nil || len(exempt) != 1 || exempt[0].ID != u.ID {
				t.Fatalf("exempt list %v, %v", exempt, err)
			}
		})

		t.Run("LastOwnerSkipped", func(t *testing.T) {
			advance := dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			setDormancyDates(t, store, acc.Owner, start.AddDate(0, 0, -100))
			enableDormancy(t, store, acc, 30, 40)
			runDormancy(t, store)
			advance(8)
			runDormancy(t, store)
			if got := reloadUser(t, store, acc.Owner.ID); got.Status != models.StatusActive {
				t.Fatal("deactivated the last owner")
			}
			summary := dormancyMailTo(t, store, acc, acc.Owner.EmailAddress())
			// The warning to the owner, the first summary, the second with the skip.
			last := summary[len(summary)-1]
			if !strings.Contains(last.Body, "Skipped (1)") || !strings.Contains(last.Body, "last owner") {
				t.Fatalf("summary does not say the owner was skipped: %s", last.Body)
			}
		})

		t.Run("ForecastAndCost", func(t *testing.T) {
			dormancyClock(t, store, start)
			acc := modelstest.NewAccount(t, store)
			plans := addPlans(t, store, acc, "Pro") // 10.00 EUR a seat
			soon := dormantUser(t, store, acc, "Soon Sam", &plans[0], start.AddDate(0, 0, -25))
			later := dormantUser(t, store, acc, "Later Lou", &plans[0], start.AddDate(0, 0, -5))
			dormantUser(t, store, acc, "Fresh Fay", &plans[0], start)
			enableDormancy(t, store, acc, 30, 40)
			f, err := store.DormancyForecast(ctx, acc.Actor)
			if err != nil {
				t.Fatal(err)
			}
			warned := map[int64]time.Time{}
			for _, w := range f.Warnings {
				warned[w.User.ID] = w.On
			}
			if len(f.Warnings) != 2 || !warned[soon.ID].Equal(start.AddDate(0, 0, 5)) || !warned[later.ID].Equal(start.AddDate(0, 0, 25)) {
				t.Fatalf("warnings %+v", f.Warnings)
			}
			if len(f.Deactivations) != 1 || f.Deactivations[0].User.ID != soon.ID || !f.Deactivations[0].On.Equal(start.AddDate(0, 0, 15)) {
				t.Fatalf("deactivations %+v", f.Deactivations)
			}
			if f.FreedCents["EUR"] != 1000 || f.WarningsTotal != 2 || f.DeactivationsTotal != 1 {
				t.Fatalf("freed %v", f.FreedCents)
			}
		})
	})
}

// TestDormancyRunnersOnPostgres runs the job on three servers at once over one database: each
// warning, each deactivation and each summary happens exactly once.
func TestDormancyRunnersOnPostgres(t *testing.T) {
	url := modelstest.PostgresURL(t)
	ctx := context.Background()
	const runners, accounts, perAccount = 3, 4, 100
	stores := make([]*models.Store, runners)
	for i := range stores {
		s, err := models.Open(ctx, url, models.MaxConns(4))
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	start := time.Now().UTC().AddDate(2, 0, 0).Truncate(time.Second)
	at := start
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	for _, s := range stores {
		s.Now = clock
	}
	advance := func(days int) { mu.Lock(); at = at.AddDate(0, 0, days); mu.Unlock() }
	seed := stores[0]
	type fixture struct {
		acc     *modelstest.Account
		dormant []*models.User
	}
	fixtures := make([]fixture, accounts)
	for i := range fixtures {
		acc := modelstest.NewAccount(t, seed)
		modelstest.Must(t, seed.DB().Model(&models.Plan{}).Where("account_id = ?", acc.Account.ID).Update("seats_purchased", perAccount+10))
		admin := addUser(t, seed, acc, "Ada Admin", fmt.Sprintf("ada-%d@example.com", acc.Account.ID), models.RoleAdmin, models.StatusActive, nil)
		setDormancyDates(t, seed, admin, start)
		setDormancyDates(t, seed, acc.Owner, start)
		f := fixture{acc: acc}
		for j := 0; j < perAccount; j++ {
			f.dormant = append(f.dormant, dormantUser(t, seed, acc, fmt.Sprintf("Idle %d", j), nil, start.AddDate(0, 0, -31)))
		}
		enableDormancy(t, seed, acc, 30, 40)
		fixtures[i] = f
	}
	race := func() time.Duration {
		began := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, runners*3)
		passes := make([]int, runners)
		for i, s := range stores {
			wg.Add(1)
			go func(i int, s *models.Store) {
				defer wg.Done()
				for k := 0; k < 3; k++ {
					run, err := s.CarryOutDormancy(ctx)
					if err != nil {
						errs <- err
					}
					passes[i] += run.Accounts
				}
			}(i, s)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		t.Logf("account passes per runner: %v", passes)
		return time.Since(began)
	}
	check := func(stage string, warnings, summaries int, status models.UserStatus) {
		t.Helper()
		for _, f := range fixtures {
			for _, u := range f.dormant {
				if n := len(dormancyMailTo(t, seed, f.acc, u.EmailAddress())); n != warnings {
					t.Fatalf("%s: %s got %d warnings, want %d", stage, u.Name, n, warnings)
				}
				if got := reloadUser(t, seed, u.ID); got.Status != status {
					t.Fatalf("%s: %s is %s", stage, u.Name, got.Status)
				}
			}
			for _, to := range []string{f.acc.Owner.EmailAddress(), fmt.Sprintf("ada-%d@example.com", f.acc.Account.ID)} {
				if n := len(dormancyMailTo(t, seed, f.acc, to)); n != summaries {
					t.Fatalf("%s: %d summaries to %s, want %d", stage, n, to, summaries)
				}
			}
		}
	}
	took := race()
	check("warnings", 1, 1, models.StatusActive)
	t.Logf("warned %d users in %d accounts with %d runners in %v", accounts*perAccount, accounts, runners, took)
	advance(10)
	took = race()
	check("deactivations", 1, 2, models.StatusInactive)
	for _, f := range fixtures {
		n := modelstest.Count(t, seed.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action = ? AND system_actor = ?",
			f.acc.Account.ID, models.AuditUserDeactivated, models.SystemDormancy))
		if n != perAccount {
			t.Fatalf("%d deactivation events, want %d", n, perAccount)
		}
	}
	t.Logf("deactivated %d users in %d accounts with %d runners in %v", accounts*perAccount, accounts, runners, took)
}
