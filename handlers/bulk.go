package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"sort"

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
		if n, err = s.store.Remind(ctx, actor, ids, s.baseURL(c)); err == nil {
			s.mailQueued()
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
	view := views.RefusalView{Chrome: chrome(c, "Nothing changed", views.SectionUsers), Back: back}
	var refusal models.BulkRefusal
	var exhausted models.SeatsExhaustedError
	switch {
	case errors.As(err, &refusal):
		view.Heading = "This cannot apply to everyone selected"
		for id, reason := range refusal.Reasons {
			view.Lines = append(view.Lines, refusal.Names[id]+": "+reason)
		}
		sort.Strings(view.Lines)
	case errors.As(err, &exhausted):
		view.Heading = "Not enough free seats"
		for _, short := range exhausted.Shortfalls {
			view.Lines = append(view.Lines, short.String()+" Buy more seats or free some first.")
		}
	default:
		return err
	}
	return render(c, http.StatusConflict, views.RefusalPage(view))
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
