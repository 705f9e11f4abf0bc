package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// exportUsers downloads the tab the admin is looking at, with its filters and order, as CSV. The
// rows go out as they are read, a batch at a time, so a 100,000-user export never sits in memory.
func (s *Server) exportUsers(c echo.Context) error {
	state, query, _ := parseUserListParams(c.QueryParams())
	query.After, query.Before = "", ""
	return streamCSV(c, csvExport{
		Filename: "users-" + state.Tab + "-" + s.store.Now().Format(time.DateOnly) + ".csv",
		Header:   views.UserCSVHeader(state.Tab),
		LogMsg:   "user export stopped",
		LogArgs:  []any{"tab", state.Tab},
	}, func(write func([]string) error) error {
		return s.store.ExportUsers(c.Request().Context(), actorOf(c), query, func(row models.UserExportRow) error {
			return write(views.UserCSVRecord(state.Tab, row))
		})
	})
}
