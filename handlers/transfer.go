package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// transferForm shows what transferring a user's account moves and asks to whom, or for a user
// who cannot be transferred, why not.
func (s *Server) transferForm(c echo.Context) error {
	view, err := s.transferView(c)
	if err != nil {
		return err
	}
	view.Form.Then, view.Form.Mode = models.TransferThenDeactivate, string(models.DeleteAnonymise)
	if view.Impact.User.Status != models.StatusActive {
		view.Form.Then = models.TransferThenLeave
	}
	return render(c, http.StatusOK, views.TransferPage(*view))
}

// transferSubmit carries out the transfer and shows the recipient's profile. Bad choices
// re-render the form with the message beside the field.
func (s *Server) transferSubmit(c echo.Context) error {
	view, err := s.transferView(c)
	if err != nil {
		return err
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	view.Form = views.TransferForm{To: params.Get("to"), Then: params.Get("then"), Reason: truncateRunes(params.Get("reason"), 2*models.MaxReasonLength),
		Mode: truncateRunes(params.Get("mode"), 20), EraseNow: params.Get("erase_now") == "1"}
	if view.Refusal != "" {
		return render(c, http.StatusConflict, views.TransferPage(*view))
	}
	transfer := models.AccountTransfer{Then: view.Form.Then, Reason: view.Form.Reason}
	if transfer.Then == models.TransferThenDelete {
		transfer.DeletionMode, transfer.EraseNow = models.DeletionMode(view.Form.Mode), view.Form.EraseNow
	}
	if view.Form.To != "" {
		id, ok := positiveID(view.Form.To)
		if !ok {
			view.Errors["to"] = "Choose someone from the list."
			return render(c, http.StatusUnprocessableEntity, views.TransferPage(*view))
		}
		transfer.To = id
	}
	actor := actorOf(c)
	result, err := s.store.TransferAccount(c.Request().Context(), actor, view.Impact.User.ID, transfer)
	var fields models.FieldErrors
	var refused models.TransferRefusedError
	switch {
	case errors.As(err, &fields):
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.TransferPage(*view))
	case errors.As(err, &refused):
		view.Refusal = refused.Error()
		return render(c, statusOf(err), views.TransferPage(*view))
	case err != nil:
		return err
	}
	s.flash(c, transferSummary(result))
	if result.From.ID == actor.User.ID {
		// They handed over their own rights and may no longer open profiles.
		return redirect(c, views.HomePath)
	}
	return redirect(c, views.UserHref(result.To.ID))
}

// transferView loads the user the page is about and what they own. Malformed, unknown and
// foreign IDs are all ErrNotFound.
func (s *Server) transferView(c echo.Context) (*views.TransferView, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return nil, models.ErrNotFound
	}
	ctx := c.Request().Context()
	actor := actorOf(c)
	impact, err := s.store.DeactivationImpact(ctx, actor, []int64{id})
	if err != nil {
		return nil, err
	}
	view := &views.TransferView{Impact: impact.Users[0], Errors: map[string]string{}}
	view.GraceDays, view.DueAt = s.store.DeletionDueDate(actor)
	view.Chrome = chrome(c, "Transfer account: "+view.Impact.User.Name, views.SectionUsers)
	if err := models.TransferAllowed(actor, &view.Impact.User); err != nil {
		view.Refusal = err.Error()
		return view, nil
	}
	if view.Recipients, err = s.store.ListRecipients(ctx, actor, []int64{id}, maxRecipients); err != nil {
		return nil, err
	}
	return view, nil
}

// transferSummary is the flash after a transfer: what moved, and what became of them.
func transferSummary(r *models.TransferResult) string {
	parts := []string{models.Count(r.RecordsMoved, "record", "records"), models.Count(r.GroupsMoved, "group", "groups"), models.Count(r.ManagedMoved, "person", "people")}
	if r.RoleGiven != "" {
		parts = append(parts, "role "+r.RoleGiven.Label())
	}
	if r.Erased {
		// Their name is gone: so it goes from the message too.
		return fmt.Sprintf("Transferred everything to %s: %s. Their account was then erased for good.", r.To.Name, strings.Join(parts, ", "))
	}
	msg := fmt.Sprintf("Transferred everything from %s to %s: %s.", r.From.Name, r.To.Name, strings.Join(parts, ", "))
	switch {
	case r.Then == models.TransferThenDelete:
		if r.Deactivated {
			msg += fmt.Sprintf(" %s was deactivated", r.From.Name)
		} else {
			msg += fmt.Sprintf(" %s stays inactive", r.From.Name)
		}
		how := "anonymised"
		if r.DeletionMode == models.DeleteWithHistory {
			how = "deleted with their history"
		}
		msg += fmt.Sprintf(" and will be %s on %s. Undo delete brings them back until then.", how, r.DeletionDueAt.UTC().Format("2 Jan 2006"))
	case r.Deactivated:
		msg += fmt.Sprintf(" %s was deactivated.", r.From.Name)
	case r.From.Status == models.StatusInactive:
		msg += fmt.Sprintf(" %s stays inactive.", r.From.Name)
	default:
		msg += fmt.Sprintf(" %s stays active as a member.", r.From.Name)
	}
	return msg
}
