package views

import (
	"fmt"
	"strconv"
	"strings"

	"roster/models"
	"roster/routes"
)

// SectionSeats marks Settings > Seats & billing in the navigation.
const SectionSeats = "seats"

// SeatsFreeingNote tells admins that deactivating never lowers the bill by itself.
const SeatsFreeingNote = "Deactivating a user frees their seat at once but never changes the number you buy; lower it here."

// SeatsView is the Seats & billing page.
type SeatsView struct {
	Chrome
	Overview *models.SeatOverview
	History  []models.PlanHistory
	Idle     *models.IdleSeatPage
	// NextIdleHref opens the next page of idle seats, "" on the last page.
	NextIdleHref string
	// CanManageSeats shows the quantity forms; CanManageUsers the deactivation of idle users.
	CanManageSeats bool
	CanManageUsers bool
	Notices        []string
	// LedgerFrom and LedgerTo prefill the ledger export, YYYY-MM-DD.
	LedgerFrom string
	LedgerTo   string
	// Dormancy is what the dormancy policy will do in the next 30 days.
	Dormancy DormancyForecastView
}

// Colours of the seat chart, from the Okabe–Ito palette like the statistics chart.
const (
	seatInUseColour     = "#0072b2"
	seatPurchasedColour = "#e69f00"
)

func planQuantityID(id int64, field string) string {
	return "plan-" + strconv.FormatInt(id, 10) + "-" + field
}

func idleHref(days int) string {
	return routes.Path(routes.RouteSeats) + "?idle=" + strconv.Itoa(days) + "#idle"
}

func idleCost(s models.IdleSeat) string { return money(s.PriceCents, s.Currency) }

func lastSignInText(s models.IdleSeat) string {
	if s.LastSignInAt == nil {
		return "Never"
	}
	return longDate(*s.LastSignInAt)
}

func (v SeatsView) idleCostTotal() string {
	per := map[string]int64{}
	for _, s := range v.Idle.Seats {
		per[s.Currency] += s.PriceCents
	}
	return moneyTotal(per)
}

// Seat chart geometry, in viewBox units.
const (
	seatChartWidth  = 720
	seatChartHeight = 220
	seatChartLeft   = 48
	seatChartRight  = 16
	seatChartTop    = 16
	seatChartBottom = 40
)

type seatChart struct {
	ID       string
	Label    string
	ViewBox  string
	Ticks    []chartTick
	Months   []seatChartMonth
	Line     string
	Baseline string
	Left     string
	Right    string
}

type seatChartMonth struct {
	Month, Title, X, Y, Width, Height, LabelX, MonthY, YearY, Month3, Year string
	HasBar                                                                 bool
}

func seatChartFor(h models.PlanHistory) seatChart {
	peak := int64(0)
	for _, m := range h.Months {
		peak = max(peak, int64(m.InUse), int64(m.Purchased))
	}
	step := axisStep(peak)
	top := max(step, (peak+step-1)/step*step)
	plotW := float64(seatChartWidth - seatChartLeft - seatChartRight)
	plotH := float64(seatChartHeight - seatChartTop - seatChartBottom)
	baseY := float64(seatChartTop) + plotH
	y := func(n int) float64 { return baseY - float64(max(n, 0))/float64(top)*plotH }
	c := seatChart{ID: "seat-chart-" + strconv.FormatInt(h.Plan.ID, 10), ViewBox: fmt.Sprintf("0 0 %d %d", seatChartWidth, seatChartHeight),
		Baseline: f(baseY), Left: f(seatChartLeft), Right: f(seatChartWidth - seatChartRight)}
	for n := int64(0); n <= top; n += step {
		c.Ticks = append(c.Ticks, chartTick{Y: f(y(int(n))), LabelY: f(y(int(n)) + 4), Label: thousands(n)})
	}
	band := plotW / float64(max(len(h.Months), 1))
	barW := min(band*0.6, 40)
	var line []string
	var summary []string
	for i, m := range h.Months {
		x0 := float64(seatChartLeft) + band*float64(i)
		x := x0 + (band-barW)/2
		cm := seatChartMonth{Month: m.Month.Format("2006-01"), LabelX: f(x + barW/2), MonthY: f(baseY + 16), YearY: f(baseY + 30),
			Month3: m.Month.Format("Jan"), X: f(x), Width: f(barW), Y: f(y(m.InUse)), Height: f(baseY - y(m.InUse)), HasBar: m.InUse > 0,
			Title: fmt.Sprintf("%s: %s in use of %s purchased", m.Month.Format("January 2006"), thousands(int64(m.InUse)), thousands(int64(m.Purchased)))}
		if i == 0 || m.Month.Month() == 1 {
			cm.Year = m.Month.Format("2006")
		}
		py := f(y(m.Purchased))
		if i == 0 {
			line = append(line, "M"+f(x0)+" "+py)
		} else {
			line = append(line, "V"+py)
		}
		line = append(line, "H"+f(x0+band))
		summary = append(summary, fmt.Sprintf("%s %d of %d", m.Month.Format("Jan 2006"), m.InUse, m.Purchased))
		c.Months = append(c.Months, cm)
	}
	c.Line = strings.Join(line, " ")
	c.Label = "Plan " + h.Plan.Name + ", seats in use of purchased at each month end: " + strings.Join(summary, "; ") + "."
	return c
}

func idleDayChoices() []int { return models.IdleDayChoices }

// SeatUsageCSVHeader is the first row of the seat usage export.
func SeatUsageCSVHeader() []string {
	return []string{"Plan ID", "Plan", "Purchased", "In use", "Reserved", "Free", "Currency", "Price per seat", "Monthly cost", "Cost of free seats"}
}

// SeatUsageCSVRecord is one plan's row of the seat usage export; amounts are decimals.
func SeatUsageCSVRecord(p models.PlanCost) []string {
	record := []string{strconv.FormatInt(p.Plan.ID, 10), p.Plan.Name, strconv.Itoa(p.Plan.SeatsPurchased), strconv.Itoa(p.InUse),
		strconv.Itoa(p.Reserved), strconv.Itoa(p.Free()), p.Plan.Currency, csvAmount(p.Plan.PriceCents), csvAmount(p.MonthlyCents),
		csvAmount(p.FreeCents)}
	for i, cell := range record {
		record[i] = csvCell(cell)
	}
	return record
}

// SeatLedgerCSVHeader is the first row of the seat ledger export.
func SeatLedgerCSVHeader() []string {
	return []string{"Time (UTC)", "Plan", "User ID", "User name", "Change in use", "Change reserved", "Change purchased", "Reason"}
}

// SeatLedgerCSVRecord is one ledger row, every cell safe to open in a spreadsheet. Change
// columns are numbers and keep their sign.
func SeatLedgerCSVRecord(r models.SeatLedgerRow) []string {
	userID, name := "", ""
	if r.UserID != nil {
		userID = strconv.FormatInt(*r.UserID, 10)
		name = models.DisplayNameOf(r.UserName, r.UserStatus)
	}
	return []string{csvTime(&r.ChangedAt), csvCell(r.PlanName), userID, csvCell(name), strconv.Itoa(r.InUseChange),
		strconv.Itoa(r.ReservedChange), strconv.Itoa(r.PurchasedChange), csvCell(r.Reason)}
}

func csvAmount(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
}
