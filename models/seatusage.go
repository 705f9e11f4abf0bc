package models

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Seats & billing limits.
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
// It reads the ledger's sums per plan and month, which the database keeps as entries are written
// (seat_ledger_months, migration 00006), so it runs two queries whatever the size of the ledger:
// the plans, and the sums before the first month and per month since, a few dozen rows.
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
	// Months are 'YYYY-MM' (UTC), so they compare as strings; "" groups everything before first.
	var sums []struct {
		PlanID    int64
		Month     string
		InUse     int
		Purchased int
	}
	if err := s.read(ctx).Raw("SELECT plan_id, CASE WHEN month < ? THEN '' ELSE month END AS month,"+
		" sum(in_use_change) AS in_use, sum(purchased_change) AS purchased"+
		" FROM seat_ledger_months WHERE account_id = ? AND month <= ? GROUP BY 1, 2",
		first.Format("2006-01"), actor.Account.ID, current.Format("2006-01")).Scan(&sums).Error; err != nil {
		return nil, err
	}
	type key struct {
		plan  int64
		month string
	}
	deltas := make(map[key][2]int, len(sums))
	for _, m := range sums {
		deltas[key{m.PlanID, m.Month}] = [2]int{m.InUse, m.Purchased}
	}
	out := make([]PlanHistory, len(plans))
	for i, p := range plans {
		h := PlanHistory{Plan: p, Months: make([]SeatMonth, 0, months)}
		run := deltas[key{p.ID, ""}]
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
//
// Both kinds are read by keyset from the users_idle_seats index (account, status, last sign-in
// with NULL first, id), each as a range of its own — the never-signed-in after the cursor's ID,
// then the sign-ins before the cutoff after the cursor's position — so a page reads about
// IdleSeatsPageSize index entries however many users the account has and however deep the page.
func (s *Store) IdleSeats(ctx context.Context, actor *Actor, days int, after *IdleCursor) (*IdleSeatPage, error) {
	if !actor.Allows(PermViewSeats) {
		return nil, ErrForbidden
	}
	if days < 1 {
		days = IdleDayChoices[0]
	}
	cutoff := s.now().AddDate(0, 0, -days)
	// PostgreSQL sorts NULL last unless told; SQLite sorts it first, as its index does.
	nullsFirst := ""
	if s.IsPostgres() {
		nullsFirst = " NULLS FIRST"
	}
	limit := IdleSeatsPageSize + 1
	part := func(cond string, vars ...any) (string, []any) {
		return "SELECT * FROM (SELECT id, name, email, last_sign_in_at, plan_id FROM users" +
				" WHERE account_id = ? AND status = ? AND plan_id IS NOT NULL AND " + cond +
				" ORDER BY last_sign_in_at" + nullsFirst + ", id LIMIT ?) AS part",
			append(append([]any{actor.Account.ID, StatusActive}, vars...), limit)
	}
	var parts []string
	var vars []any
	add := func(sql string, v []any) { parts, vars = append(parts, sql), append(vars, v...) }
	switch {
	case after == nil:
		add(part("last_sign_in_at IS NULL"))
		add(part("last_sign_in_at < ?", cutoff))
	case after.LastSignInAt == nil:
		add(part("last_sign_in_at IS NULL AND id > ?", after.ID))
		add(part("last_sign_in_at < ?", cutoff))
	default:
		add(part("last_sign_in_at < ? AND (last_sign_in_at, id) > (?, ?)", cutoff, *after.LastSignInAt, after.ID))
	}
	sql := "SELECT u.id AS user_id, u.name, u.email, u.last_sign_in_at, u.plan_id, plans.name AS plan_name, plans.price_cents, plans.currency" +
		" FROM (" + strings.Join(parts, " UNION ALL ") + ") AS u JOIN plans ON plans.id = u.plan_id" +
		" ORDER BY u.last_sign_in_at" + nullsFirst + ", u.id LIMIT ?"
	var rows []IdleSeat
	if err := s.read(ctx).Raw(sql, append(vars, limit)...).Scan(&rows).Error; err != nil {
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

// SeatsPageData is everything the Seats & billing page shows.
type SeatsPageData struct {
	Overview *SeatOverview
	History  []PlanHistory
	Idle     *IdleSeatPage
	// Dormancy is what the dormancy policy will do in the next DormancyForecastDays.
	Dormancy *DormancyForecast
	// LedgerFrom and LedgerTo are the days the ledger export offers first: the last month.
	LedgerFrom, LedgerTo time.Time
}

// SeatsPage reads the Seats & billing page: usage, the history of the last SeatHistoryMonths,
// and one page of seats idle for days.
func (s *Store) SeatsPage(ctx context.Context, actor *Actor, days int, after *IdleCursor) (*SeatsPageData, error) {
	overview, err := s.SeatOverview(ctx, actor)
	if err != nil {
		return nil, err
	}
	history, err := s.SeatHistory(ctx, actor, SeatHistoryMonths)
	if err != nil {
		return nil, err
	}
	idle, err := s.IdleSeats(ctx, actor, days, after)
	if err != nil {
		return nil, err
	}
	dormancy, err := s.DormancyForecast(ctx, actor)
	if err != nil {
		return nil, err
	}
	from, to := s.LedgerRange(nil, nil)
	return &SeatsPageData{Overview: overview, History: history, Idle: idle, Dormancy: dormancy, LedgerFrom: from, LedgerTo: to}, nil
}

// LedgerRange is the span of days a ledger export covers, both inclusive: the days asked for,
// in order, with the last month up to today standing in for either that is missing.
func (s *Store) LedgerRange(from, to *time.Time) (first, last time.Time) {
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first, last = today.AddDate(0, -1, 0), today
	if from != nil {
		first = *from
	}
	if to != nil {
		last = *to
	}
	if last.Before(first) {
		first, last = last, first
	}
	return first, last
}
