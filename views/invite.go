package views

import (
	"roster/models"
)

// InviteView is the invitation form with what was entered and what was wrong with it.
type InviteView struct {
	Chrome
	Addresses string
	PlanID    string
	Role      string
	GroupIDs  map[string]bool
	Plans     []models.PlanUsage
	Groups    []models.Group
	Roles     []models.Role
	Errors    map[string]string
	// Lines are the people of a refused request, each with its problem.
	Lines []models.InviteLine
	// Preview lists an uploaded file's lines with the status each would get, before anything
	// is sent; PreviewRows carries them in the form for the next step.
	Preview     []models.InviteLine
	PreviewRows string
}

// previewValid counts the preview's lines that can be invited.
func (v InviteView) previewValid() int { return len(v.Preview) - problemCount(v.Preview) }

// problemCount is how many of the lines of a refused request have a problem.
func problemCount(lines []models.InviteLine) int {
	n := 0
	for _, l := range lines {
		if l.Problem != "" {
			n++
		}
	}
	return n
}

func planOption(u models.PlanUsage) string {
	if u.Free() == 0 {
		return u.Plan.Name + " — no free seat (" + thousands(int64(u.Plan.SeatsPurchased)) + " purchased), " +
			money(u.Plan.PriceCents, u.Plan.Currency) + " a month"
	}
	return u.Plan.Name + " — " + thousands(int64(u.Free())) + " of " + thousands(int64(u.Plan.SeatsPurchased)) + " seats free, " +
		money(u.Plan.PriceCents, u.Plan.Currency) + " a month"
}

// everyPlanFull says the form cannot invite anyone until a seat is freed or bought.
func (v InviteView) everyPlanFull() bool {
	_, ok := models.PreselectedPlan(v.Plans)
	return len(v.Plans) > 0 && !ok
}

// AcceptView is the page where an invited person chooses their name and password.
type AcceptView struct {
	Token      string
	CSRFToken  string
	Invitation *models.InvitationView
	Name       string
	Errors     map[string]string
}

// OutboxView is the development outbox: the mail Roster has queued, newest first.
type OutboxView struct {
	Chrome
	Messages []models.OutboxMessage
	// Delivering is true when SMTP is configured: messages leave, and their links are not shown.
	Delivering bool
}

// RefusalView explains why an action changed nothing.
type Refusal struct {
	Heading string
	Lines   []string
	// FixLabel and FixHref link to where the admin can remove the reason ("Buy seats"); empty
	// when this admin cannot.
	FixLabel string `json:",omitempty"`
	FixHref  string `json:",omitempty"`
}

// previewSummary says what the preview found: "Nothing has been sent yet. 4 rows read: 2 are
// ready, 2 have a problem."
func previewSummary(rows, valid, problems int) string {
	text := "Nothing has been sent yet. " + models.Count(rows, "row", "rows") + " read: " + models.Count(valid, "is", "are") + " ready"
	if problems > 0 {
		text += ", " + models.Count(problems, "has a problem", "have a problem")
	}
	return text + "."
}
