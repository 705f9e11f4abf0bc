package handlers

import (
	"encoding/csv"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
)

// utf8BOM opens the file so that Excel reads it as UTF-8 rather than the system's code page,
// which would garble every "Müller" and "Chloé".
const utf8BOM = "\ufeff"

// csvExport names a CSV download and what to log if it breaks off.
type csvExport struct {
	Filename string   // as the browser saves it
	Header   []string // the first row
	LogMsg   string   // logged when the download stops after it has begun, e.g. "user export stopped"
	LogArgs  []any    // key-value pairs logged before rows, err and request_id
}

// streamCSV sends a CSV download whose rows go out as produce reads them, flushed every
// models.ExportBatchSize rows, so a large export never sits in memory. produce calls write once
// per record and returns the first error that write or its own reading returns.
func streamCSV(c echo.Context, e csvExport, produce func(write func(record []string) error) error) error {
	res := c.Response()
	out := csv.NewWriter(res)
	out.UseCRLF = true // RFC 4180

	// Nothing is sent until the first row has been read, so a refusal, unusable filters or a
	// failing first query still get the normal error page.
	started, written := false, 0
	start := func() error {
		started = true
		header := res.Header()
		header.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		header.Set(echo.HeaderContentDisposition, `attachment; filename="`+e.Filename+`"`)
		header.Set("Cache-Control", "no-store")
		res.WriteHeader(http.StatusOK)
		if _, err := res.Write([]byte(utf8BOM)); err != nil {
			return err
		}
		return out.Write(e.Header)
	}
	err := produce(func(record []string) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		if err := out.Write(record); err != nil {
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
		err = start() // nothing matched: the header row alone
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
			args := append(append([]any(nil), e.LogArgs...),
				"rows", written, "err", err, "request_id", res.Header().Get(echo.HeaderXRequestID))
			slog.Error(e.LogMsg, args...)
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}
