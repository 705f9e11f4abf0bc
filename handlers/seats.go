package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

func (s *Server) seatsPage(c echo.Context) error {
	ctx := c.Request().Context()
	actor := actorOf(c)
	params := c.QueryParams()
	days, after, notices := parseIdleParams(params)
	page, err := s.store.SeatsPage(ctx, actor, days, after)
	if err != nil {
		return err
	}
	overview, history, idle := page.Overview, page.History, page.Idle
	v := views.SeatsView{Chrome: chrome(c, "Seats & billing", views.SectionSeats), Overview: overview, History: history, Idle: idle,
		CanManageSeats: actor.Allows(models.PermManageSeats), CanManageUsers: actor.Allows(models.PermManageUsers), Notices: notices,
		Dormancy: views.DormancyForecastView{Forecast: page.Dormancy, CanManagePolicy: actor.Allows(models.PermManageDormancy)}}
	if idle.Next != nil {
		v.NextIdleHref = routes.Path(routes.RouteSeats) + "?" + url.Values{"idle": {strconv.Itoa(days)}, "after": {encodeIdleCursor(*idle.Next)}}.Encode() + "#idle"
	}
	v.LedgerFrom, v.LedgerTo = page.LedgerFrom.Format(time.DateOnly), page.LedgerTo.Format(time.DateOnly)
	v.Notices = append(v.Notices, s.takeFlashes(c)...)
	return render(c, http.StatusOK, views.SeatsPage(v))
}

// parseIdleParams reads idle=30|60|90 and after=<cursor>; anything else falls back to the first
// page of 30 days, with a notice.
func parseIdleParams(params url.Values) (int, *models.IdleCursor, []string) {
	days := models.IdleDayChoices[0]
	var notices []string
	if v := params.Get("idle"); v != "" {
		ok := false
		for _, d := range models.IdleDayChoices {
			if v == strconv.Itoa(d) {
				days, ok = d, true
			}
		}
		if !ok {
			notices = append(notices, "Idle seats can be listed for 30, 60 or 90 days; showing 30 days.")
		}
	}
	var after *models.IdleCursor
	if v := params.Get("after"); v != "" {
		if cur, ok := decodeIdleCursor(v); ok {
			after = &cur
		} else {
			notices = append(notices, "That page of idle seats no longer exists; showing the first page.")
		}
	}
	return days, after, notices
}

// encodeIdleCursor writes a position as "n.<id>" (never signed in) or "<unix µs>.<id>".
func encodeIdleCursor(c models.IdleCursor) string {
	at := "n"
	if c.LastSignInAt != nil {
		at = strconv.FormatInt(c.LastSignInAt.UnixMicro(), 10)
	}
	return at + "." + strconv.FormatInt(c.ID, 10)
}

func decodeIdleCursor(s string) (models.IdleCursor, bool) {
	at, id, ok := strings.Cut(s, ".")
	if !ok || len(s) > 64 {
		return models.IdleCursor{}, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return models.IdleCursor{}, false
	}
	c := models.IdleCursor{ID: n}
	if at != "n" {
		us, err := strconv.ParseInt(at, 10, 64)
		if err != nil || us < 0 || us > 253402300799000000 { // up to year 9999
			return models.IdleCursor{}, false
		}
		t := time.UnixMicro(us).UTC()
		c.LastSignInAt = &t
	}
	return c, true
}

// exportSeats downloads the seat usage per plan.
func (s *Server) exportSeats(c echo.Context) error {
	return streamCSV(c, csvExport{
		Filename: "seat-usage-" + s.store.Now().Format(time.DateOnly) + ".csv",
		Header:   views.SeatUsageCSVHeader(),
		LogMsg:   "seat usage export stopped",
	}, func(write func([]string) error) error {
		overview, err := s.store.SeatOverview(c.Request().Context(), actorOf(c))
		if err != nil {
			return err
		}
		for _, p := range overview.Plans {
			if err := write(views.SeatUsageCSVRecord(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// exportSeatLedger downloads the seat ledger rows between from and to (dates, both inclusive),
// streamed a batch at a time. Unreadable dates fall back to the last month.
func (s *Server) exportSeatLedger(c echo.Context) error {
	var from, to *time.Time
	if t, ok := parseDay(c.QueryParam("from")); ok {
		from = &t
	}
	if t, ok := parseDay(c.QueryParam("to")); ok {
		to = &t
	}
	first, last := s.store.LedgerRange(from, to)
	return streamCSV(c, csvExport{
		Filename: "seat-ledger-" + first.Format(time.DateOnly) + "-" + last.Format(time.DateOnly) + ".csv",
		Header:   views.SeatLedgerCSVHeader(),
		LogMsg:   "seat ledger export stopped",
	}, func(write func([]string) error) error {
		return s.store.SeatLedger(c.Request().Context(), actorOf(c), first, last.AddDate(0, 0, 1), func(row models.SeatLedgerRow) error {
			return write(views.SeatLedgerCSVRecord(row))
		})
	})
}

// parseDay reads YYYY-MM-DD between 1970 and 9998.
func parseDay(v string) (time.Time, bool) {
	if len(v) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1970 || t.Year() > 9998 {
		return time.Time{}, false
	}
	return t, true
}
