package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// Audit actions of leave dates. A carried-out schedule is an AuditUserDeactivated whose details
// say "way": "scheduled".
const (
	AuditDeactivationScheduled   = "user.deactivation_scheduled"
	AuditDeactivationRescheduled = "user.deactivation_rescheduled"
	AuditDeactivationUnscheduled = "user.deactivation_unscheduled"
)

// DeactivationWayScheduled is the "way" in the audit details of a deactivation that ran on its
// leave date.
const DeactivationWayScheduled = "scheduled"

// ScheduledDeactivation is a leave date: at DueAt the deactivation wizard's plan for UserID runs
// by itself, as ScheduledByID. Plan holds the hand-over as JSON; TimeZone is the zone the admin
// chose the date in.
type ScheduledDeactivation struct {
	ID            int64
	AccountID     int64
	UserID        int64
	DueAt         time.Time
	TimeZone      string
	Plan          string
	Reason        string
	ScheduledByID int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Location is the zone the leave date was chosen in, UTC when it is unknown.
func (d *ScheduledDeactivation) Location() *time.Location {
	return (&Account{TimeZone: d.TimeZone}).Location()
}

// LocalDueAt is the leave date in the zone it was chosen in.
func (d *ScheduledDeactivation) LocalDueAt() time.Time { return d.DueAt.In(d.Location()) }

// Handover is the plan that runs at the leave date, reason included.
func (d *ScheduledDeactivation) Handover() HandoverPlan {
	var p storedHandover
	_ = json.Unmarshal([]byte(d.Plan), &p) // written by encodeHandover; an unreadable plan moves nothing
	return HandoverPlan{RecordsTo: p.RecordsTo, RecordsByKind: p.RecordsByKind, IncludeClosed: p.IncludeClosed,
		GroupsTo: p.GroupsTo, ManagerTo: p.ManagerTo, Demote: p.Demote, Reason: d.Reason}
}

// storedHandover is a HandoverPlan as the plan column keeps it, the reason apart.
type storedHandover struct {
	RecordsTo     int64            `json:"records_to,omitempty"`
	RecordsByKind map[string]int64 `json:"records_to_by_kind,omitempty"`
	IncludeClosed bool             `json:"include_closed,omitempty"`
	GroupsTo      int64            `json:"groups_to,omitempty"`
	ManagerTo     int64            `json:"manager_to,omitempty"`
	Demote        bool             `json:"demote,omitempty"`
}

func encodeHandover(p HandoverPlan) string {
	raw, _ := json.Marshal(storedHandover{RecordsTo: p.RecordsTo, RecordsByKind: p.RecordsByKind, IncludeClosed: p.IncludeClosed,
		GroupsTo: p.GroupsTo, ManagerTo: p.ManagerTo, Demote: p.Demote})
	return string(raw)
}

// ScheduledDeactivationView is a leave date with the name of the admin who chose it.
type ScheduledDeactivationView struct {
	ScheduledDeactivation
	ScheduledByName string
}

// Time zones. Any IANA name is accepted; TimeZoneChoices is what the select offers.
var TimeZoneChoices = []string{
	"UTC",
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Bogota", "America/Chicago", "America/Denver", "America/Halifax",
	"America/Los_Angeles", "America/Mexico_City", "America/New_York", "America/Phoenix",
	"America/Santiago", "America/Sao_Paulo", "America/St_Johns", "America/Toronto", "America/Vancouver",
	"Asia/Bangkok", "Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem", "Asia/Karachi",
	"Asia/Kathmandu", "Asia/Kolkata", "Asia/Manila", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore",
	"Asia/Tehran", "Asia/Tokyo",
	"Atlantic/Reykjavik",
	"Australia/Adelaide", "Australia/Brisbane", "Australia/Perth", "Australia/Sydney",
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels", "Europe/Dublin",
	"Europe/Helsinki", "Europe/Istanbul", "Europe/Lisbon", "Europe/London", "Europe/Madrid",
	"Europe/Moscow", "Europe/Oslo", "Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Stockholm",
	"Europe/Vienna", "Europe/Warsaw", "Europe/Zurich",
	"Pacific/Auckland", "Pacific/Honolulu",
}

// CheckTimeZone returns the IANA time zone named name, or FieldErrors on "time_zone".
func CheckTimeZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	// LoadLocation also takes "Local" and file paths; only zone names are names of a zone.
	if name == "" || name == "Local" || len(name) > 64 || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return nil, FieldErrors{"time_zone": "Choose a time zone from the list."}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, FieldErrors{"time_zone": "Choose a time zone from the list."}
	}
	return loc, nil
}

// AuditTimeZoneChanged records a change of the account's time zone.
const AuditTimeZoneChanged = "account.time_zone_changed"

// UpdateAccountTimeZone sets the zone in which the account's people enter and read dates, with an
// audit event. Leave dates already chosen keep their moment. Returns ErrForbidden, and
// FieldErrors on "time_zone" for a name that is no IANA time zone.
func (s *Store) UpdateAccountTimeZone(ctx context.Context, actor *Actor, name string) error {
	if !actor.Allows(PermManageAccount) {
		return ErrForbidden
	}
	loc, err := CheckTimeZone(name)
	if err != nil {
		return err
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		var a Account
		if err := tx.Select("id, time_zone").Take(&a, actor.Account.ID).Error; err != nil {
			return err
		}
		if a.TimeZone == loc.String() {
			return nil
		}
		if err := tx.Model(&Account{}).Where("id = ?", a.ID).Update("time_zone", loc.String()).Error; err != nil {
			return err
		}
		actor.Account.TimeZone = loc.String()
		return writeAudit(tx, auditRow(actor, AuditTimeZoneChanged, nil, s.now(),
			map[string]any{"from": a.TimeZone, "to": loc.String()}))
	})
}

// LeaveTime reads a leave date and time typed in the account's time zone (YYYY-MM-DD and HH:MM,
// as date and time inputs send them) and returns the moment, in UTC. A local time that a change
// to summer time skips is moved forward by the gap. Returns FieldErrors on "leave_date" or
// "leave_time".
func LeaveTime(account *Account, date, clock string) (time.Time, error) {
	errs := FieldErrors{}
	day, err := time.Parse("2006-01-02", strings.TrimSpace(date))
	if err != nil {
		errs["leave_date"] = "Enter the leave date as YYYY-MM-DD."
	}
	hm, err := time.Parse("15:04", strings.TrimSpace(clock))
	if err != nil {
		errs["leave_time"] = "Enter the time as HH:MM, for example 17:00."
	}
	if len(errs) > 0 {
		return time.Time{}, errs
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, account.Location()).UTC(), nil
}

// MaxScheduleAhead bounds how far ahead a leave date may be.
const MaxScheduleAhead = 2 * 366 * 24 * time.Hour

// ScheduleDeactivation gives users a leave date: at the minute at, the wizard's plan runs by itself
// (CarryOutDueDeactivations), as the actor. A user who already has one gets the new date and plan
// instead. Every rule of a deactivation is checked now as it will be then: blockers
// (DeactivationBlockedError), the recipients (FieldErrors), the reason (FieldErrors). Returns
// FieldErrors on "leave_date" unless at is in the future, ErrNotFound for IDs outside the
// actor's reach.
func (s *Store) ScheduleDeactivation(ctx context.Context, actor *Actor, ids []int64, plan HandoverPlan, at time.Time) (int, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	if plan.Reason, err = cleanReason(plan.Reason); err != nil {
		return 0, err
	}
	at = at.UTC().Truncate(time.Minute)
	if !at.After(s.now()) {
		return 0, FieldErrors{"leave_date": "Choose a date and time in the future."}
	}
	if at.After(s.now().Add(MaxScheduleAhead)) {
		return 0, FieldErrors{"leave_date": "Choose a date within the next two years."}
	}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		impact, err := s.deactivationImpact(tx, actor, ids, true)
		if err != nil {
			return err
		}
		if blocked, demotingFixes := impact.Blocked(); blocked && !(demotingFixes && plan.Demote) {
			return DeactivationBlockedError{Impact: impact}
		}
		if err := checkRecipients(tx, actor, ids, plan); err != nil {
			return err
		}
		var existing []ScheduledDeactivation
		if err := tx.Where(s.idIn("user_id", ids)).Find(&existing).Error; err != nil {
			return err
		}
		had := map[int64]ScheduledDeactivation{}
		for _, d := range existing {
			had[d.UserID] = d
		}
		now := s.now()
		zone := actor.Account.Location().String()
		audit := make([]AuditEvent, 0, len(ids))
		for _, id := range ids {
			row := ScheduledDeactivation{AccountID: actor.Account.ID, UserID: id, DueAt: at, TimeZone: zone, Plan: encodeHandover(plan),
				Reason: plan.Reason, ScheduledByID: actor.User.ID, CreatedAt: now, UpdatedAt: now}
			details := map[string]any{"due_at": at, "time_zone": zone}
			addHandoverDetails(details, plan)
			action := AuditDeactivationScheduled
			if old, ok := had[id]; ok {
				action, row.ID, row.CreatedAt = AuditDeactivationRescheduled, old.ID, old.CreatedAt
				details["previous_due_at"] = old.DueAt
				if err := tx.Model(&ScheduledDeactivation{}).Where("id = ?", old.ID).Updates(map[string]any{
					"due_at": row.DueAt, "time_zone": row.TimeZone, "plan": row.Plan, "reason": row.Reason,
					"scheduled_by_id": row.ScheduledByID, "updated_at": now}).Error; err != nil {
					return err
				}
			} else if err := tx.Create(&row).Error; err != nil {
				return err
			}
			target := id
			audit = append(audit, auditRow(actor, action, &target, now, details))
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// addHandoverDetails puts who receives what into audit details, as a deactivation's event does.
func addHandoverDetails(details map[string]any, plan HandoverPlan) {
	if plan.RecordsTo != 0 {
		details["records_to"] = plan.RecordsTo
	}
	if len(plan.RecordsByKind) > 0 {
		details["records_to_by_kind"] = plan.RecordsByKind
	}
	if plan.GroupsTo != 0 {
		details["groups_to"] = plan.GroupsTo
	}
	if plan.ManagerTo != 0 {
		details["manager_to"] = plan.ManagerTo
	}
	if plan.Demote {
		details["demote"] = true
	}
	if plan.Reason != "" {
		details["reason"] = plan.Reason
	}
}

// CancelScheduledDeactivation takes a user's leave date away, with an audit event; they stay
// active. Returns ErrNotFound when the user has none or is outside the actor's reach.
func (s *Store) CancelScheduledDeactivation(ctx context.Context, actor *Actor, userID int64) error {
	if !actor.Allows(PermManageUsers) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.selectedUsers(tx, actor, []int64{userID}, true)
		if err != nil {
			return err
		}
		if !actor.CanActOn(&users[0]) {
			return ErrForbidden
		}
		var d ScheduledDeactivation
		if err := tx.Where("user_id = ? AND account_id = ?", userID, actor.Account.ID).Take(&d).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Delete(&ScheduledDeactivation{}, d.ID).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditDeactivationUnscheduled, &userID, s.now(),
			map[string]any{"due_at": d.DueAt, "why": "cancelled"}))
	})
}

// ScheduledDeactivationOf is a user's leave date, for changing it in the wizard. Returns
// ErrNotFound when they have none or are outside the actor's reach.
func (s *Store) ScheduledDeactivationOf(ctx context.Context, actor *Actor, userID int64) (*ScheduledDeactivationView, error) {
	if !actor.Allows(PermManageUsers) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	if _, err := s.selectedUsers(db, actor, []int64{userID}, false); err != nil {
		return nil, err
	}
	var views []ScheduledDeactivationView
	if err := db.Table("scheduled_deactivations sd").Select("sd.*, sb.name AS scheduled_by_name").
		Joins("LEFT JOIN users sb ON sb.id = sd.scheduled_by_id").
		Where("sd.user_id = ? AND sd.account_id = ?", userID, actor.Account.ID).Scan(&views).Error; err != nil {
		return nil, err
	}
	if len(views) != 1 {
		return nil, ErrNotFound
	}
	return &views[0], nil
}

// scheduledBatch bounds how many leave dates of one account one transaction carries out.
const scheduledBatch = 100

// CarryOutDueDeactivations carries out up to about limit leave dates that have come and says how
// many it handled. Each transaction takes an account lock first (the lock order) and then claims
// up to scheduledBatch of its due leave dates with row locks that others skip: with several
// servers each runs once. Leave dates chosen together (same admin, plan and reason) run as one
// deactivation, through the wizard's own code (deactivateIn) as the admin who scheduled them:
//
//   - a recipient who is no longer an active user staying on leaves that share of the work with
//     the leaver; the user is deactivated all the same, on time, and the admin is told by mail;
//   - a deactivation the rules now refuse outright (the last owner, say, or an admin who may no
//     longer deactivate them) does not happen: the leave date is cancelled with an audit event
//     and the admin is told by mail.
//
// Blockers that demoting clears are cleared: a leave date means they leave.
func (s *Store) CarryOutDueDeactivations(ctx context.Context, limit int) (int, error) {
	done := 0
	for done < limit {
		// One of the accounts with something due, at random, so that several servers mostly
		// work on different accounts instead of queueing for one account's lock.
		var accounts []int64
		if err := s.read(ctx).Model(&ScheduledDeactivation{}).Where("due_at <= ?", s.now()).
			Distinct("account_id").Limit(20).Pluck("account_id", &accounts).Error; err != nil {
			return done, err
		}
		if len(accounts) == 0 {
			break
		}
		accountID := accounts[rand.IntN(len(accounts))]
		claimed := 0
		err := s.changeAccount(ctx, accountID, func(tx *gorm.DB) error {
			var due []ScheduledDeactivation
			err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE", Options: "SKIP LOCKED"}).
				Where("account_id = ? AND due_at <= ?", accountID, s.now()).Order("due_at, id").
				Limit(min(scheduledBatch, max(limit-done, 1))).Find(&due).Error
			claimed = len(due)
			if err != nil || len(due) == 0 {
				return err
			}
			return s.carryOutScheduled(tx, accountID, due)
		})
		if errors.Is(err, ErrBusy) {
			// Another server holds this account for a batch of its own: it carries these out, and
			// whatever is left is picked up by the next pass.
			break
		}
		if err != nil {
			return done, err
		}
		if claimed == 0 {
			// Another server took them meanwhile; the next round picks up what is left.
			break
		}
		done += claimed
	}
	return done, nil
}

// carryOutScheduled runs claimed leave dates of one account in the caller's transaction, those
// chosen together as one deactivation.
func (s *Store) carryOutScheduled(tx *gorm.DB, accountID int64, due []ScheduledDeactivation) error {
	var account Account
	if err := tx.Take(&account, accountID).Error; err != nil {
		return err
	}
	type key struct {
		by                 int64
		plan, reason, zone string
	}
	var order []key
	groups := map[key][]ScheduledDeactivation{}
	for _, d := range due {
		k := key{d.ScheduledByID, d.Plan, d.Reason, d.TimeZone}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d)
	}
	for _, k := range order {
		if err := s.carryOutScheduledTogether(tx, &account, groups[k]); err != nil {
			return err
		}
	}
	return nil
}

// carryOutScheduledTogether runs leave dates of one admin, plan and reason as one deactivation.
func (s *Store) carryOutScheduledTogether(tx *gorm.DB, account *Account, due []ScheduledDeactivation) error {
	ids := make([]int64, len(due))
	byUser := make(map[int64]ScheduledDeactivation, len(due))
	for i, d := range due {
		ids[i], byUser[d.UserID] = d.UserID, d
	}
	var leavers []User
	if err := tx.Where(s.idIn("id", ids)).Where("account_id = ?", account.ID).Order("id").Find(&leavers).Error; err != nil {
		return err
	}
	actor, err := scheduledBy(tx, account, due[0])
	if err != nil {
		return err
	}
	if actor == nil {
		return s.cancelEachScheduled(tx, account, byUser, leavers, "The admin who scheduled it is no longer an active user.")
	}
	impact, err := s.deactivationImpact(tx, actor, ids, true)
	if errors.Is(err, ErrNotFound) && len(due) > 1 {
		// Someone the admin no longer reaches: each on their own, so that only they are refused.
		for _, d := range due {
			if err := s.carryOutScheduledTogether(tx, account, []ScheduledDeactivation{d}); err != nil {
				return err
			}
		}
		return nil
	}
	if errors.Is(err, ErrNotFound) {
		return s.cancelEachScheduled(tx, account, byUser, leavers, "The admin who scheduled it no longer manages them.")
	}
	if err != nil {
		return err
	}
	ready, err := s.cancelBlockedScheduled(tx, account, byUser, impact)
	if err != nil || len(ready) == 0 {
		return err
	}
	return s.deactivateScheduled(tx, actor, due[0].Handover(), byUser, ready)
}

// scheduledBy is the admin who scheduled d, as the actor of the deactivation; nil once they are
// no longer an active user of the account.
func scheduledBy(tx *gorm.DB, account *Account, d ScheduledDeactivation) (*Actor, error) {
	var schedulers []User
	if err := tx.Where("id = ? AND account_id = ?", d.ScheduledByID, account.ID).Find(&schedulers).Error; err != nil {
		return nil, err
	}
	if len(schedulers) != 1 || schedulers[0].Status != StatusActive {
		return nil, nil
	}
	return &Actor{User: &schedulers[0], Account: account}, nil
}

// cancelEachScheduled cancels the leave date of each of leavers for the same reason.
func (s *Store) cancelEachScheduled(tx *gorm.DB, account *Account, byUser map[int64]ScheduledDeactivation, leavers []User, reason string) error {
	for i := range leavers {
		if err := s.cancelScheduled(tx, account, byUser[leavers[i].ID], &leavers[i], []string{reason}); err != nil {
			return err
		}
	}
	return nil
}

// cancelBlockedScheduled cancels the leave dates of the users the impact shows blocked in a way
// demoting does not clear, naming their blockers, and returns the others.
func (s *Store) cancelBlockedScheduled(tx *gorm.DB, account *Account, byUser map[int64]ScheduledDeactivation, impact *DeactivationImpact) ([]User, error) {
	var ready []User
	for _, ui := range impact.Users {
		if !ui.BlockedOutright() {
			ready = append(ready, ui.User)
			continue
		}
		reasons := make([]string, len(ui.Blockers))
		for i, b := range ui.Blockers {
			reasons[i] = b.Message
		}
		u := ui.User
		if err := s.cancelScheduled(tx, account, byUser[u.ID], &u, reasons); err != nil {
			return nil, err
		}
	}
	return ready, nil
}

// deactivateScheduled deactivates the leavers ready to go with the scheduled hand-over, demoting
// them first, less the recipients who are no longer active; their admin hears what stayed with
// them because of it. A refusal cancels each leave date rather than retry it on every pass.
func (s *Store) deactivateScheduled(tx *gorm.DB, actor *Actor, plan HandoverPlan, byUser map[int64]ScheduledDeactivation, ready []User) error {
	ids := make([]int64, len(ready))
	for i, u := range ready {
		ids[i] = u.ID
	}
	plan.Demote = true
	plan, kept, err := s.usableHandover(tx, actor, ids, plan)
	if err != nil {
		return err
	}
	_, err = s.deactivateIn(tx, actor, ids, plan, DeactivationWayScheduled)
	var blocked DeactivationBlockedError
	var fields FieldErrors
	if errors.As(err, &blocked) || errors.As(err, &fields) {
		// Refused before anything was written: what was checked above no longer holds.
		return s.cancelEachScheduled(tx, actor.Account, byUser, ready, refusalText(err))
	}
	if err != nil || len(kept) == 0 {
		return err
	}
	for i := range ready {
		leaver, d := &ready[i], byUser[ready[i].ID]
		loc := d.Location()
		if err := s.mailScheduler(tx, actor.User, leaver, "Left on schedule; some work stayed with them",
			fmt.Sprintf("%s was deactivated as scheduled on %s (%s). Some of their work could not go where you chose, because the recipient is no longer an active user, so it stays with them:\n\n- %s\n\nHand it over from their profile.\n",
				leaver.Name, d.DueAt.In(loc).Format("2 Jan 2006, 15:04"), loc, strings.Join(kept, "\n- "))); err != nil {
			return err
		}
	}
	return nil
}

// refusalText is a deactivation's refusal as one sentence for the audit log and the mail.
func refusalText(err error) string {
	var fields FieldErrors
	if errors.As(err, &fields) {
		return fields.Explain()
	}
	return "The deactivation is not allowed now."
}

// usableHandover drops from plan every recipient who is no longer an active user of the account
// staying on, and says in words what stays with the leavers because of it.
func (s *Store) usableHandover(tx *gorm.DB, actor *Actor, leaving []int64, plan HandoverPlan) (HandoverPlan, []string, error) {
	recipients := plan.recipients()
	if len(recipients) == 0 {
		return plan, nil, nil
	}
	var active []int64
	if err := tx.Model(&User{}).Where("id IN ? AND account_id = ? AND status = ?", recipients, actor.Account.ID, StatusActive).
		Pluck("id", &active).Error; err != nil {
		return plan, nil, err
	}
	ok := func(id int64) bool { return !slices.Contains(leaving, id) && slices.Contains(active, id) }
	var kept []string
	if plan.RecordsTo != 0 && !ok(plan.RecordsTo) {
		plan.RecordsTo = 0
		kept = append(kept, "their records")
	}
	if len(plan.RecordsByKind) > 0 {
		byKind := map[string]int64{}
		for _, kind := range RecordKinds {
			to, chosen := plan.RecordsByKind[kind]
			if !chosen || to == 0 {
				continue
			}
			if ok(to) {
				byKind[kind] = to
			} else {
				kept = append(kept, "their "+kind+" records")
			}
		}
		plan.RecordsByKind = byKind
	}
	if plan.GroupsTo != 0 && !ok(plan.GroupsTo) {
		plan.GroupsTo = 0
		kept = append(kept, "the groups they own")
	}
	if plan.ManagerTo != 0 && !ok(plan.ManagerTo) {
		plan.ManagerTo = 0
		kept = append(kept, "the people they manage")
	}
	return plan, kept, nil
}

// cancelScheduled drops a leave date the rules refuse, with an audit event naming the reasons
// (as the admin who scheduled it) and a mail to that admin.
func (s *Store) cancelScheduled(tx *gorm.DB, account *Account, d ScheduledDeactivation, leaver *User, reasons []string) error {
	if err := tx.Delete(&ScheduledDeactivation{}, d.ID).Error; err != nil {
		return err
	}
	now := s.now()
	event := auditEntry{Account: account.ID, Actor: &d.ScheduledByID, Action: AuditDeactivationUnscheduled, Target: &d.UserID,
		Details: map[string]any{"due_at": d.DueAt, "why": "refused", "reasons": reasons}, At: now}.event()
	if err := writeAudit(tx, event); err != nil {
		return err
	}
	var schedulers []User
	if err := tx.Where("id = ? AND account_id = ?", d.ScheduledByID, account.ID).Find(&schedulers).Error; err != nil || len(schedulers) == 0 {
		return err
	}
	loc := d.Location()
	return s.mailScheduler(tx, &schedulers[0], leaver, "A scheduled deactivation did not happen",
		fmt.Sprintf("%s was to be deactivated on %s (%s), but Roster did not deactivate them:\n\n- %s\n\nThey are still active, and the leave date is cancelled. Fix the reason, then deactivate them from their profile.\n",
			leaver.Name, d.DueAt.In(loc).Format("2 Jan 2006, 15:04"), loc, strings.Join(reasons, "\n- ")))
}

// mailScheduler queues a mail about leaver to the admin who scheduled their leave date.
func (s *Store) mailScheduler(tx *gorm.DB, scheduler, leaver *User, subject, text string) error {
	if scheduler.EmailAddress() == "" {
		return nil
	}
	return queueMail(tx, OutboxMessage{AccountID: leaver.AccountID, ToAddress: scheduler.EmailAddress(), Subject: subject,
		Body: "Hello " + scheduler.Name + ",\n\n" + text, ActionURL: routes.Path(routes.RouteUserProfile, leaver.ID), CreatedAt: s.now()})
}

// RunScheduledDeactivations carries out leave dates as they come, until ctx ends: every interval,
// which should be well under a minute so that a leave date runs in its minute.
func (s *Store) RunScheduledDeactivations(ctx context.Context, interval time.Duration, report func(error)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		_, err := s.CarryOutDueDeactivations(ctx, 100)
		if ctx.Err() != nil {
			return
		}
		s.observe().JobRan(JobScheduledDeactivations, err)
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
