package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// bulkAction applies the Actions menu to the selected users, or to every user matching the
// list's filters. Deactivation opens the wizard; the other actions run at once, all or nothing,
// and come back to the list with a summary.
func (s *Server) bulkAction(c echo.Context) error {
	params, err := formParams(c)
	if err != nil {
		return err
	}
	back := listBackURL(params)
	ctx := c.Request().Context()
	actor := actorOf(c)
	var ids []int64
	if params.Get("select_all") == "1" {
		_, query, _ := parseUserListParams(params)
		ids, err = s.store.ListUserIDs(ctx, actor, query, models.MaxUsersPerAction)
	} else if len(params["ids"]) > 0 {
		var ok bool
		if ids, ok = parseIDs(params["ids"]); !ok {
			return models.ErrNotFound
		}
	}
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		s.flash(c, fields["ids"])
		return redirect(c, back)
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		s.flash(c, "Select at least one user, then choose an action.")
		return redirect(c, back)
	}
	var done string
	switch params.Get("action") {
	case "deactivate":
		form := views.HandoverForm{IDs: joinIDs(ids), RecordsMode: "one", Scope: "open"}
		return s.renderWizard(c, views.StepImpact, form, ids, nil)
	case "delete":
		return s.renderDeleteForm(c, ids)
	case "change_plan":
		return s.renderChangePlan(c, http.StatusOK, ids, back, "", nil)
	case "change_role":
		return s.renderChangeRole(c, http.StatusOK, ids, back, "", nil)
	case "undo_delete":
		var n int
		if n, err = s.store.UndoDeletion(ctx, actor, ids); err == nil {
			done = fmt.Sprintf("Undid the deletion of %s; they stay inactive.", models.Count(n, "user", "users"))
		}
	case "reactivate":
		var n int
		if n, err = s.store.Reactivate(ctx, actor, ids); err == nil {
			done = fmt.Sprintf("Reactivated %s, with a seat of their plan.", models.Count(n, "user", "users"))
		}
	case "remind":
		var r *models.RemindResult
		if r, err = s.store.Remind(ctx, actor, ids, s.baseURL(c)); err == nil {
			s.mailQueued()
			done = remindedMessage(r)
		}
	case "revoke":
		var n int
		if n, err = s.store.Revoke(ctx, actor, ids); err == nil {
			done = fmt.Sprintf("Revoked %s; their seats are free again.", models.Count(n, "invitation", "invitations"))
		}
	case "reset_password":
		var n int
		if n, err = s.store.RequestPasswordResets(ctx, actor, ids, s.baseURL(c)); err == nil {
			s.mailQueued()
			done = fmt.Sprintf("Sent %s; their sessions ended.", models.Count(n, "password reset link", "password reset links"))
		}
	default:
		s.flash(c, "Choose an action.")
		return redirect(c, back)
	}
	if err != nil {
		return s.refuse(c, err, back)
	}
	s.flash(c, done)
	return redirect(c, back)
}

// refuse explains a refused bulk action person by person, or passes other errors on.
func (s *Server) refuse(c echo.Context, err error, back string) error {
	var r views.Refusal
	var refusal models.BulkRefusal
	var exhausted models.SeatsExhaustedError
	switch {
	case errors.As(err, &refusal):
		r.Heading = "Nothing changed: this cannot apply to everyone selected"
		for id, reason := range refusal.Reasons {
			r.Lines = append(r.Lines, refusal.Names[id]+": "+reason)
		}
		sort.Strings(r.Lines)
	case errors.As(err, &exhausted):
		r.Heading = "Nothing changed: not enough free seats"
		for _, short := range exhausted.Shortfalls {
			r.Lines = append(r.Lines, short.String())
		}
		if actorOf(c).Allows(models.PermManageSeats) {
			r.FixLabel, r.FixHref = "Buy seats", "/settings/seats"
			if len(exhausted.Shortfalls) == 1 {
				r.FixHref = views.SeatQuantityHref(exhausted.Shortfalls[0].PlanID)
			}
		} else {
			r.Lines = append(r.Lines, "Free seats by deactivating people, or ask an owner or finance to buy more.")
		}
	default:
		return err
	}
	s.flashRefusal(c, r)
	return redirect(c, back)
}

// listBackURL is where a bulk action returns: the profile it came from, or the list it was
// started on with its tab and filters.
func listBackURL(params url.Values) string {
	if back := params.Get("back"); back != "" {
		return safeNext(back)
	}
	state, _, _ := parseUserListParams(params)
	state.After, state.Before = "", ""
	return views.ListHref(state)
}

// remindedMessage says whom a reminder reached and names whom it skipped, with why.
func remindedMessage(r *models.RemindResult) string {
	done := fmt.Sprintf("Reminded %s with a new link.", models.Count(r.Reminded, "person", "people"))
	if len(r.Skipped) == 0 {
		return done
	}
	const named = 3
	var skipped []string
	for _, u := range r.Skipped[:min(named, len(r.Skipped))] {
		skipped = append(skipped, u.Name+": "+strings.ToLower(u.Reason[:1])+u.Reason[1:])
	}
	if more := len(r.Skipped) - named; more > 0 {
		skipped = append(skipped, fmt.Sprintf("and %d more sent a link too recently.", more))
	}
	return fmt.Sprintf("Reminded %d; %d skipped — %s", r.Reminded, len(r.Skipped), strings.Join(skipped, " "))
}
