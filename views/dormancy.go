package views

import (
	"time"

	"roster/models"
)

// SectionDormancy marks Settings > Dormant seats in the navigation.
const SectionDormancy = "dormancy"

// DormancyView is Settings > Dormant seats: the account's policy and who is exempt from it.
type DormancyView struct {
	Chrome
	Flashes []string
	Policy  models.DormancyPolicy
	// WarnDays and DeactivateDays keep what was typed, so a refused form shows it again.
	WarnDays, DeactivateDays string
	Exempt                   []models.User
	Errors                   map[string]string
}

// DormancyForecastView is the dormancy part of Seats & billing.
type DormancyForecastView struct {
	Forecast *models.DormancyForecast
	// CanManagePolicy links to the policy page.
	CanManagePolicy bool
}

func (v DormancyForecastView) freed() string { return moneyTotal(v.Forecast.FreedCents) }

func forecastDay(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

func forecastPlan(l models.DormancyForecastLine) string {
	if l.Plan == nil {
		return "No seat"
	}
	return l.Plan.Name + " · " + money(l.Plan.PriceCents, l.Plan.Currency) + " a month"
}
