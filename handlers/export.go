package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// utf8BOM opens the file so that Excel reads it as UTF-8 rather than the system's code page,
// which would garble every "Müller" and "Chloé".
const utf8BOM = "\ufeff"

// exportUsers downloads the tab the admin is looking at, with its filters and order, as CSV. The
// rows go out as they are read, a batch at a time, so a 100,000-user export never sits in memory.
func (s *Server) exportUsers(c echo.Context) error {
	state, query, _ := parseUserListParams(c.QueryParams())
	query.After, query.Before = "", ""
	res := c.Response()
	out := csv.NewWriter(res)
	out.UseCRLF = true // RFC 4180

	// Nothing is sent until the first batch has been read, so a refusal or a failing first
	// query still gets the normal error page.
	started, written := false, 0
	start := func() error {
		started = true
		header := res.Header()
		header.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		header.Set(echo.HeaderContentDisposition,
			`attachment; filename="users-`+state.Tab+`-`+s.store.Now().Format(time.DateOnly)+`.csv"`)
		header.Set("Cache-Control", "no-store")
		res.WriteHeader(http.StatusOK)
		if _, err := res.Write([]byte(utf8BOM)); err != nil {
			return err
		}
		return out.Write(views.UserCSVHeader(state.Tab))
	}
	err := s.store.ExportUsers(c.Request().Context(), actorOf(c), query, func(row models.UserExportRow) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := out.Write(views.UserCSVRecord(state.Tab, row)); err != nil {
			return err
		}
		if written++; written%models.ExportBatchSize == 0 {
			out.Flush()
			res.Flush()
			return out.Error()
		}
		return nil
	})
	if err == nil && !started {
		err = start() // an empty tab: the header row alone
	}
	if err == nil {
		out.Flush()
		err = out.Error()
	}
	if err != nil && !started {
		return err
	}
	if err != nil {
		// The status line has gone out: breaking the connection is the only way left to say the
		// file is incomplete, so the browser reports a failed download instead of saving a short
		// file that looks whole.
		if c.Request().Context().Err() == nil {
			slog.Error("user export stopped", "tab", state.Tab, "rows", written, "err", err,
				"request_id", res.Header().Get(echo.HeaderXRequestID))
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}
