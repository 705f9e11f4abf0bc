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
	"roster/routes"
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
	action := params.Get("action")
	var n int
	switch action {
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
		n, err = s.store.UndoDeletion(ctx, actor, ids)
	case "reactivate":
		n, err = s.store.Reactivate(ctx, actor, ids)
	case "remind":
		var r *models.RemindResult
		if r, err = s.store.Remind(ctx, actor, ids, s.baseURL(c)); err == nil {
			s.mailQueued()
			f := bulkMessage(action, s.peopleOf(c, r.Reminded), len(r.Reminded))
			f.Text += skippedText(r.Skipped)
			s.flashLinks(c, f)
			return redirect(c, back)
		}
	case "revoke":
		n, err = s.store.Revoke(ctx, actor, ids)
	case "reset_password":
		if n, err = s.store.RequestPasswordResets(ctx, actor, ids, s.baseURL(c)); err == nil {
			s.mailQueued()
		}
	default:
		s.flash(c, "Choose an action.")
		return redirect(c, back)
	}
	if err != nil {
		return s.refuse(c, err, back)
	}
	s.flashLinks(c, bulkMessage(action, s.peopleOf(c, ids), n))
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
			r.FixLabel, r.FixHref = "Buy seats", routes.Path(routes.RouteSeats)
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

// skippedText names whom a bulk action passed over on purpose, and why: " 1 skipped — Nora
// Jensen: invited 20 min ago; a reminder is possible in 40 min."
func skippedText(skipped []models.SkippedUser) string {
	if len(skipped) == 0 {
		return ""
	}
	const named = 3
	var parts []string
	for _, u := range skipped[:min(named, len(skipped))] {
		parts = append(parts, u.Name+": "+strings.ToLower(u.Reason[:1])+u.Reason[1:])
	}
	if more := len(skipped) - named; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more sent a link too recently.", more))
	}
	return fmt.Sprintf(" %d skipped — %s", len(skipped), strings.Join(parts, " "))
}
