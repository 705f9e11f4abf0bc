package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// orphanedWork shows a page of the orphaned work report.
func (s *Server) orphanedWork(c echo.Context) error {
	page := 1
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return models.ErrNotFound
		}
		page = n
	}
	work, err := s.store.OrphanedWork(c.Request().Context(), actorOf(c), page)
	if err != nil {
		return err
	}
	view := views.OrphanedWorkView{Chrome: chrome(c, "Orphaned work", views.SectionOrphaned), Work: work, Flashes: s.takeFlashMessages(c)}
	return render(c, http.StatusOK, views.OrphanedWorkPage(view))
}

// orphanedHandoverForm asks who takes over one former user's work.
func (s *Server) orphanedHandoverForm(c echo.Context) error {
	view, err := s.orphanedHandoverView(c)
	if err != nil {
		return err
	}
	if view.Owner.SuggestedID != 0 {
		view.To = strconv.FormatInt(view.Owner.SuggestedID, 10)
	}
	return render(c, http.StatusOK, views.OrphanedHandoverPage(*view))
}

// orphanedHandoverSubmit hands one former user's work on and returns to the report, or to the
// form with the message beside the field.
func (s *Server) orphanedHandoverSubmit(c echo.Context) error {
	from, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	back := views.OrphanedWorkPath
	if p, err := strconv.Atoi(params.Get("page")); err == nil && p > 1 && p <= 1_000_000 {
		back = views.OrphanedWorkHref(p)
	}
	h := models.OrphanHandover{IncludeClosed: params.Get("include_closed") == "1"}
	to, ok := positiveID(params.Get("to"))
	if ok {
		h.To = to
	}
	result, err := s.store.HandOverOrphanedWork(c.Request().Context(), actorOf(c), from, h)
	var fields models.FieldErrors
	var refused models.TransferRefusedError
	switch {
	case errors.As(err, &fields):
		view, verr := s.orphanedHandoverView(c)
		if verr != nil {
			return verr
		}
		view.Errors, view.To = fields, truncateRunes(params.Get("to"), 20)
		return render(c, http.StatusUnprocessableEntity, views.OrphanedHandoverPage(*view))
	case errors.As(err, &refused):
		s.flash(c, "Nothing was handed over: "+refused.Error())
		return redirect(c, back)
	case err != nil:
		return err
	}
	s.flashLinks(c, orphanedSummary(result))
	return redirect(c, back)
}

func (s *Server) orphanedHandoverView(c echo.Context) (*views.OrphanedHandoverView, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return nil, models.ErrNotFound
	}
	ctx := c.Request().Context()
	actor := actorOf(c)
	owner, err := s.store.OrphanedWorkOf(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	view := &views.OrphanedHandoverView{Chrome: chrome(c, "Hand over "+owner.User.Name+"’s work", views.SectionOrphaned),
		Owner: *owner, Errors: map[string]string{}}
	if view.Recipients, err = s.store.ListRecipients(ctx, actor, []int64{id}, maxRecipients); err != nil {
		return nil, err
	}
	return view, nil
}

// orphanedSummary names who handed what to whom, with links to the recipient's records and
// profile.
func orphanedSummary(r *models.OrphanHandoverResult) views.Flash {
	var parts []string
	if r.RecordsMoved > 0 {
		parts = append(parts, models.Count(int(r.RecordsMoved), "record", "records"))
	}
	if r.GroupsMoved > 0 {
		parts = append(parts, models.Count(int(r.GroupsMoved), "group", "groups"))
	}
	if r.ManagedMoved > 0 {
		parts = append(parts, models.Count(int(r.ManagedMoved), "report", "reports"))
	}
	what := "Nothing was left"
	if len(parts) > 0 {
		what = joinNames(parts, len(parts))
	}
	return views.Flash{
		Text: fmt.Sprintf("%s’s work handed to %s: %s.", r.From.Name, r.To.Name, what),
		Links: []views.FlashLink{
			{Label: r.To.Name + "’s records", Href: views.OwnerRecordsHref(r.To.ID)},
			{Label: r.To.Name + "’s profile", Href: views.UserHref(r.To.ID)},
		},
	}
}

// joinNames lists names as a sentence does, "A, B and C", naming at most shown of them: "A, B
// and 3 more".
func joinNames(names []string, shown int) string {
	if len(names) > shown {
		rest := len(names) - shown
		return strings.Join(names[:shown], ", ") + " and " + strconv.Itoa(rest) + " more"
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
