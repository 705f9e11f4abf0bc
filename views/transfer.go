package views

import (
	"strconv"
	"time"

	"roster/models"
	"roster/routes"
)

// TransferForm is what the admin chose on the transfer page, as submitted.
type TransferForm struct {
	To     string
	Then   string
	Reason string
	// Mode and EraseNow say how "delete" deletes them.
	Mode     string
	EraseNow bool
}

// TransferView is "transfer this account to another user" for one user: what will move, to
// whom, and what happens to them afterwards.
type TransferView struct {
	Chrome
	// Impact is the user and what they are responsible for now.
	Impact     models.UserImpact
	Recipients []models.Recipient
	Form       TransferForm
	Errors     map[string]string
	// GraceDays and DueAt are the account's grace period before a deletion is carried out, and
	// when a deletion asked for now would be.
	GraceDays int
	DueAt     time.Time
	// Refusal explains why this account cannot be transferred; the form is then not offered.
	Refusal string
}

func (v TransferView) user() *models.User { return &v.Impact.User }

func (v TransferView) action() string {
	return routes.Path(routes.RouteTransferSubmit, v.Impact.User.ID)
}

func (v TransferView) records() (open, closed int64) {
	for _, r := range v.Impact.Records {
		open += r.Open
		closed += r.Closed
	}
	return open, closed
}

func (v TransferView) recipientLabel(r models.Recipient) string {
	label := r.Name + " (" + r.Email + ")"
	if r.Role != models.RoleMember {
		label += " · " + r.Role.Label()
	}
	return label
}

func (v TransferView) selected(r models.Recipient) bool {
	return v.Form.To == strconv.FormatInt(r.ID, 10)
}

// transferDeletionOutcomes are the deletion outcomes a transfer offers, explained as the delete
// page explains them.
func transferDeletionOutcomes() []DeletionOutcome {
	var out []DeletionOutcome
	for _, o := range DeletionOutcomes {
		for _, m := range models.TransferDeletionModes {
			if o.Mode == m {
				out = append(out, o)
			}
		}
	}
	return out
}

// deleteLabel is the "delete" choice, with when the deletion would be carried out.
func (v TransferView) deleteLabel() string {
	if v.GraceDays <= 0 {
		return "Delete them: this account has no grace period, so the deletion is carried out at once"
	}
	return "Delete them after the grace period (" + models.Count(v.GraceDays, "day", "days") + ", on " + longDate(v.DueAt) + ")"
}
