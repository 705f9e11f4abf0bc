package views

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"roster/models"
	"roster/routes"
)

// SectionStatistics marks Settings > Team statistics in the navigation.
const SectionStatistics = "statistics"

// StatisticsView is the team statistics page.
type StatisticsView struct {
	Chrome
	Stats *models.TeamStatistics
	// Notices say what was adjusted in the query the page was asked for.
	Notices []string
}

// activityKind is how the page names and draws one kind of activity. The colours are from the
// Okabe–Ito palette, which stays distinguishable with every common colour-vision deficiency;
// every bar also has a text label and the legend names each colour.
type activityKind struct {
	Kind   string
	Label  string
	Colour string
}

var activityKindStyles = []activityKind{
	{models.ActivityRecordCreated, "Records created", "#0072b2"},
	{models.ActivityDealWon, "Deals won", "#e69f00"},
	{models.ActivityComment, "Comments", "#009e73"},
}

func activityKindLabel(kind string) string {
	for _, k := range activityKindStyles {
		if k.Kind == kind {
			return k.Label
		}
	}
	return "All activity"
}

// shownKinds are the kinds the page draws: the filtered one, or all.
func (v StatisticsView) shownKinds() []activityKind {
	if v.Stats.Query.Kind == "" {
		return activityKindStyles
	}
	for _, k := range activityKindStyles {
		if k.Kind == v.Stats.Query.Kind {
			return []activityKind{k}
		}
	}
	return activityKindStyles
}

func (v StatisticsView) fromValue() string { return v.Stats.Query.From.Format("2006-01") }
func (v StatisticsView) toValue() string   { return v.Stats.Query.To.Format("2006-01") }

func (v StatisticsView) periodText() string {
	q := v.Stats.Query
	if q.Months() == 1 {
		return q.From.Format("January 2006")
	}
	return q.From.Format("Jan 2006") + " – " + q.To.Format("Jan 2006")
}

func userStatisticsHref(u models.UserStatistics) string {
	if u.Status == models.StatusDeleted {
		return ""
	}
	return UserHref(u.UserID)
}

// Chart geometry, in viewBox units. The SVG scales to its container's width.
const (
	chartWidth  = 960
	chartHeight = 300
	chartLeft   = 56
	chartRight  = 16
	chartTop    = 24
	chartBottom = 44
)

// chart is the stacked bar chart of activity per month, laid out for the template.
type chart struct {
	Label    string
	ViewBox  string
	Ticks    []chartTick
	Bars     []chartBar
	Baseline string
	Left     string
	Right    string
}

type chartTick struct {
	Y, LabelY, Label string
}

type chartBar struct {
	Month     string
	Title     string
	Segments  []chartSegment
	LabelX    string
	MonthY    string
	YearY     string
	Month3    string
	Year      string
	TotalY    string
	Total     string
	ShowTotal bool
}

type chartSegment struct {
	X, Y, Width, Height, Colour, Title string
}

func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// axisStep is a round distance between y-axis lines (1, 2 or 5 times a power of ten) that needs
// at most four of them above zero to reach peak.
func axisStep(peak int64) int64 {
	for step := int64(1); ; step *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*step*4 >= peak {
				return m * step
			}
		}
	}
}

func (v StatisticsView) chart() chart {
	kinds := v.shownKinds()
	months := v.Stats.Months
	var peak int64
	for _, m := range months {
		var sum int64
		for _, k := range kinds {
			sum += m.Of(k.Kind)
		}
		peak = max(peak, sum)
	}
	step := axisStep(peak)
	top := max(step, (peak+step-1)/step*step)
	plotW := float64(chartWidth - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)
	baseY := float64(chartTop) + plotH
	y := func(n int64) float64 { return baseY - float64(n)/float64(top)*plotH }

	c := chart{ViewBox: fmt.Sprintf("0 0 %d %d", chartWidth, chartHeight), Baseline: f(baseY), Left: f(chartLeft), Right: f(chartWidth - chartRight)}
	for n := int64(0); n <= top; n += step {
		c.Ticks = append(c.Ticks, chartTick{Y: f(y(n)), LabelY: f(y(n) + 4), Label: thousands(n)})
	}
	band := plotW / float64(max(len(months), 1))
	barW := min(band*0.62, 56)
	var summary []string
	for i, m := range months {
		x := float64(chartLeft) + band*float64(i) + (band-barW)/2
		bar := chartBar{Month: m.Month.Format("2006-01"), LabelX: f(x + barW/2), MonthY: f(baseY + 18), YearY: f(baseY + 34),
			Month3: m.Month.Format("Jan")}
		if i == 0 || m.Month.Month() == 1 {
			bar.Year = m.Month.Format("2006")
		}
		var parts []string
		var sum int64
		for _, k := range kinds {
			n := m.Of(k.Kind)
			parts = append(parts, thousands(n)+" "+strings.ToLower(k.Label))
			if n == 0 {
				sum += n
				continue
			}
			top, bottom := y(sum+n), y(sum)
			bar.Segments = append(bar.Segments, chartSegment{X: f(x), Y: f(top), Width: f(barW), Height: f(bottom - top), Colour: k.Colour,
				Title: m.Month.Format("January 2006") + ": " + thousands(n) + " " + strings.ToLower(k.Label)})
			sum += n
		}
		bar.Title = m.Month.Format("January 2006") + ": " + strings.Join(parts, ", ")
		bar.Total, bar.ShowTotal, bar.TotalY = thousands(sum), band >= 30, f(y(sum)-6)
		summary = append(summary, m.Month.Format("Jan 2006")+" "+thousands(sum))
		c.Bars = append(c.Bars, bar)
	}
	c.Label = activityKindLabel(v.Stats.Query.Kind) + " per month, " + v.periodText() + ": " + strings.Join(summary, "; ") + "."
	return c
}

// statisticsSort is one sortable column header of the per-user table.
type statisticsSort struct {
	Href string
	// AriaSort is "ascending", "descending" or "" for a column the table is not sorted by.
	AriaSort string
	Arrow    string
}

// sortBy is the header link for column: it sorts by the column, numbers largest first and names
// A to Z, and a second click reverses.
func (v StatisticsView) sortBy(column string) statisticsSort {
	q := v.Stats.Query
	desc := column != "name"
	var s statisticsSort
	if q.Sort == column {
		desc = !q.Desc
		s.AriaSort, s.Arrow = "ascending", " ▲"
		if q.Desc {
			s.AriaSort, s.Arrow = "descending", " ▼"
		}
	}
	params := url.Values{"from": {v.fromValue()}, "to": {v.toValue()}, "sort": {column}, "dir": {"asc"}}
	if desc {
		params.Set("dir", "desc")
	}
	if q.Kind != "" {
		params.Set("kind", q.Kind)
	}
	s.Href = routes.Path(routes.RouteStatistics) + "?" + params.Encode()
	return s
}

// monthLabel names a month in the chart's table alternative.
func monthLabel(m models.MonthStatistics) string { return m.Month.Format("January 2006") }
