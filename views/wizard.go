package views

import (
	"strconv"

	"roster/models"
	"roster/routes"
)

// Wizard steps, as posted in the "step" field.
const (
	StepImpact   = "impact"
	StepHandover = "handover"
	StepConfirm  = "confirm"
	StepExecute  = "execute"
)

// HandoverForm is the wizard's state as the form carries it from step to step.
type HandoverForm struct {
	IDs string
	// RecordsMode is "keep", "one" (one owner for everything) or "kind" (an owner per kind).
	RecordsMode   string
	RecordsTo     string
	RecordsByKind map[string]string
	// Scope is "open" or "all".
	Scope     string
	GroupsTo  string
	ManagerTo string
	Demote    bool
	Reason    string
	// When is "now" or "at": deactivate on confirming, or at LeaveDate LeaveTime (YYYY-MM-DD and
	// HH:MM in the account's time zone).
	When      string
	LeaveDate string
	LeaveTime string
}

// WizardView is the deactivation wizard at one step.
type WizardView struct {
	Chrome
	Step       string
	Form       HandoverForm
	Impact     *models.DeactivationImpact
	Recipients []models.Recipient
	// Ready is the selection without the users blocked outright, as the "ids" parameter.
	Ready  string
	Errors map[string]string
	// TimeZone is the account's, in which a leave date is entered.
	TimeZone string
}

// scheduling tells whether the admin chose a leave date rather than now.
func (v WizardView) scheduling() bool { return v.Form.When == "at" }

// confirmLabel is the confirm button's text.
func (v WizardView) confirmLabel() string {
	if v.scheduling() {
		return "Schedule for " + models.Count(v.userCount(), "user", "users")
	}
	return "Deactivate " + models.Count(v.userCount(), "user", "users")
}

func (v WizardView) userCount() int { return len(v.Impact.Users) }

func (v WizardView) blocked() (bool, bool) { return v.Impact.Blocked() }

func (v WizardView) recipientName(id string) string {
	for _, r := range v.Recipients {
		if strconv.FormatInt(r.ID, 10) == id {
			return r.Name
		}
	}
	return "the chosen user"
}

// unblockedHref starts the wizard again for the selection without the users blocked outright,
// for "continue without them"; "" when nobody is left.
func (v WizardView) unblockedHref() string {
	if v.Ready == "" {
		return ""
	}
	return SelectionHref(routes.RouteDeactivate, v.Ready)
}

func (v WizardView) openRecords() (open, closed int64) {
	for _, r := range v.Impact.Records {
		open += r.Open
		closed += r.Closed
	}
	return open, closed
}

func (v WizardView) seatCost() string { return moneyTotal(v.Impact.SeatCostCents) }

func (v WizardView) seatsFreed() int {
	n := 0
	for _, c := range v.Impact.SeatsFreed {
		n += c
	}
	return n
}

func (v WizardView) recordsMoving() int64 {
	var n int64
	for _, r := range v.Impact.Records {
		if v.Form.RecordsMode == "keep" {
			continue
		}
		if v.Form.RecordsMode == "kind" && v.Form.RecordsByKind[r.Kind] == "" {
			continue
		}
		n += r.Open
		if v.Form.Scope == "all" {
			n += r.Closed
		}
	}
	return n
}

func stepNumber(step string) int {
	switch step {
	case StepHandover:
		return 2
	case StepConfirm:
		return 3
	}
	return 1
}

// recordCountText is "3 open, 1 closed", leaving out a zero half.
func recordCountText(r models.RecordCount) string {
	switch {
	case r.Closed == 0:
		return thousands(r.Open) + " open"
	case r.Open == 0:
		return thousands(r.Closed) + " closed"
	}
	return thousands(r.Open) + " open, " + thousands(r.Closed) + " closed"
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func recordsMove(n int64) string { return models.Count(n, "record moves", "records move") }

// impactRowsShown bounds the wizard's table: every user with a blocker, then the first others.
// The totals above it always cover everyone.
const impactRowsShown = 100

// shownUsers are the rows of the impact table and how many ready users it leaves out.
func (v WizardView) shownUsers() ([]models.UserImpact, int) {
	var shown []models.UserImpact
	ready := 0
	for _, u := range v.Impact.Users {
		if len(u.Blockers) > 0 {
			shown = append(shown, u)
		}
	}
	for _, u := range v.Impact.Users {
		if len(u.Blockers) == 0 {
			if len(shown) < impactRowsShown {
				shown = append(shown, u)
			} else {
				ready++
			}
		}
	}
	return shown, ready
}

// signInEndsLine is the confirm step's first line, as one sentence.
func (v WizardView) signInEndsLine() string {
	line := models.Count(v.userCount(), "user", "users") + " " + models.Plural(v.userCount(), "becomes", "become") + " inactive and can no longer sign in"
	if v.Impact.OpenSessions > 0 {
		return line + "; " + thousands(v.Impact.OpenSessions) + " open " + models.Plural(v.Impact.OpenSessions, "session ends", "sessions end") + " at once."
	}
	return line + "."
}

// leaveDateMin is the earliest date the date input offers: today in the account's time zone.
func (v WizardView) leaveDateMin() string {
	loc := (&models.Account{TimeZone: v.TimeZone}).Location()
	return Now().In(loc).Format("2006-01-02")
}
