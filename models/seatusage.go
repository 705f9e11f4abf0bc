package models

import (
	"context"
	"sort"
	"time"
)

// Seats & billing (S3, S5, O3) limits.
const (
	// SeatHistoryMonths is how many month ends the seat history chart shows.
	SeatHistoryMonths = 12
	// IdleSeatsPageSize is how many idle seat holders one page lists.
	IdleSeatsPageSize = 50
)

// IdleDayChoices are the idle periods the page offers.
var IdleDayChoices = []int{30, 60, 90}

// PlanCost is one plan's seats with what they cost each month.
type PlanCost struct {
	PlanUsage
	// MonthlyCents is purchased × price: what the account pays each month.
	MonthlyCents int64
	// FreeCents is what the seats nobody holds cost each month.
	FreeCents int64
}

// CurrencyTotal sums the plans billed in one currency.
type CurrencyTotal struct {
	Currency     string
	Purchased    int
	InUse        int
	Reserved     int
	Free         int
	MonthlyCents int64
	FreeCents    int64
}

// SeatOverview is every plan of an account with its cost, and totals per currency.
type SeatOverview struct {
	Plans  []PlanCost
	Totals []CurrencyTotal
}

// SeatOverview returns the seats and their cost per plan of the actor's account.
func (s *Store) SeatOverview(ctx context.Context, actor *Actor) (*SeatOverview, error) {
	if !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	var plans []Plan
	if err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&plans).Error; err != nil {
		return nil, err
	}
	usage, err := seatUsage(s.read(ctx), plans)
	if err != nil {
		return nil, err
	}
	o := &SeatOverview{}
	totals := map[string]*CurrencyTotal{}
	for _, u := range usage {
		pc := PlanCost{PlanUsage: u, MonthlyCents: int64(u.Plan.SeatsPurchased) * u.Plan.PriceCents,
			FreeCents: int64(u.Free()) * u.Plan.PriceCents}
		o.Plans = append(o.Plans, pc)
		t := totals[u.Plan.Currency]
		if t == nil {
			t = &CurrencyTotal{Currency: u.Plan.Currency}
			totals[u.Plan.Currency] = t
		}
		t.Purchased += u.Plan.SeatsPurchased
		t.InUse += u.InUse
		t.Reserved += u.Reserved
		t.Free += u.Free()
		t.MonthlyCents += pc.MonthlyCents
		t.FreeCents += pc.FreeCents
	}
	for _, t := range totals {
		o.Totals = append(o.Totals, *t)
	}
	sort.Slice(o.Totals, func(i, j int) bool { return o.Totals[i].Currency < o.Totals[j].Currency })
	return o, nil
}

// SeatMonth is one plan's seats at the end of one month (for the current month: now).
type SeatMonth struct {
	// Month is the first of the month, UTC.
	Month     time.Time
	InUse     int
	Purchased int
}

// PlanHistory is one plan's seats over the months, oldest first.
type PlanHistory struct {
	Plan   Plan
	Months []SeatMonth
}

// SeatHistory replays the seat ledger of the actor's account: per plan, the seats in use and
// purchased at the end of each of the last months months (the current month counts up to now).
// It runs three queries whatever the size of the ledger: the plans, the sums before the first
// month, and the sums per plan and month after it.
func (s *Store) SeatHistory(ctx context.Context, actor *Actor, months int) ([]PlanHistory, error) {
	if !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	if months < 1 || months > MaxStatisticsMonths {
		months = SeatHistoryMonths
	}
	var plans []Plan
	if err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("name, id").Find(&plans).Error; err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, nil
	}
	current := MonthStart(s.now())
	first := current.AddDate(0, 1-months, 0)
	end := current.AddDate(0, 1, 0)

	var base []struct {
		PlanID    int64
		InUse     int
		Purchased int
	}
	if err := s.read(ctx).Model(&SeatLedgerEntry{}).
		Select("plan_id, coalesce(sum(in_use_change), 0) AS in_use, coalesce(sum(purchased_change), 0) AS purchased").
		Where("account_id = ? AND changed_at < ?", actor.Account.ID, first).Group("plan_id").Scan(&base).Error; err != nil {
		return nil, err
	}
	bucket := "strftime('%Y-%m', changed_at)"
	if s.IsPostgres() {
		bucket = "date_trunc('month', changed_at AT TIME ZONE 'UTC')"
	}
	var perMonth []struct {
		PlanID    int64
		Month     string
		InUse     int
		Purchased int
	}
	monthSQL := "SELECT plan_id, " + bucket + " AS month, sum(in_use_change) AS in_use, sum(purchased_change) AS purchased" +
		" FROM seat_ledger WHERE account_id = ? AND changed_at >= ? AND changed_at < ? GROUP BY 1, 2"
	if s.IsPostgres() {
		// Format the few dozen groups, not the rows.
		monthSQL = "SELECT plan_id, to_char(month, 'YYYY-MM') AS month, in_use, purchased FROM (" + monthSQL + ") m"
	}
	if err := s.read(ctx).Raw(monthSQL, actor.Account.ID, first, end).Scan(&perMonth).Error; err != nil {
		return nil, err
	}
	type key struct {
		plan  int64
		month string
	}
	deltas := map[key][2]int{}
	for _, m := range perMonth {
		d := deltas[key{m.PlanID, m.Month}]
		deltas[key{m.PlanID, m.Month}] = [2]int{d[0] + m.InUse, d[1] + m.Purchased}
	}
	start := map[int64][2]int{}
	for _, b := range base {
		start[b.PlanID] = [2]int{b.InUse, b.Purchased}
	}
	out := make([]PlanHistory, len(plans))
	for i, p := range plans {
		h := PlanHistory{Plan: p}
		run := start[p.ID]
		for m := 0; m < months; m++ {
			month := first.AddDate(0, m, 0)
			d := deltas[key{p.ID, month.Format("2006-01")}]
			run[0] += d[0]
			run[1] += d[1]
			h.Months = append(h.Months, SeatMonth{Month: month, InUse: run[0], Purchased: run[1]})
		}
		out[i] = h
	}
	return out, nil
}

// IdleCursor is a position in the idle seat list: after the user with this last sign-in (nil:
// never signed in) and ID.
type IdleCursor struct {
	LastSignInAt *time.Time
	ID           int64
}

// IdleSeat is an active user holding a seat who has not signed in for a while.
type IdleSeat struct {
	UserID       int64
	Name         string
	Email        *string
	LastSignInAt *time.Time
	PlanID       int64
	PlanName     string
	PriceCents   int64
	Currency     string
}

// EmailAddress is the user's e-mail, or "".
func (i IdleSeat) EmailAddress() string {
	if i.Email == nil {
		return ""
	}
	return *i.Email
}

// IdleSeatPage is one page of the idle seat list.
type IdleSeatPage struct {
	Days  int
	Seats []IdleSeat
	// Next is where the next page starts, nil on the last page.
	Next *IdleCursor
}

// IdleSeats lists the active users of the actor's account holding a seat whose last sign-in is
// more than days ago, or who never signed in: those first, then by last sign-in, oldest first,
// IdleSeatsPageSize at a time after the cursor (nil: from the start).
func (s *Store) IdleSeats(ctx context.Context, actor *Actor, days int, after *IdleCursor) (*IdleSeatPage, error) {
	if !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	if days < 1 {
		days = IdleDayChoices[0]
	}
	cutoff := s.now().AddDate(0, 0, -days)
	q := s.read(ctx).Table("users").
		Select("users.id AS user_id, users.name, users.email, users.last_sign_in_at, users.plan_id, plans.name AS plan_name, plans.price_cents, plans.currency").
		Joins("JOIN plans ON plans.id = users.plan_id").
		Where("users.account_id = ? AND users.status = ? AND users.plan_id IS NOT NULL", actor.Account.ID, StatusActive).
		Where("(users.last_sign_in_at IS NULL OR users.last_sign_in_at < ?)", cutoff)
	if after != nil {
		if after.LastSignInAt == nil {
			q = q.Where("((users.last_sign_in_at IS NULL AND users.id > ?) OR users.last_sign_in_at IS NOT NULL)", after.ID)
		} else {
			q = q.Where("users.last_sign_in_at IS NOT NULL AND (users.last_sign_in_at > ? OR (users.last_sign_in_at = ? AND users.id > ?))",
				*after.LastSignInAt, *after.LastSignInAt, after.ID)
		}
	}
	var rows []IdleSeat
	if err := q.Order("CASE WHEN users.last_sign_in_at IS NULL THEN 0 ELSE 1 END, users.last_sign_in_at, users.id").
		Limit(IdleSeatsPageSize + 1).Scan(&rows).Error; err != nil {
		return nil, err
	}
	page := &IdleSeatPage{Days: days}
	if len(rows) > IdleSeatsPageSize {
		rows = rows[:IdleSeatsPageSize]
		last := rows[len(rows)-1]
		page.Next = &IdleCursor{LastSignInAt: last.LastSignInAt, ID: last.UserID}
	}
	for i := range rows {
		if rows[i].LastSignInAt != nil {
			t := rows[i].LastSignInAt.UTC()
			rows[i].LastSignInAt = &t
		}
	}
	page.Seats = rows
	return page, nil
}

// SeatLedgerRow is one ledger entry as the ledger export writes it.
type SeatLedgerRow struct {
	ID              int64
	ChangedAt       time.Time
	PlanName        string
	UserID          *int64
	UserName        string
	UserStatus      UserStatus
	UserEmail       *string
	InUseChange     int
	ReservedChange  int
	PurchasedChange int
	Reason          string
}

// SeatLedger calls fn with every ledger row of the actor's account changed in [from, to),
// oldest first, read ExportBatchSize at a time by keyset.
func (s *Store) SeatLedger(ctx context.Context, actor *Actor, from, to time.Time, fn func(SeatLedgerRow) error) error {
	if !actor.Allows(PermViewSeats) {
		return ErrForbidden
	}
	var afterAt time.Time
	var afterID int64
	for {
		q := s.read(ctx).Table("seat_ledger").
			Select("seat_ledger.id, seat_ledger.changed_at, plans.name AS plan_name, seat_ledger.user_id, users.name AS user_name, users.status AS user_status, users.email AS user_email, seat_ledger.in_use_change, seat_ledger.reserved_change, seat_ledger.purchased_change, seat_ledger.reason").
			Joins("JOIN plans ON plans.id = seat_ledger.plan_id").
			Joins("LEFT JOIN users ON users.id = seat_ledger.user_id").
			Where("seat_ledger.account_id = ? AND seat_ledger.changed_at >= ? AND seat_ledger.changed_at < ?", actor.Account.ID, from, to)
		if afterID != 0 {
			q = q.Where("(seat_ledger.changed_at > ? OR (seat_ledger.changed_at = ? AND seat_ledger.id > ?))", afterAt, afterAt, afterID)
		}
		var rows []SeatLedgerRow
		if err := q.Order("seat_ledger.changed_at, seat_ledger.id").Limit(ExportBatchSize).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			r.ChangedAt = r.ChangedAt.UTC()
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < ExportBatchSize {
			return nil
		}
		afterAt, afterID = rows[len(rows)-1].ChangedAt, rows[len(rows)-1].ID
	}
}
