package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/routes"
	"roster/views"
)

// auditRoutes are Settings > Audit log.
func (s *Server) auditRoutes() []route {
	return []route{
		{http.MethodGet, routes.RouteAudit, models.PermViewAudit, s.auditLog},
		{http.MethodGet, routes.RouteAuditExport, models.PermViewAudit, s.exportAuditLog},
	}
}

// auditLog shows one page of the log. Filters that cannot be used are shown again as typed with
// a message beside each, and no events, rather than a page that looks filtered but is not.
func (s *Server) auditLog(c echo.Context) error {
	state, query := parseAuditParams(c.QueryParams())
	view := views.AuditLogView{Chrome: chrome(c, "Audit log", views.SectionAudit), State: state, Actions: models.AuditActions(),
		Location: actorOf(c).Account.Location(), CanUndo: actorOf(c).Allows(models.PermManageUsers)}
	page, err := s.store.AuditLog(c.Request().Context(), actorOf(c), query)
	var invalid models.FieldErrors
	switch {
	case errors.As(err, &invalid):
		view.Errors = invalid
	case err != nil:
		return err
	default:
		view.Page = page
	}
	return renderPage(c, http.StatusOK, views.AuditLogPage(view), views.AuditLogBody(view))
}

// maxAuditParam is how much of a filter value is kept to show again in the form; the model
// refuses anything longer than its own limit with a message.
const maxAuditParam = 200

// parseAuditParams reads the log's URL. Values are kept as typed (for the form and the messages),
// made safe to show: valid UTF-8, no control characters, and cut to a length a form can hold.
// Cursors that are not plausible are dropped: the log then starts from its newest event.
func parseAuditParams(params url.Values) (views.AuditLogState, models.AuditLogQuery) {
	value := func(name string) string {
		v := params.Get(name)
		if len(v) > 4*maxAuditParam {
			v = v[:4*maxAuditParam]
		}
		v = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, strings.ToValidUTF8(v, "\uFFFD"))
		if utf8.RuneCountInString(v) > maxAuditParam {
			v = string([]rune(v)[:maxAuditParam])
		}
		return v
	}
	state := views.AuditLogState{Actor: value("actor"), Target: value("target"), Action: value("action"),
		From: value("from"), To: value("to"), Everything: params.Get("all") == "1"}
	// The user filters go to the model as sent, so that it can say what is wrong with one that
	// is too long or not text; the form shows the safe copy.
	query := models.AuditLogQuery{Actor: params.Get("actor"), Target: params.Get("target"), Action: state.Action,
		From: state.From, To: state.To, Everything: state.Everything}
	if after := params.Get("after"); after != "" && len(after) <= 256 {
		state.After, query.After = after, after
	} else if before := params.Get("before"); before != "" && len(before) <= 256 {
		state.Before, query.Before = before, before
	}
	return state, query
}

// exportAuditLog downloads every event under the current filters as CSV, newest first. Rows go
// out as they are read, a batch at a time, as the user export does.
func (s *Server) exportAuditLog(c echo.Context) error {
	_, query := parseAuditParams(c.QueryParams())
	query.After, query.Before = "", ""
	return streamCSV(c, csvExport{
		Filename: "audit-log-" + s.store.Now().Format(time.DateOnly) + ".csv",
		Header:   views.AuditCSVHeader(),
		LogMsg:   "audit export stopped",
	}, func(write func([]string) error) error {
		return s.store.ExportAuditLog(c.Request().Context(), actorOf(c), query, func(e models.AuditLogEntry) error {
			return write(views.AuditCSVRecord(e))
		})
	})
}
