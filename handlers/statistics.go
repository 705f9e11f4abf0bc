package handlers

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

func (s *Server) teamStatistics(c echo.Context) error {
	query, notices := parseStatisticsParams(c.QueryParams(), s.store.Now())
	stats, err := s.store.TeamStatistics(c.Request().Context(), actorOf(c), query)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.StatisticsPage(views.StatisticsView{Chrome: chrome(c, "Team statistics", views.SectionStatistics),
		Stats: stats, Notices: notices}))
}

// parseStatisticsParams reads from=YYYY-MM, to=YYYY-MM and kind=. What it cannot use falls back
// to the defaults, and a notice says so, so that an edited or stale link still shows a page.
func parseStatisticsParams(params url.Values, now time.Time) (models.StatisticsQuery, []string) {
	var q models.StatisticsQuery
	unreadable := false
	for _, p := range []struct {
		name string
		dest *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		v := params.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse("2006-01", v)
		if len(v) != len("2006-01") || err != nil || t.Year() < 1970 {
			unreadable = true
			continue
		}
		*p.dest = t
	}
	q.Kind = params.Get("kind")
	q.Sort, q.Desc = params.Get("sort"), params.Get("dir") == "desc"
	normalised, changed := models.NormaliseStatisticsQuery(q, now)
	if unreadable || changed {
		return normalised, []string{"Some of the period or activity asked for could not be shown; showing " +
			normalised.From.Format("Jan 2006") + " – " + normalised.To.Format("Jan 2006") + " instead."}
	}
	return normalised, nil
}
