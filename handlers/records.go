package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

func (s *Server) recordRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteRecords, models.PermViewUsers, s.recordList},
		{http.MethodGet, routes.RouteRecordsExport, models.PermViewUsers, s.exportRecords},
		{http.MethodPost, routes.RouteRecordsHandover, models.PermManageUsers, s.recordsHandover},
		{http.MethodGet, routes.RouteHandoverUndo, models.PermManageUsers, s.handoverUndoForm},
		{http.MethodPost, routes.RouteHandoverUndoDo, models.PermManageUsers, s.handoverUndoSubmit},
	}
}

func (s *Server) recordList(c echo.Context) error {
	actor := actorOf(c)
	state, query, notices := parseRecordListParams(c.QueryParams())
	page, err := s.store.ListRecords(c.Request().Context(), actor, query)
	if err != nil {
		return err
	}
	view := views.RecordListView{Chrome: chrome(c, "Records", views.SectionRecords), State: state, Page: page, Notices: notices,
		Flashes: s.takeFlashes(c), CanManage: actor.Allows(models.PermManageUsers), ReachNote: actor.ReachNote()}
	return renderPage(c, http.StatusOK, views.RecordsPage(view), views.RecordListFragment(view))
}

// parseRecordListParams reads the records page's URL. Values it cannot use fall back to their
// defaults, so an edited or stale link still shows a page.
func parseRecordListParams(params url.Values) (views.RecordListState, models.RecordListQuery, []string) {
	var notices []string
	state := views.RecordListState{Sort: string(models.RecordSortTitle), Dir: "asc"}
	query := models.RecordListQuery{Sort: models.RecordSortTitle}
	var notice string
	if state.Q, notice = models.CleanSearch(params.Get("q")); notice != "" {
		notices = append(notices, notice)
	}
	query.Search = state.Q
	if id, ok := positiveID(params.Get("owner")); ok {
		state.Owner, query.OwnerID = params.Get("owner"), id
	}
	for _, o := range models.OwnerStatuses {
		if params.Get("owner_status") == string(o) {
			state.OwnerStatus, query.OwnerStatus = string(o), o
		}
	}
	for _, k := range models.RecordKinds {
		if params.Get("kind") == k {
			state.Kind, query.Kind = k, k
		}
	}
	switch open := params.Get("open"); open {
	case models.RecordsOpen, models.RecordsClosed:
		state.Open, query.Open = open, open
	}
	for _, sort := range models.RecordSorts {
		if params.Get("sort") == string(sort) {
			state.Sort, query.Sort = string(sort), sort
		}
	}
	if params.Get("dir") == "desc" {
		state.Dir, query.Desc = "desc", true
	}
	if after := params.Get("after"); after != "" && len(after) <= 512 {
		state.After, query.After = after, after
	} else if before := params.Get("before"); before != "" && len(before) <= 512 {
		state.Before, query.Before = before, before
	}
	return state, query, notices
}

// exportRecords downloads the records matching the page's filters, in its order, as CSV; the
// rows go out as they are read.
func (s *Server) exportRecords(c echo.Context) error {
	_, query, _ := parseRecordListParams(c.QueryParams())
	query.After, query.Before = "", ""
	return streamCSV(c, csvExport{
		Filename: "records-" + s.store.Now().Format(time.DateOnly) + ".csv",
		Header:   views.RecordCSVHeader(),
		LogMsg:   "record export stopped",
	}, func(write func([]string) error) error {
		return s.store.ExportRecords(c.Request().Context(), actorOf(c), query, func(row models.RecordRow) error {
			return write(views.RecordCSVRecord(row))
		})
	})
}

// recordsHandover shows the hand-over form for the records selected on the records page, and
// carries it out once the admin has chosen the recipients (step=confirm).
func (s *Server) recordsHandover(c echo.Context) error {
	params, err := formParams(c)
	if err != nil {
		return err
	}
	state, query, _ := parseRecordListParams(params)
	state.After, state.Before, query.After, query.Before = "", "", "", ""
	ctx := c.Request().Context()
	actor := actorOf(c)
	all := params.Get("select_all") == "1"
	var ids []int64
	if !all {
		var ok bool
		if ids, ok = idList(params["ids"]); !ok {
			return models.ErrNotFound
		}
		if len(ids) == 0 {
			s.flash(c, "Select at least one record, then choose Hand over.")
			return redirect(c, views.RecordsHref(state))
		}
	}
	form, handover, fieldErrs := parseRecordHandover(params)
	handover.IDs, handover.All, handover.Query = ids, all, query
	selected := len(ids)
	if all {
		matching, err := s.store.ListRecordIDs(ctx, actor, query)
		var fields models.FieldErrors
		if errors.As(err, &fields) {
			s.flash(c, fields["ids"])
			return redirect(c, views.RecordsHref(state))
		}
		if err != nil {
			return err
		}
		selected = len(matching)
	}
	if params.Get("step") == "confirm" {
		if len(fieldErrs) == 0 {
			result, err := s.store.HandOverRecords(ctx, actor, handover)
			if err == nil {
				s.flash(c, fmt.Sprintf("Handed over %s.", models.Count(int(result.Moved), "record", "records")))
				return redirect(c, views.RecordsHref(state))
			}
			if !errors.As(err, &fieldErrs) {
				return err
			}
		}
	} else {
		fieldErrs = nil
	}
	view := views.RecordHandoverView{Chrome: chrome(c, "Hand over records", views.SectionRecords), All: all, Selected: selected,
		State: state, Form: form, Errors: fieldErrs}
	if !all {
		view.IDs = joinIDs(ids)
	}
	if view.Recipients, err = s.store.ListRecipients(ctx, actor, nil, maxRecipients); err != nil {
		return err
	}
	status := http.StatusOK
	if len(fieldErrs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.RecordHandoverPage(view))
}

// parseRecordHandover reads the hand-over form's recipients, one for all or one per kind, as
// typed (to show again) and as IDs, with a message beside each field that names nobody.
func parseRecordHandover(params url.Values) (views.RecordHandoverForm, models.RecordHandover, models.FieldErrors) {
	form := views.RecordHandoverForm{Mode: params.Get("mode"), To: params.Get("records_to"), ByKind: map[string]string{},
		Reason: formText(params.Get("reason"), 500)}
	handover := models.RecordHandover{Reason: params.Get("reason"), ToByKind: map[string]int64{}}
	fieldErrs := models.FieldErrors{}
	const nobody = "Choose an active user who is staying."
	if form.To != "" {
		if handover.To, _ = positiveID(form.To); handover.To == 0 {
			fieldErrs["records_to"] = nobody
		}
	}
	if form.Mode != "kind" {
		return form, handover, fieldErrs
	}
	for _, k := range models.RecordKinds {
		value := params.Get("records_to_" + k)
		if value == "" {
			continue
		}
		form.ByKind[k] = value
		if id, ok := positiveID(value); ok {
			handover.ToByKind[k] = id
		} else {
			fieldErrs["records_to_"+k] = nobody
		}
	}
	return form, handover, fieldErrs
}

// handoverUndoForm shows what undoing a hand-over would give back and what stays.
func (s *Server) handoverUndoForm(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	undo, err := s.store.HandoverUndoPreview(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.HandoverUndoPage(views.HandoverUndoView{Chrome: chrome(c, "Undo hand-over", views.SectionAudit), Undo: undo}))
}

// handoverUndoSubmit gives back what the hand-over moved and has not moved on since.
func (s *Server) handoverUndoSubmit(c echo.Context) error {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return models.ErrNotFound
	}
	ctx := c.Request().Context()
	actor := actorOf(c)
	result, err := s.store.UndoHandover(ctx, actor, id)
	var fields models.FieldErrors
	switch {
	case errors.As(err, &fields):
		undo, err := s.store.HandoverUndoPreview(ctx, actor, id)
		if err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.HandoverUndoPage(views.HandoverUndoView{Chrome: chrome(c, "Undo hand-over", views.SectionAudit),
			Undo: undo, Errors: fields}))
	case err != nil:
		return err
	}
	message := fmt.Sprintf("Hand-over undone: %s back with their previous owner", models.Count(result.Records, "record", "records"))
	if result.Groups > 0 || result.Reports > 0 {
		message += fmt.Sprintf(", %s and %s back", models.Count(result.Groups, "group", "groups"), models.Count(result.Reports, "report", "reports"))
	}
	if result.Stayed > 0 {
		message += fmt.Sprintf("; %d moved on since and stayed", result.Stayed)
	}
	s.flash(c, message+".")
	return redirect(c, views.RecordsPath)
}
