package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Team statistics limits.
const (
	// DefaultStatisticsMonths is the range shown when none is asked for: the last year.
	DefaultStatisticsMonths = 12
	// MaxStatisticsMonths is the longest range one page covers.
	MaxStatisticsMonths = 24
	// StatisticsTopUsers is how many users the table lists one by one; the rest are summed up
	// as "others", so that the page stays small at 100k users.
	StatisticsTopUsers = 100
)

// ActivityKinds are the kinds of activity team statistics counts, in display order.
var ActivityKinds = []string{ActivityRecordCreated, ActivityDealWon, ActivityComment}

// DeletedUserName is how a deleted (anonymised) user is shown wherever their work still appears.
const DeletedUserName = "(deleted user)"

// DisplayName is the name to show for u: deleted users, whose personal data is erased, show as
// "(deleted user)".
func DisplayName(u *User) string { return DisplayNameOf(u.Name, u.Status) }

// DisplayNameOf is DisplayName for a name and status read without the rest of the user.
func DisplayNameOf(name string, status UserStatus) string {
	if status == StatusDeleted || name == "" {
		return DeletedUserName
	}
	return name
}

// StatisticsQuery selects the months (From to To, both the first of a month in UTC, inclusive)
// and optionally one kind of activity. Zero values mean the defaults.
type StatisticsQuery struct {
	From time.Time
	To   time.Time
	// Kind is one of ActivityKinds, or "" for all.
	Kind string
	// Sort orders the listed users: "" (most active first), "name", "total" or one of
	// ActivityKinds; Desc reverses it.
	Sort string
	Desc bool
}

// Months is the number of months the query covers.
func (q StatisticsQuery) Months() int {
	return monthIndex(q.To) - monthIndex(q.From) + 1
}

// MonthStart is the first instant of t's month in UTC.
func MonthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// NormaliseStatisticsQuery turns any query into one the page can show, measured against now:
// missing bounds get the defaults (the last 12 months ending this month), months after this one
// are cut off, reversed bounds are swapped, a range longer than MaxStatisticsMonths keeps its
// last months, and an unknown kind means all kinds. It reports whether anything that was asked
// for was changed.
func NormaliseStatisticsQuery(q StatisticsQuery, now time.Time) (StatisticsQuery, bool) {
	asked := q
	current := MonthStart(now)
	if q.To.IsZero() || q.To.After(current) {
		q.To = current
	}
	q.To = MonthStart(q.To)
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 1-DefaultStatisticsMonths, 0)
	}
	if q.From.After(current) {
		q.From = current
	}
	q.From = MonthStart(q.From)
	if q.From.After(q.To) {
		q.From, q.To = q.To, q.From
	}
	if q.Months() > MaxStatisticsMonths {
		q.From = q.To.AddDate(0, 1-MaxStatisticsMonths, 0)
	}
	known := q.Kind == ""
	for _, k := range ActivityKinds {
		known = known || q.Kind == k
	}
	if !known {
		q.Kind = ""
	}
	if q.Sort != "" && !slices.Contains(StatisticsSorts, q.Sort) && !slices.Contains(ActivityKinds, q.Sort) {
		q.Sort, q.Desc = "", false
	}
	changed := (!asked.From.IsZero() && !asked.From.Equal(q.From)) || (!asked.To.IsZero() && !asked.To.Equal(q.To)) || asked.Kind != q.Kind
	return q, changed
}

// ActivityCounts is how many activities of each kind happened.
type ActivityCounts struct {
	RecordsCreated int64
	DealsWon       int64
	Comments       int64
}

// Total is the sum over all kinds.
func (c ActivityCounts) Total() int64 { return c.RecordsCreated + c.DealsWon + c.Comments }

// Of is the count of one kind.
func (c ActivityCounts) Of(kind string) int64 {
	switch kind {
	case ActivityRecordCreated:
		return c.RecordsCreated
	case ActivityDealWon:
		return c.DealsWon
	case ActivityComment:
		return c.Comments
	}
	return 0
}

func (c *ActivityCounts) add(kind string, n int64) {
	switch kind {
	case ActivityRecordCreated:
		c.RecordsCreated += n
	case ActivityDealWon:
		c.DealsWon += n
	case ActivityComment:
		c.Comments += n
	}
}

func (c ActivityCounts) minus(o ActivityCounts) ActivityCounts {
	return ActivityCounts{c.RecordsCreated - o.RecordsCreated, c.DealsWon - o.DealsWon, c.Comments - o.Comments}
}

// MonthStatistics is one month's activity of the whole team.
type MonthStatistics struct {
	// Month is the first of the month, UTC.
	Month time.Time
	ActivityCounts
}

// UserStatistics is one user's activity over the whole range.
type UserStatistics struct {
	UserID int64
	Name   string
	Email  *string
	// PictureURL is where the user's profile picture is served; empty shows their initials.
	PictureURL string
	Status     UserStatus
	// SameNameEmail is the user's e-mail address when another listed user shows the same name,
	// so that the two can be told apart; "" otherwise.
	SameNameEmail string
	ActivityCounts
}

// DisplayName is the user's name as the page shows it.
func (u UserStatistics) DisplayName() string { return DisplayNameOf(u.Name, u.Status) }

// TeamStatistics is what the team statistics page shows.
type TeamStatistics struct {
	// Query is the normalised query the numbers answer.
	Query StatisticsQuery
	// Months has one entry per month of the range, oldest first, also for months without activity.
	Months []MonthStatistics
	// Users are the most active users (at most StatisticsTopUsers), most active first.
	Users []UserStatistics
	// Others sums up the activity of the OtherUsers users not listed one by one.
	Others     ActivityCounts
	OtherUsers int64
	// ActiveUsers is how many users had any activity in the range.
	ActiveUsers int64
	// Totals sums up everything in the range.
	Totals ActivityCounts
}

// TeamStatistics counts the activity of the actor's account per month and per user over the
// query's range (normalised first, so any query answers). Every user with activity rows counts,
// whatever their status; users deleted with their history have none left. It runs three
// aggregate queries whatever the size of the account, two of them side by side. Returns ErrForbidden when the actor may
// not view statistics.
func (s *Store) TeamStatistics(ctx context.Context, actor *Actor, q StatisticsQuery) (*TeamStatistics, error) {
	if !actor.Allows(PermViewStatistics) {
		return nil, ErrForbidden
	}
	q, _ = NormaliseStatisticsQuery(q, s.now())
	stats := &TeamStatistics{Query: q}

	where := "account_id = ? AND occurred_at >= ? AND occurred_at < ?"
	args := []any{actor.Account.ID, q.From, q.To.AddDate(0, 1, 0)}
	if q.Kind != "" {
		where += " AND kind = ?"
		args = append(args, q.Kind)
	}

	// Per month and kind, for the chart and the totals.
	bucket := "strftime('%Y-%m', occurred_at)"
	if s.IsPostgres() {
		bucket = "date_trunc('month', occurred_at AT TIME ZONE 'UTC')"
	}
	var perMonth []struct {
		Month string
		Kind  string
		N     int64
	}
	monthSQL := "SELECT " + bucket + " AS month, kind, count(*) AS n FROM activities WHERE " + where + " GROUP BY 1, 2"
	if s.IsPostgres() {
		// Format the dozens of groups, not the rows.
		monthSQL = "SELECT to_char(month, 'YYYY-MM') AS month, kind, n FROM (" + monthSQL + ") m"
	}
	// NOTE: the month totals and the ranking of users each read the whole range; they run side by
	// side, on two connections, so the page waits for the slower one rather than for both.
	monthsDone := make(chan error, 1)
	go func() { monthsDone <- s.read(ctx).Raw(monthSQL, args...).Scan(&perMonth).Error }()
	if err := s.rankUsers(ctx, actor, stats, where, args); err != nil {
		<-monthsDone
		return nil, err
	}
	if err := <-monthsDone; err != nil {
		return nil, fmt.Errorf("team statistics per month: %w", err)
	}
	index := map[string]int{}
	for m := q.From; !m.After(q.To); m = m.AddDate(0, 1, 0) {
		index[m.Format("2006-01")] = len(stats.Months)
		stats.Months = append(stats.Months, MonthStatistics{Month: m})
	}
	for _, row := range perMonth {
		if i, ok := index[row.Month]; ok {
			stats.Months[i].add(row.Kind, row.N)
			stats.Totals.add(row.Kind, row.N)
		}
	}

	var listed ActivityCounts
	for _, u := range stats.Users {
		for _, kind := range ActivityKinds {
			listed.add(kind, u.Of(kind))
		}
	}
	stats.OtherUsers = stats.ActiveUsers - int64(len(stats.Users))
	stats.Others = stats.Totals.minus(listed)
	tellApartSameNames(stats.Users)
	sortUserStatistics(stats.Users, q.Sort, q.Desc)
	return stats, nil
}

// tellApartSameNames gives each listed user who shares their shown name with another their
// e-mail address beside it.
func tellApartSameNames(users []UserStatistics) {
	seen := map[string]int{}
	for _, u := range users {
		seen[u.DisplayName()]++
	}
	for i, u := range users {
		if seen[u.DisplayName()] > 1 && u.Email != nil {
			users[i].SameNameEmail = *u.Email
		}
	}
}

// StatisticsSorts are the columns the per-user table sorts by, besides the activity kinds.
var StatisticsSorts = []string{"name", "total"}

// sortUserStatistics orders the listed users by a column; ties keep the ranking's order.
func sortUserStatistics(users []UserStatistics, by string, desc bool) {
	key := func(u UserStatistics) int64 {
		if by == "total" {
			return u.Total()
		}
		return u.Of(by)
	}
	if by == "" {
		return
	}
	slices.SortStableFunc(users, func(a, b UserStatistics) int {
		var c int
		if by == "name" {
			c = strings.Compare(strings.ToLower(a.DisplayName()), strings.ToLower(b.DisplayName()))
		} else {
			c = cmp.Compare(key(a), key(b))
		}
		if desc {
			return -c
		}
		return c
	})
}

// rankUsers fills in the most active users of the range and their counts per kind, and how many
// users were active at all.
func (s *Store) rankUsers(ctx context.Context, actor *Actor, stats *TeamStatistics, where string, args []any) error {
	// The most active users, ranked in the database so that only they travel. The window count
	// runs over the groups before the limit: it is how many users were active at all.
	var top []struct {
		UserID      int64
		Name        string
		Email       *string
		PictureURL  string
		Status      UserStatus
		Total       int64
		ActiveUsers int64
	}
	if err := s.read(ctx).Raw("SELECT t.user_id, users.name, users.email, users.picture_url, users.status, t.total, t.active_users FROM ("+
		"SELECT user_id, count(*) AS total, count(*) OVER () AS active_users FROM activities WHERE "+where+
		" GROUP BY user_id ORDER BY total DESC, user_id LIMIT ?) t JOIN users ON users.id = t.user_id AND users.account_id = ?"+
		" ORDER BY t.total DESC, t.user_id", append(slices.Clip(args), StatisticsTopUsers, actor.Account.ID)...).Scan(&top).Error; err != nil {
		return fmt.Errorf("team statistics per user: %w", err)
	}
	if len(top) == 0 {
		return nil
	}
	ids := make([]int64, len(top))
	for i, row := range top {
		ids[i] = row.UserID
		stats.Users = append(stats.Users, UserStatistics{UserID: row.UserID, Name: row.Name, Email: row.Email, PictureURL: row.PictureURL, Status: row.Status})
	}
	stats.ActiveUsers = top[0].ActiveUsers

	// Their counts per kind, through the (user_id, occurred_at) index.
	var perKind []struct {
		UserID int64
		Kind   string
		N      int64
	}
	if err := s.read(ctx).Model(&Activity{}).Select("user_id, kind, count(*) AS n").Where(where, args...).
		Where(s.idIn("user_id", ids)).Group("user_id, kind").Scan(&perKind).Error; err != nil {
		return fmt.Errorf("team statistics per kind: %w", err)
	}
	position := make(map[int64]int, len(ids))
	for i, id := range ids {
		position[id] = i
	}
	for _, row := range perKind {
		stats.Users[position[row.UserID]].add(row.Kind, row.N)
	}
	return nil
}
