package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// deleteForm shows the delete page for the inactive users in ?ids=: one user with the reasons
// each outcome is refused, or several with one outcome for all.
func (s *Server) deleteForm(c echo.Context) error {
	ids, ok := parseIDs(c.QueryParams()["ids"])
	if !ok {
		return models.ErrNotFound
	}
	return s.renderDeleteForm(c, ids)
}

// renderDeleteForm shows the delete page with the first allowed outcome chosen; the bulk
// action renders it directly, so that a large selection does not have to fit in a URL.
func (s *Server) renderDeleteForm(c echo.Context, ids []int64) error {
	view, err := s.deleteView(c, ids)
	if err != nil {
		return err
	}
	if view.Options != nil && view.Options.Refusal != "" {
		return s.backToProfile(c, view.Options)
	}
	for _, o := range views.DeletionOutcomes {
		if view.Options == nil || view.Options.Allowed(o.Mode) {
			view.Mode = string(o.Mode)
			break
		}
	}
	return render(c, http.StatusOK, views.DeletePage(*view))
}

// deleteSubmit schedules the deletion, or carries it out at once when "erase now" is ticked.
// Refusals come back as the existing per-person refusal page; nothing changes then.
func (s *Server) deleteSubmit(c echo.Context) error {
	params, ids, err := parseSelectionForm(c)
	if err != nil {
		return err
	}
	view, err := s.deleteView(c, ids)
	if err != nil {
		return err
	}
	if view.Options != nil && view.Options.Refusal != "" {
		return s.backToProfile(c, view.Options)
	}
	view.Mode, view.EraseNow = truncateRunes(params.Get("mode"), 20), params.Get("erase_now") == "1"
	mode, ok := models.ParseDeletionMode(view.Mode)
	if !ok {
		view.Errors["mode"] = "Choose what deleting does."
		return render(c, http.StatusUnprocessableEntity, views.DeletePage(*view))
	}
	back := views.UsersTabHref(models.StatusInactive)
	if len(ids) == 1 {
		back = views.UserHref(ids[0])
	}
	res, err := s.store.ScheduleDeletion(c.Request().Context(), actorOf(c), ids, mode, view.EraseNow)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields):
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.DeletePage(*view))
	case err != nil:
		return s.refuse(c, err, back)
	}
	if res.DueAt.IsZero() {
		s.flash(c, fmt.Sprintf("Deleted %s for good.", models.Count(res.Users, "user", "users")))
		return redirect(c, views.UsersTabHref(models.StatusInactive))
	}
	s.flash(c, fmt.Sprintf("%s scheduled for deletion on %s. Undo delete brings them back until then.",
		models.Count(res.Users, "user", "users"), res.DueAt.UTC().Format("2 Jan 2006")))
	return redirect(c, back)
}

// backToProfile sends someone who cannot be deleted now back to their profile, which says why
// once, instead of a delete page that would refuse every outcome for the same reason.
func (s *Server) backToProfile(c echo.Context, opts *models.DeletionOptions) error {
	s.flash(c, opts.User.Name+" cannot be deleted now. "+opts.Refusal)
	return redirect(c, views.UserHref(opts.User.ID))
}

// deleteView loads the selection; unknown, deleted and foreign IDs are ErrNotFound.
func (s *Server) deleteView(c echo.Context, ids []int64) (*views.DeleteView, error) {
	ctx, actor := c.Request().Context(), actorOf(c)
	view := &views.DeleteView{IDs: joinIDs(ids), Errors: map[string]string{}}
	if len(ids) == 1 {
		opts, err := s.store.DeletionOptions(ctx, actor, ids[0])
		if err != nil {
			return nil, err
		}
		view.Options, view.Users, view.GraceDays, view.DueAt = opts, []models.User{opts.User}, opts.GraceDays, opts.DueAt
	} else {
		users, err := s.store.DeletionCandidates(ctx, actor, ids)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			return nil, fields
		}
		if err != nil {
			return nil, err
		}
		view.Users = users
		view.GraceDays, view.DueAt = s.store.DeletionDueDate(actor)
	}
	view.Chrome = chrome(c, "Delete users", views.SectionUsers)
	return view, nil
}
