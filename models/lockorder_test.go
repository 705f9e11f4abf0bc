package models_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/models"
	"roster/models/modelstest"
)

// Every exported Store method that acts for someone and changes state goes through change,
// which refuses "View as" and takes the account lock first. A new method that opens its own
// transaction would skip both; this test names it.
func TestActorOperationsChangeStateOnlyThroughChange(t *testing.T) {
	// StopImpersonation must work under "View as"; it takes the account lock itself.
	allowed := map[string]bool{"StopImpersonation": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || !takesActor(fn) || allowed[fn.Name.Name] {
				continue
			}
			calls := storeCalls(fn)
			if calls["transaction"] || calls["changeAccount"] {
				t.Errorf("%s: (*Store).%s opens a transaction of its own; use s.change so that \"View as\" is refused and the lock order holds", name, fn.Name.Name)
			}
			if calls["change"] {
				checked++
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d operations go through change; the scan is not finding them", checked)
	}
}

func takesActor(fn *ast.FuncDecl) bool {
	for _, field := range fn.Type.Params.List {
		if star, ok := field.Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "Actor" {
				return true
			}
		}
	}
	return false
}

// storeCalls lists the methods fn calls on its receiver s.
func storeCalls(fn *ast.FuncDecl) map[string]bool {
	calls := map[string]bool{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "s" {
					calls[sel.Sel.Name] = true
				}
			}
		}
		return true
	})
	return calls
}

// Under "View as" the domain refuses every change itself, whatever route or job asks.
func TestViewAsIsRefusedByEveryChange(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		acc := modelstest.NewAccount(t, store)
		plans := addPlans(t, store, acc, "Pro")
		active := addUser(t, store, acc, "Ada Active", fmt.Sprintf("ada-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusActive, &plans[0])
		inactive := addUser(t, store, acc, "Ivo Inactive", fmt.Sprintf("ivo-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInactive, &plans[0])
		invited := addUser(t, store, acc, "Ines Invited", fmt.Sprintf("ines-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInvited, &plans[0])
		group := addGroup(t, store, acc, "Ops")
		joinGroup(t, store, acc, group, active)

		viewer := *acc.Actor
		viewer.Impersonation = &models.Impersonation{Mode: models.ImpersonateView, RealUser: acc.Owner, UserID: acc.Owner.ID}
		v := &viewer
		one := func(u *models.User) []int64 { return []int64{u.ID} }
		changes := map[string]func() error{
			"Invite": func() error {
				_, err := store.Invite(ctx, v, models.InviteRequest{Lines: []models.InviteLine{{Email: "new@example.com", Input: "new@example.com"}},
					PlanID: plans[0], Role: models.RoleMember})
				return err
			},
			"Remind":     func() error { _, err := store.Remind(ctx, v, one(invited), "http://x"); return err },
			"Revoke":     func() error { _, err := store.Revoke(ctx, v, one(invited)); return err },
			"Deactivate": func() error { _, err := store.Deactivate(ctx, v, one(active), models.HandoverPlan{}); return err },
			"Reactivate": func() error { _, err := store.Reactivate(ctx, v, one(inactive)); return err },
			"ChangePlan": func() error { _, err := store.ChangePlan(ctx, v, one(active), plans[0]); return err },
			"ChangeRoles": func() error {
				_, err := store.ChangeRoles(ctx, v, one(active), models.RoleManager)
				return err
			},
			"ScheduleDeletion": func() error {
				_, err := store.ScheduleDeletion(ctx, v, one(inactive), models.DeleteAnonymise, false)
				return err
			},
			"UndoDeletion": func() error { _, err := store.UndoDeletion(ctx, v, one(inactive)); return err },
			"TransferAccount": func() error {
				_, err := store.TransferAccount(ctx, v, active.ID, models.AccountTransfer{To: acc.Owner.ID, Then: models.TransferThenLeave})
				return err
			},
			"CreateGroup":  func() error { _, err := store.CreateGroup(ctx, v, models.NewGroup{Name: "New group"}); return err },
			"RenameGroup":  func() error { _, err := store.RenameGroup(ctx, v, group, "Renamed"); return err },
			"DeleteGroup":  func() error { _, err := store.DeleteGroup(ctx, v, group); return err },
			"RemoveMember": func() error { _, err := store.RemoveGroupMembers(ctx, v, group, one(active)); return err },
			"AddMember": func() error {
				_, err := store.AddGroupMembers(ctx, v, group, []models.InviteLine{{Email: *active.Email, Input: *active.Email}})
				return err
			},
			"TransferGroupOwnership": func() error { _, err := store.TransferGroupOwnership(ctx, v, group, active.ID); return err },
			"RequestPasswordResets": func() error {
				_, err := store.RequestPasswordResets(ctx, v, one(active), "http://x")
				return err
			},
			"EditInactiveUserPrivacy": func() error {
				return store.EditInactiveUserPrivacy(ctx, v, inactive.ID, models.PrivacyEdit{Name: "I. I.", RemovePhone: true})
			},
			"ChangeSeatQuantity": func() error { return store.ChangeSeatQuantity(ctx, v, plans[0], 20, "growth") },
			"UpdateAccountSettings": func() error {
				return store.UpdateAccountSettings(ctx, v, models.AccountSettings{ImpersonationEnabled: true, ImpersonationMinutes: 30, DeletionGraceDays: 14})
			},
			"UpdateOwnDetails": func() error { return store.UpdateOwnDetails(ctx, v, models.OwnDetails{Name: "Olivia O."}) },
			"ChangeOwnPassword": func() error {
				return store.ChangeOwnPassword(ctx, v, modelstest.Password, "another long password")
			},
			"SignOutElsewhere": func() error { _, err := store.SignOutElsewhere(ctx, v); return err },
			"ScheduleDeactivation": func() error {
				_, err := store.ScheduleDeactivation(ctx, v, one(active), models.HandoverPlan{}, time.Now().Add(time.Hour))
				return err
			},
			"CancelScheduledDeactivation": func() error { return store.CancelScheduledDeactivation(ctx, v, active.ID) },
			"UpdateAccountTimeZone":       func() error { return store.UpdateAccountTimeZone(ctx, v, "Europe/Berlin") },
		}
		events := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ?", acc.Account.ID))
		// Their own password and sessions are refused under any impersonation, for a reason of
		// their own.
		refusedAnyway := map[string]bool{"ChangeOwnPassword": true, "SignOutElsewhere": true}
		for name, call := range changes {
			var viewOnly models.ViewOnlyError
			err := call()
			if refusedAnyway[name] && errors.Is(err, models.ErrForbidden) {
				continue
			}
			if !errors.As(err, &viewOnly) {
				t.Errorf("%s under View as: got %v, want the view-only refusal", name, err)
			}
		}
		if after := modelstest.Count(t, store.DB().Model(&models.AuditEvent{}).Where("account_id = ?", acc.Account.ID)); after != events {
			t.Errorf("audit events went from %d to %d: something changed under View as", events, after)
		}
		// The same calls as the owner do go through, so the refusals above are View as's doing.
		if _, err := store.Reactivate(ctx, acc.Actor, one(inactive)); err != nil {
			t.Fatalf("reactivate as the owner: %v", err)
		}
	})
}

// refusal tells whether err is a domain refusal a person would see as a message (4xx), as
// opposed to a failure (deadlock, busy, any database error).
func refusal(err error) bool {
	for _, domain := range []error{models.ErrInvalid, models.ErrConflict, models.ErrForbidden, models.ErrNotFound, models.ErrThrottled} {
		if errors.Is(err, domain) {
			return true
		}
	}
	return false
}

// Many admins, the deletion job and people signing in all act on one small account at once:
// every operation either succeeds or is refused with a reason; none fails. Without the lock
// order this deadlocked (invite/reactivate lock the plan, then write users; revoke/deactivate
// write users, then the ledger's foreign key waits for the plan).
func TestConcurrentChangesNeverFail(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	plans := addPlans(t, store, acc, "Pro", "Lite")
	mustExec(t, store, "UPDATE plans SET seats_purchased = 12 WHERE account_id = ?", acc.Account.ID)
	var people []*models.User
	for i := 0; i < 16; i++ {
		status := []models.UserStatus{models.StatusActive, models.StatusInactive, models.StatusInvited}[i%3]
		people = append(people, addUser(t, store, acc, fmt.Sprintf("Person %d", i), fmt.Sprintf("p%d-%d@example.com", i, acc.Account.ID),
			models.RoleMember, status, &plans[i%2]))
	}
	secondOwner := addUser(t, store, acc, "Oscar Owner", fmt.Sprintf("oscar-%d@example.com", acc.Account.ID), models.RoleOwner, models.StatusActive, &plans[0])
	group := addGroup(t, store, acc, "Crew")
	for i := range 8 {
		addRecord(t, store, acc, people[i], "deal", true)
	}
	if err := store.DB().Exec("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = ?) WHERE account_id = ?",
		acc.Owner.ID, acc.Account.ID).Error; err != nil {
		t.Fatal(err)
	}
	admins := []*models.Actor{acc.Actor, {User: secondOwner, Account: acc.Account}}
	later := at(store, time.Now().Add(2*time.Hour))
	dormant := at(store, time.Now().AddDate(1, 0, 0))
	if _, err := store.UpdateDormancyPolicy(ctx, acc.Actor, models.DormancyPolicyInput{Enabled: true, WarnDays: "7", DeactivateDays: "14"}); err != nil {
		t.Fatal(err)
	}

	ids := func() []int64 {
		out := make([]int64, len(people))
		for i, p := range people {
			out[i] = p.ID
		}
		return out
	}()
	pick := func(r *rand.Rand, n int) []int64 {
		out := make([]int64, 0, n)
		for range n {
			out = append(out, ids[r.IntN(len(ids))])
		}
		return out
	}
	var invites atomic.Int64
	// Revoke and remind act on invitations the race itself makes.
	anInvitation := func(r *rand.Rand) []int64 {
		var invited []int64
		if err := store.DB().Model(&models.User{}).Where("account_id = ? AND status = ?", acc.Account.ID, models.StatusInvited).
			Order("id DESC").Limit(6).Pluck("id", &invited).Error; err != nil || len(invited) == 0 {
			return pick(r, 1)
		}
		return []int64{invited[r.IntN(len(invited))]}
	}
	operations := []struct {
		name string
		do   func(r *rand.Rand, actor *models.Actor) error
	}{
		{"invite", func(r *rand.Rand, a *models.Actor) error {
			email := fmt.Sprintf("new-%d-%d@example.com", invites.Add(1), acc.Account.ID)
			_, err := store.Invite(ctx, a, models.InviteRequest{Lines: []models.InviteLine{{Email: email, Input: email}},
				PlanID: plans[r.IntN(2)], Role: models.RoleMember, BaseURL: "http://roster.test"})
			return err
		}},
		{"revoke", func(r *rand.Rand, a *models.Actor) error { _, err := store.Revoke(ctx, a, anInvitation(r)); return err }},
		{"remind", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.Remind(ctx, a, anInvitation(r), "http://roster.test")
			return err
		}},
		{"deactivate", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.Deactivate(ctx, a, pick(r, 1+r.IntN(2)), models.HandoverPlan{RecordsTo: a.User.ID, Demote: true})
			return err
		}},
		{"reactivate", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.Reactivate(ctx, a, pick(r, 1+r.IntN(2)))
			return err
		}},
		{"change plan", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.ChangePlan(ctx, a, pick(r, 1+r.IntN(3)), plans[r.IntN(2)])
			return err
		}},
		{"change role", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.ChangeRoles(ctx, a, pick(r, 1), []models.Role{models.RoleMember, models.RoleManager, models.RoleSupport}[r.IntN(3)])
			return err
		}},
		{"seats", func(r *rand.Rand, a *models.Actor) error {
			return store.ChangeSeatQuantity(ctx, a, plans[r.IntN(2)], 10+r.IntN(6), "load")
		}},
		{"delete", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.ScheduleDeletion(ctx, a, pick(r, 1), models.DeleteAnonymise, r.IntN(4) == 0)
			return err
		}},
		{"undo delete", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.UndoDeletion(ctx, a, pick(r, 1))
			return err
		}},
		{"group members", func(r *rand.Rand, a *models.Actor) error {
			p := people[r.IntN(len(people))]
			if r.IntN(2) == 0 {
				_, err := store.RemoveGroupMembers(ctx, a, group, []int64{p.ID})
				return err
			}
			_, err := store.AddGroupMembers(ctx, a, group, []models.InviteLine{{Email: *p.Email, Input: *p.Email}})
			return err
		}},
		{"transfer", func(r *rand.Rand, a *models.Actor) error {
			p := pick(r, 2)
			_, err := store.TransferAccount(ctx, a, p[0], models.AccountTransfer{To: p[1], Then: models.TransferThenLeave})
			return err
		}},
		// The two owners try to take each other out: one must always remain.
		{"owners", func(r *rand.Rand, a *models.Actor) error {
			other := secondOwner.ID
			if a.User.ID == secondOwner.ID {
				other = acc.Owner.ID
			}
			if r.IntN(2) == 0 {
				_, err := store.ChangeRoles(ctx, a, []int64{other}, models.RoleAdmin)
				return err
			}
			_, err := store.ChangeRoles(ctx, a, []int64{other}, models.RoleOwner)
			return err
		}},
		{"sign in", func(r *rand.Rand, a *models.Actor) error {
			p := people[r.IntN(len(people))]
			_, _, err := store.SignIn(ctx, *p.Email, modelstest.Password, "10.0.0.1", "load")
			if errors.Is(err, models.ErrBadCredentials) {
				return nil
			}
			return err
		}},
		{"due deletions", func(r *rand.Rand, a *models.Actor) error { _, err := store.CarryOutDueDeletions(ctx, 5); return err }},
		{"leave date", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.ScheduleDeactivation(ctx, a, pick(r, 1+r.IntN(2)), models.HandoverPlan{RecordsTo: a.User.ID, Demote: true},
				time.Now().Add(time.Hour))
			return err
		}},
		{"cancel leave date", func(r *rand.Rand, a *models.Actor) error {
			return store.CancelScheduledDeactivation(ctx, a, pick(r, 1)[0])
		}},
		// A server whose clock is past every leave date the race makes.
		{"due leave dates", func(r *rand.Rand, a *models.Actor) error {
			_, err := later.CarryOutDueDeactivations(ctx, 5)
			return err
		}},
		// Records handed over from the records page, people's left work from orphaned work, and
		// the latest hand-over undone, all while the people move between statuses.
		{"records hand-over", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.HandOverRecords(ctx, a, models.RecordHandover{All: true,
				Query: models.RecordListQuery{OwnerID: pick(r, 1)[0]}, To: pick(r, 1)[0]})
			return err
		}},
		{"orphaned work", func(r *rand.Rand, a *models.Actor) error {
			_, err := store.HandOverOrphanedWork(ctx, a, pick(r, 1)[0], models.OrphanHandover{To: pick(r, 1)[0], IncludeClosed: r.IntN(2) == 0})
			return err
		}},
		{"undo hand-over", func(r *rand.Rand, a *models.Actor) error {
			var events []int64
			if err := store.DB().Model(&models.AuditEvent{}).Where("account_id = ? AND action IN ?", acc.Account.ID,
				[]string{models.AuditRecordsHandedOver, models.AuditUserDeactivated}).Order("id DESC").Limit(4).Pluck("id", &events).Error; err != nil || len(events) == 0 {
				return err
			}
			_, err := store.UndoHandover(ctx, a, events[r.IntN(len(events))])
			return err
		}},
		{"dormancy exemption", func(r *rand.Rand, a *models.Actor) error {
			return store.SetDormancyExempt(ctx, a, pick(r, 1)[0], r.IntN(2) == 0)
		}},
		// A server far in the future runs the dormancy policy over everyone at once.
		{"dormancy job", func(r *rand.Rand, a *models.Actor) error {
			_, err := dormant.CarryOutDormancy(ctx)
			return err
		}},
	}

	retries := countRetries(t, store)

	const workers, perWorker = 16, 60
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := map[string][]string{}
	succeeded := map[string]int{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			actor := admins[w%2]
			for range perWorker {
				op := operations[r.IntN(len(operations))]
				err := op.do(r, actor)
				mu.Lock()
				switch {
				case err == nil:
					succeeded[op.name]++
				case !refusal(err):
					failures[op.name] = append(failures[op.name], err.Error())
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for name, errs := range failures {
		t.Errorf("%s failed %d times, first: %s", name, len(errs), errs[0])
	}
	for _, name := range []string{"invite", "revoke", "deactivate", "reactivate", "change plan", "sign in"} {
		if succeeded[name] == 0 {
			t.Errorf("no %s succeeded in %d operations: the race did not exercise it", name, workers*perWorker)
		}
	}
	var owners int64
	modelstest.Must(t, store.DB().Model(&models.User{}).Where("account_id = ? AND role = ? AND status = ?", acc.Account.ID, models.RoleOwner, models.StatusActive)).Count(&owners)
	if owners == 0 {
		t.Error("the account was left without an active owner")
	}
	// Nothing oversold, and the counters the database keeps still agree with the rows.
	usage, err := store.SeatUsage(ctx, acc.Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range usage {
		var holders int64
		modelstest.Must(t, store.DB().Model(&models.User{}).Where("plan_id = ? AND status IN ?", u.Plan.ID, models.SeatHoldingStatuses)).Count(&holders)
		if int(holders) != u.InUse+u.Reserved {
			t.Errorf("plan %s: %d seat holders, counters say %d", u.Plan.Name, holders, u.InUse+u.Reserved)
		}
		if u.InUse+u.Reserved > u.Plan.SeatsPurchased {
			t.Errorf("plan %s oversold: %d held of %d", u.Plan.Name, u.InUse+u.Reserved, u.Plan.SeatsPurchased)
		}
	}
	t.Logf("succeeded: %v; transactions retried: %d", succeeded, retries.n.Load())
}

func mustExec(t *testing.T, store *models.Store, sql string, args ...any) {
	t.Helper()
	if err := store.DB().Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

// A transaction PostgreSQL aborts to break a deadlock runs again and succeeds; the caller never
// sees the deadlock.
func TestDeadlockedTransactionIsRetried(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	a, b := modelstest.NewAccount(t, store), modelstest.NewAccount(t, store)
	retries := countRetries(t, store)
	// Two raw transactions lock the two owners crosswise; PostgreSQL aborts one of them. The
	// store's own retry wraps each, so both renames end up done.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	barrier := make(chan struct{})
	var arrived atomic.Int32
	for i, order := range [][2]*modelstest.Account{{a, b}, {b, a}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			attempt := 0
			errs[i] = models.RunInTransactionForTest(ctx, store, func(exec func(string, ...any) error) error {
				attempt++
				if err := exec("UPDATE users SET phone = ? WHERE id = ?", fmt.Sprint(i), order[0].Owner.ID); err != nil {
					return err
				}
				if attempt == 1 {
					if arrived.Add(1) == 2 {
						close(barrier)
					}
					<-barrier
				}
				return exec("UPDATE users SET phone = ? WHERE id = ?", fmt.Sprint(i), order[1].Owner.ID)
			})
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the crosswise transactions never finished")
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if retries.n.Load() == 0 {
		t.Error("no transaction was retried, so no deadlock happened: the test proves nothing")
	}
}

// A change that cannot get its locks in time answers "busy" (503 upstream), not a failure, and
// changes nothing.
func TestChangeBehindALongLockIsBusy(t *testing.T) {
	store := modelstest.Postgres(t)
	ctx := context.Background()
	acc := modelstest.NewAccount(t, store)
	plans := addPlans(t, store, acc, "Pro")
	inactive := addUser(t, store, acc, "Ivo Inactive", fmt.Sprintf("ivo-%d@example.com", acc.Account.ID), models.RoleMember, models.StatusInactive, &plans[0])
	t.Cleanup(models.SetLockTimeout(200 * time.Millisecond))
	holder := store.DB().Begin()
	t.Cleanup(func() { holder.Rollback() })
	if err := holder.Exec("SELECT id FROM accounts WHERE id = ? FOR UPDATE", acc.Account.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err := store.Reactivate(ctx, acc.Actor, []int64{inactive.ID})
	if !errors.Is(err, models.ErrBusy) {
		t.Fatalf("got %v, want ErrBusy", err)
	}
	holder.Rollback()
	var after models.User
	modelstest.Must(t, store.DB().Take(&after, inactive.ID))
	if after.Status != models.StatusInactive {
		t.Fatalf("status %s: a busy change must change nothing", after.Status)
	}
	if _, err := store.Reactivate(ctx, acc.Actor, []int64{inactive.ID}); err != nil {
		t.Fatalf("the same change once the lock is gone: %v", err)
	}
}

// retryCounter counts the transactions a store retries.
type retryCounter struct{ n atomic.Int32 }

func (r *retryCounter) TransactionRetried()  { r.n.Add(1) }
func (r *retryCounter) JobRan(string, error) {}
func (r *retryCounter) MailSendFailed()      {}

func countRetries(t *testing.T, store *models.Store) *retryCounter {
	counter := &retryCounter{}
	previous := store.Metrics
	store.Metrics = counter
	t.Cleanup(func() { store.Metrics = previous })
	return counter
}
