package models

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The dormancy policy (Settings > Dormant seats): an account may warn the people who have not
// signed in for WarnDays and deactivate them after DeactivateDays, releasing their seats. "Not
// signed in" counts from the later of their last sign-in and the moment they last became active
// (ActivatedAt, CreatedAt), so someone invited, reactivated or created by an identity provider
// who never signed in is dormant from then.

// SystemDormancy is the system actor of the dormancy policy, as audit events store it.
const SystemDormancy = "dormancy"

// SystemActorLabel is how the audit log names a system actor.
func SystemActorLabel(system string) string {
	if system == SystemDormancy {
		return "Dormancy policy"
	}
	return "System"
}

// Bounds of the policy, in days.
const (
	MinDormancyWarnDays       = 7
	MaxDormancyWarnDays       = 730
	MaxDormancyDeactivateDays = 1095
	// DormancyWarningLead is the least time between the warning and the deactivation, so that
	// everyone warned has a week to sign in: DeactivateDays is at least WarnDays plus this.
	DormancyWarningLead = 7
	// DormancyForecastDays is how far ahead Seats & billing looks.
	DormancyForecastDays = 30
	// DormancyForecastRows bounds each list of the forecast; the counts and the cost cover everyone.
	DormancyForecastRows = 100
	// dormancyRunInterval is how often each account's pass runs at most: a day's worth of
	// dormancy at a time, however often the job wakes up and however many servers run it.
	dormancyRunInterval = 24 * time.Hour
	// dormancyBatch bounds the users one pass handles; a full batch lets the next pass go on
	// without waiting a day.
	dormancyBatch = 1000
)

// Audit actions of the dormancy policy.
const (
	AuditDormancyPolicyChanged = "account.dormancy_policy_changed"
	AuditDormancyExemptChanged = "user.dormancy_exempt_changed"
	AuditDormancyWarned        = "user.dormancy_warned"
)

// DormancyPolicy is an account's policy as stored.
type DormancyPolicy struct {
	Enabled        bool
	WarnDays       int
	DeactivateDays int
}

// DormancyPolicyInput is what the policy form sends, unparsed: the numbers as typed.
type DormancyPolicyInput struct {
	Enabled        bool
	WarnDays       string
	DeactivateDays string
}

// ParseDormancyPolicy checks the form's values and returns the policy, or FieldErrors for
// "warn_days" and "deactivate_days" saying what to fix. The numbers are checked even when the
// policy is off, so that turning it on later never meets a stored policy that breaks the rules.
func ParseDormancyPolicy(in DormancyPolicyInput) (DormancyPolicy, error) {
	p := DormancyPolicy{Enabled: in.Enabled}
	errs := FieldErrors{}
	days := func(field, value string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		switch {
		case strings.TrimSpace(value) == "":
			errs[field] = "Enter a number of days."
		case err != nil:
			errs[field] = "Enter a whole number of days, such as 60."
		case n < lo || n > hi:
			errs[field] = fmt.Sprintf("Enter a number of days from %d to %d.", lo, hi)
		}
		return n
	}
	p.WarnDays = days("warn_days", in.WarnDays, MinDormancyWarnDays, MaxDormancyWarnDays)
	p.DeactivateDays = days("deactivate_days", in.DeactivateDays, MinDormancyWarnDays+DormancyWarningLead, MaxDormancyDeactivateDays)
	if errs["warn_days"] == "" && errs["deactivate_days"] == "" && p.DeactivateDays < p.WarnDays+DormancyWarningLead {
		errs["deactivate_days"] = fmt.Sprintf("Deactivate at least %d days after the warning: %d days or more.",
			DormancyWarningLead, p.WarnDays+DormancyWarningLead)
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

// dormancyPolicyRow reads the policy columns of accounts.
type dormancyPolicyRow struct {
	DormancyEnabled        bool
	DormancyWarnDays       int
	DormancyDeactivateDays int
	DormancyCheckedAt      *time.Time
}

func dormancyPolicy(db *gorm.DB, accountID int64) (DormancyPolicy, error) {
	var row dormancyPolicyRow
	if err := db.Table("accounts").Select("dormancy_enabled, dormancy_warn_days, dormancy_deactivate_days").
		Where("id = ?", accountID).Take(&row).Error; err != nil {
		return DormancyPolicy{}, notFound(err)
	}
	return DormancyPolicy{Enabled: row.DormancyEnabled, WarnDays: row.DormancyWarnDays, DeactivateDays: row.DormancyDeactivateDays}, nil
}

// DormancyPolicyOf reads the actor's account's policy. Returns ErrForbidden.
func (s *Store) DormancyPolicyOf(ctx context.Context, actor *Actor) (DormancyPolicy, error) {
	if !actor.Allows(PermManageDormancy) {
		return DormancyPolicy{}, ErrForbidden
	}
	return dormancyPolicy(s.read(ctx), actor.Account.ID)
}

// UpdateDormancyPolicy saves the policy with an audit event. Returns ErrForbidden, and
// FieldErrors for "warn_days" and "deactivate_days".
func (s *Store) UpdateDormancyPolicy(ctx context.Context, actor *Actor, in DormancyPolicyInput) (DormancyPolicy, error) {
	if !actor.Allows(PermManageDormancy) {
		return DormancyPolicy{}, ErrForbidden
	}
	p, err := ParseDormancyPolicy(in)
	if err != nil {
		return p, err
	}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		current, err := dormancyPolicy(tx, actor.Account.ID)
		if err != nil || current == p {
			return err
		}
		if err := tx.Table("accounts").Where("id = ?", actor.Account.ID).Updates(map[string]any{
			"dormancy_enabled": p.Enabled, "dormancy_warn_days": p.WarnDays, "dormancy_deactivate_days": p.DeactivateDays,
		}).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditDormancyPolicyChanged, nil, s.now(),
			map[string]any{"enabled": p.Enabled, "warn_days": p.WarnDays, "deactivate_days": p.DeactivateDays}))
	})
	return p, err
}

// DormancyExemptUsers lists the account's exempt users who are not deleted, by name. Returns
// ErrForbidden.
func (s *Store) DormancyExemptUsers(ctx context.Context, actor *Actor) ([]User, error) {
	if !actor.Allows(PermManageDormancy) {
		return nil, ErrForbidden
	}
	var users []User
	err := s.read(ctx).Where("account_id = ? AND dormancy_exempt AND status <> ?", actor.Account.ID, StatusDeleted).
		Order("lower(name), id").Find(&users).Error
	return users, err
}

// SetDormancyExempt exempts a user from the dormancy policy or ends the exemption, with an
// audit event; setting what is already set changes nothing. The actor must be allowed to change
// the user, as for any change of a user. Returns ErrForbidden, ErrNotFound, BulkRefusal when the
// actor may not act on the user.
func (s *Store) SetDormancyExempt(ctx context.Context, actor *Actor, id int64, exempt bool) error {
	if !actor.Allows(PermManageUsers) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.selectedUsers(tx, actor, []int64{id}, true)
		if err != nil {
			return err
		}
		if err := refuseEach("Exempt from the dormancy policy", users, func(u *User) string { return actor.ActRefusal(u) }); err != nil {
			return err
		}
		if users[0].DormancyExempt == exempt {
			return nil
		}
		now := s.now()
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(map[string]any{"dormancy_exempt": exempt, "updated_at": now}).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditDormancyExemptChanged, &id, now, map[string]any{"exempt": exempt}))
	})
}

// dormancyActor is the actor of the dormancy policy in account: account-wide, ranked like an
// owner (the last-owner rule and every blocker still hold), allowed only to view and manage
// users. Its User is a stand-in with ID 0; audit events name the policy, seat ledger lines nobody.
func dormancyActor(account *Account) *Actor {
	return &Actor{
		User:    &User{ID: 0, AccountID: account.ID, Name: SystemActorLabel(SystemDormancy), Role: RoleOwner, Status: StatusActive},
		Account: account,
		System:  SystemDormancy,
	}
}

// dormantSince is when the user's dormancy clock started: their last sign-in or the moment they
// last became active, whichever is later.
func dormantSince(u *User) time.Time {
	since := u.CreatedAt
	for _, t := range []*time.Time{u.ActivatedAt, u.LastSignInAt} {
		if t != nil && t.After(since) {
			since = *t
		}
	}
	return since
}

// warnedThisPeriod tells whether the user was warned since their dormancy clock started; a
// sign-in or a reactivation starts a new period that needs a new warning.
func warnedThisPeriod(u *User) bool {
	return u.DormancyWarnedAt != nil && u.DormancyWarnedAt.After(dormantSince(u))
}

// dormantFor keeps the users of a query whose dormancy clock started at or before cutoff.
func dormantFor(db *gorm.DB, cutoff time.Time) *gorm.DB {
	return db.Where("(last_sign_in_at IS NULL OR last_sign_in_at <= ?) AND (activated_at IS NULL OR activated_at <= ?) AND created_at <= ?",
		cutoff, cutoff, cutoff)
}

// dormancyCandidates keeps the active, non-exempt users of accountID the policy may act on.
func dormancyCandidates(db *gorm.DB, accountID int64) *gorm.DB {
	return db.Model(&User{}).Where("account_id = ? AND status = ? AND NOT dormancy_exempt AND deletion_due_at IS NULL", accountID, StatusActive)
}

// DormancyWarning is someone the policy warned, and when their seat goes.
type DormancyWarning struct {
	User      User
	ReleaseOn time.Time
}

// DormancySkip is someone due for deactivation whom the policy left alone, and why.
type DormancySkip struct {
	User   User
	Reason string
}

// DormancyPass is what one pass of the policy did in one account.
type DormancyPass struct {
	AccountID   int64
	Warned      []DormancyWarning
	Deactivated []User
	Skipped     []DormancySkip
	// Summaries counts the summary mails queued for the account's owners and admins.
	Summaries int
}

// DormancyRun is what CarryOutDormancy did across accounts.
type DormancyRun struct {
	Accounts    int
	Warned      int
	Deactivated int
	Skipped     int
	Summaries   int
}

// CarryOutDormancy runs the dormancy policy of every account that has it on, each at most once
// per dormancyRunInterval. Each account's pass is one transaction that takes the account lock
// first (the lock order), re-reads the policy and when it last ran, and claims its users with a
// row lock that others skip: with several servers, each warning and each deactivation happens
// once, and an account gets one summary per pass.
func (s *Store) CarryOutDormancy(ctx context.Context) (DormancyRun, error) {
	var run DormancyRun
	var accounts []int64
	if err := s.read(ctx).Table("accounts").Where("dormancy_enabled").
		Where("dormancy_checked_at IS NULL OR dormancy_checked_at <= ?", s.now().Add(-dormancyRunInterval)).
		Order("id").Pluck("id", &accounts).Error; err != nil {
		return run, err
	}
	for _, id := range accounts {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		pass, err := s.dormancyPass(ctx, id)
		if err != nil {
			return run, err
		}
		if pass == nil {
			continue
		}
		run.Accounts++
		run.Warned += len(pass.Warned)
		run.Deactivated += len(pass.Deactivated)
		run.Skipped += len(pass.Skipped)
		run.Summaries += pass.Summaries
	}
	return run, nil
}

// dormancyPass runs the policy in one account, or returns nil when another server ran it
// meanwhile or the policy was turned off.
func (s *Store) dormancyPass(ctx context.Context, accountID int64) (*DormancyPass, error) {
	var pass *DormancyPass
	err := s.changeAccount(ctx, accountID, func(tx *gorm.DB) error {
		pass = nil // a retried transaction starts again
		now := s.now()
		var account Account
		if err := tx.Where("id = ?", accountID).Take(&account).Error; err != nil {
			return err
		}
		var row dormancyPolicyRow
		if err := tx.Table("accounts").Select("dormancy_enabled, dormancy_warn_days, dormancy_deactivate_days, dormancy_checked_at").
			Where("id = ?", accountID).Take(&row).Error; err != nil {
			return err
		}
		if !row.DormancyEnabled || (row.DormancyCheckedAt != nil && row.DormancyCheckedAt.After(now.Add(-dormancyRunInterval))) {
			return nil
		}
		policy := DormancyPolicy{Enabled: true, WarnDays: row.DormancyWarnDays, DeactivateDays: row.DormancyDeactivateDays}
		p, full, err := s.dormancyWork(tx, &account, policy, now)
		if err != nil {
			return err
		}
		pass = p
		if !full {
			// A full batch leaves work for the next pass, which may then run at once.
			if err := tx.Table("accounts").Where("id = ?", accountID).Update("dormancy_checked_at", now).Error; err != nil {
				return err
			}
		}
		return s.queueDormancySummary(tx, &account, pass, now)
	})
	if errors.Is(err, ErrBusy) {
		// Another server holds the account, running this pass or other work; the next tick
		// finds the pass done or runs it then.
		return nil, nil
	}
	return pass, err
}

// dormancyWork warns and deactivates the account's due users in the caller's transaction and
// says whether it stopped at a full batch.
func (s *Store) dormancyWork(tx *gorm.DB, account *Account, policy DormancyPolicy, now time.Time) (*DormancyPass, bool, error) {
	pass := &DormancyPass{AccountID: account.ID}
	warnCutoff := now.AddDate(0, 0, -policy.WarnDays)
	deactivateCutoff := now.AddDate(0, 0, -policy.DeactivateDays)
	warnedBefore := now.AddDate(0, 0, -DormancyWarningLead)
	// Due: not warned this period yet, or warned long enough ago and dormant long enough to go.
	// The first condition over-approximates "this period" (the clock's start is one of three
	// columns); warnedThisPeriod decides.
	var users []User
	err := dormantFor(dormancyCandidates(tx, account.ID), warnCutoff).
		Where(tx.Where("dormancy_warned_at IS NULL OR dormancy_warned_at <= last_sign_in_at OR dormancy_warned_at <= activated_at OR dormancy_warned_at <= created_at").
			Or(dormantFor(tx.Where("dormancy_warned_at <= ?", warnedBefore), deactivateCutoff))).
		Clauses(clause.Locking{Strength: "NO KEY UPDATE", Options: "SKIP LOCKED"}).
		Order("id").Limit(dormancyBatch).Find(&users).Error
	if err != nil {
		return nil, false, err
	}
	full := len(users) == dormancyBatch
	var warn []User
	var leave []int64
	for _, u := range users {
		switch {
		case !warnedThisPeriod(&u):
			warn = append(warn, u)
		case !dormantSince(&u).After(deactivateCutoff) && !u.DormancyWarnedAt.After(warnedBefore):
			leave = append(leave, u.ID)
		}
	}
	if err := s.warnDormant(tx, account, policy, warn, now, pass); err != nil {
		return nil, false, err
	}
	if err := s.deactivateDormant(tx, account, leave, now, pass); err != nil {
		return nil, false, err
	}
	return pass, full, nil
}

// releaseOn is the day a user warned now loses their seat unless they sign in.
func releaseOn(u *User, policy DormancyPolicy, warnedAt time.Time) time.Time {
	due := dormantSince(u).AddDate(0, 0, policy.DeactivateDays)
	if earliest := warnedAt.AddDate(0, 0, DormancyWarningLead); due.Before(earliest) {
		due = earliest
	}
	return due
}

// warnDormant marks the users warned, mails each and writes one audit event each.
func (s *Store) warnDormant(tx *gorm.DB, account *Account, policy DormancyPolicy, users []User, now time.Time, pass *DormancyPass) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]int64, len(users))
	actor := dormancyActor(account)
	audit := make([]AuditEvent, len(users))
	for i := range users {
		u := &users[i]
		ids[i] = u.ID
		release := releaseOn(u, policy, now)
		pass.Warned = append(pass.Warned, DormancyWarning{User: *u, ReleaseOn: release})
		audit[i] = auditRow(actor, AuditDormancyWarned, &u.ID, now, map[string]any{"release_on": release.Format(time.DateOnly)})
		if u.EmailAddress() == "" {
			continue
		}
		if err := queueMail(tx, dormancyWarningMail(account, u, release, now)); err != nil {
			return err
		}
	}
	if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Update("dormancy_warned_at", now).Error; err != nil {
		return err
	}
	return writeAudit(tx, audit...)
}

func dormancyWarningMail(account *Account, u *User, release, now time.Time) OutboxMessage {
	day := release.UTC().Format("2 January 2006")
	subject := fmt.Sprintf("Your %s seat on Roster will be released on %s unless you sign in", account.Name, day)
	body := fmt.Sprintf("Hello %s,\n\nYou have not signed in to %s on Roster for a while. Your seat will be released on %s "+
		"unless you sign in before then; signing in once keeps it.\n\n"+
		"If you no longer need it, you need not do anything.\n", u.Name, account.Name, day)
	return OutboxMessage{AccountID: account.ID, ToAddress: u.EmailAddress(), Subject: subject, Body: body, CreatedAt: now}
}

// deactivateDormant deactivates the users through the deactivation wizard's own code, as the
// policy, with the account's default hand-over. Users with any blocker (the last owner, owners
// and administrators who would have to be demoted first) are skipped and named in the summary:
// a rule never demotes anyone.
func (s *Store) deactivateDormant(tx *gorm.DB, account *Account, ids []int64, now time.Time, pass *DormancyPass) error {
	if len(ids) == 0 {
		return nil
	}
	actor := dormancyActor(account)
	impact, err := s.deactivationImpact(tx, actor, ids, true)
	if err != nil {
		return err
	}
	var ready []int64
	leaving := map[int64]User{}
	for _, ui := range impact.Users {
		if len(ui.Blockers) > 0 {
			reasons := make([]string, len(ui.Blockers))
			for i, b := range ui.Blockers {
				reasons[i] = b.Message
			}
			pass.Skipped = append(pass.Skipped, DormancySkip{User: ui.User, Reason: strings.Join(reasons, " ")})
			continue
		}
		ready = append(ready, ui.User.ID)
		leaving[ui.User.ID] = ui.User
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i] < ready[j] })
	// The users whose work goes to the same people leave in one step.
	type recipients struct{ records, groups, manager int64 }
	var order []recipients
	groups := map[recipients][]int64{}
	plans := map[recipients]HandoverPlan{}
	for _, id := range ready {
		plan, err := defaultHandoverPlan(tx, account.ID, id, ready)
		if err != nil {
			return err
		}
		key := recipients{plan.RecordsTo, plan.GroupsTo, plan.ManagerTo}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
			plans[key] = plan
		}
		groups[key] = append(groups[key], id)
	}
	for _, key := range order {
		plan := plans[key]
		plan.Reason = "Dormant: no sign-in"
		// The audit details say the policy made them leave, as webhooks report it.
		if _, err := s.deactivateIn(tx, actor, groups[key], plan, actor.System); err != nil {
			return err
		}
		for _, id := range groups[key] {
			pass.Deactivated = append(pass.Deactivated, leaving[id])
		}
	}
	return nil
}

// queueDormancySummary mails each active owner and admin of the account one summary of the
// pass, when it did anything.
func (s *Store) queueDormancySummary(tx *gorm.DB, account *Account, pass *DormancyPass, now time.Time) error {
	if len(pass.Warned)+len(pass.Deactivated)+len(pass.Skipped) == 0 {
		return nil
	}
	var admins []User
	if err := tx.Where("account_id = ? AND status = ? AND role IN ?", account.ID, StatusActive, []Role{RoleOwner, RoleAdmin}).
		Order("id").Find(&admins).Error; err != nil {
		return err
	}
	subject, body := dormancySummary(account, pass, now)
	for _, a := range admins {
		if a.EmailAddress() == "" {
			continue
		}
		if err := queueMail(tx, OutboxMessage{AccountID: account.ID, ToAddress: a.EmailAddress(), Subject: subject,
			Body: body, CreatedAt: now}); err != nil {
			return err
		}
		pass.Summaries++
	}
	return nil
}

// DormancySummarySubject starts the subject of every summary mail.
const DormancySummarySubject = "Dormant seats"

func dormancySummary(account *Account, pass *DormancyPass, now time.Time) (string, string) {
	subject := fmt.Sprintf("%s in %s: %d warned, %d deactivated", DormancySummarySubject, account.Name, len(pass.Warned), len(pass.Deactivated))
	if len(pass.Skipped) > 0 {
		subject += fmt.Sprintf(", %d skipped", len(pass.Skipped))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The dormancy policy of %s ran on %s.\n", account.Name, now.UTC().Format("2 January 2006 at 15:04 UTC"))
	person := func(u *User) string {
		if email := u.EmailAddress(); email != "" {
			return fmt.Sprintf("%s <%s>", u.Name, email)
		}
		return u.Name
	}
	if len(pass.Warned) > 0 {
		fmt.Fprintf(&b, "\nWarned (%d): their seat is released on the day shown unless they sign in.\n", len(pass.Warned))
		for _, w := range pass.Warned {
			fmt.Fprintf(&b, "- %s: %s\n", person(&w.User), w.ReleaseOn.UTC().Format("2 January 2006"))
		}
	}
	if len(pass.Deactivated) > 0 {
		fmt.Fprintf(&b, "\nDeactivated (%d): their seats are free, their work went by the default hand-over.\n", len(pass.Deactivated))
		for i := range pass.Deactivated {
			fmt.Fprintf(&b, "- %s\n", person(&pass.Deactivated[i]))
		}
	}
	if len(pass.Skipped) > 0 {
		fmt.Fprintf(&b, "\nSkipped (%d): due for deactivation, left for an admin to decide.\n", len(pass.Skipped))
		for _, sk := range pass.Skipped {
			fmt.Fprintf(&b, "- %s: %s\n", person(&sk.User), sk.Reason)
		}
	}
	return subject, b.String()
}

// RunDormancy runs the dormancy policy until ctx ends, every interval.
func (s *Store) RunDormancy(ctx context.Context, interval time.Duration, report func(error)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		_, err := s.CarryOutDormancy(ctx)
		if ctx.Err() != nil {
			return
		}
		s.observe().JobRan(JobDormancy, err)
		if err != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// DormancyForecastLine is someone the policy will warn or deactivate, and when.
type DormancyForecastLine struct {
	User User
	On   time.Time
	// Plan is the plan whose seat a deactivation frees; nil when the user holds none.
	Plan *Plan
}

// DormancyForecast is what the policy will do in the next DormancyForecastDays, for Seats &
// billing: who it will warn and deactivate (each by date, then name), and the monthly cost of
// the seats it will free, per currency.
type DormancyForecast struct {
	Policy DormancyPolicy
	Until  time.Time
	// Warnings and Deactivations are the first DormancyForecastRows of each; WarningsTotal and
	// DeactivationsTotal count them all.
	Warnings           []DormancyForecastLine
	Deactivations      []DormancyForecastLine
	WarningsTotal      int
	DeactivationsTotal int
	FreedCents         map[string]int64
}

// DormancyForecast reads what the actor's account's policy will do in the next
// DormancyForecastDays if nobody signs in meanwhile; nothing when the policy is off. People the
// policy would skip (they must be demoted first) are left out of the deactivations. Returns
// ErrForbidden.
func (s *Store) DormancyForecast(ctx context.Context, actor *Actor) (*DormancyForecast, error) {
	if !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	policy, err := dormancyPolicy(db, actor.Account.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	f := &DormancyForecast{Policy: policy, Until: now.AddDate(0, 0, DormancyForecastDays), FreedCents: map[string]int64{}}
	if !policy.Enabled {
		return f, nil
	}
	var users []User
	if err := dormantFor(dormancyCandidates(db, actor.Account.ID), f.Until.AddDate(0, 0, -policy.WarnDays)).
		Select("id, account_id, name, role, plan_id, last_sign_in_at, activated_at, created_at, dormancy_warned_at").
		Order("id").Find(&users).Error; err != nil {
		return nil, err
	}
	plans, err := plansByID(db, actor.Account.ID)
	if err != nil {
		return nil, err
	}
	for i := range users {
		u := users[i]
		warnOn := dormantSince(&u).AddDate(0, 0, policy.WarnDays)
		switch {
		case warnedThisPeriod(&u):
			warnOn = *u.DormancyWarnedAt
		case !warnOn.Before(f.Until):
			continue
		default:
			if warnOn.Before(now) {
				// Overdue: the next pass warns them.
				warnOn = now
			}
			f.Warnings = append(f.Warnings, DormancyForecastLine{User: u, On: warnOn})
		}
		leaveOn := releaseOn(&u, policy, warnOn)
		if !leaveOn.Before(f.Until) || rolesDemotedBeforeDeactivation[u.Role] {
			continue
		}
		line := DormancyForecastLine{User: u, On: leaveOn}
		if u.PlanID != nil {
			if p, ok := plans[*u.PlanID]; ok {
				line.Plan = &p
				f.FreedCents[p.Currency] += p.PriceCents
			}
		}
		f.Deactivations = append(f.Deactivations, line)
	}
	byDate := func(lines []DormancyForecastLine) {
		sort.SliceStable(lines, func(i, j int) bool {
			if !lines[i].On.Equal(lines[j].On) {
				return lines[i].On.Before(lines[j].On)
			}
			return strings.ToLower(lines[i].User.Name) < strings.ToLower(lines[j].User.Name)
		})
	}
	byDate(f.Warnings)
	byDate(f.Deactivations)
	f.WarningsTotal, f.DeactivationsTotal = len(f.Warnings), len(f.Deactivations)
	f.Warnings = f.Warnings[:min(len(f.Warnings), DormancyForecastRows)]
	f.Deactivations = f.Deactivations[:min(len(f.Deactivations), DormancyForecastRows)]
	return f, nil
}
