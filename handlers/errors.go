package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// statusOf maps domain errors to HTTP statuses; it is the only place that does.
func statusOf(err error) int {
	var httpErr *echo.HTTPError
	switch {
	case errors.As(err, &httpErr):
		return httpErr.Code
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, models.ErrGone):
		return http.StatusGone
	case errors.Is(err, models.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, models.ErrThrottled):
		return http.StatusTooManyRequests
	case errors.Is(err, models.ErrBusy):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

var errorTexts = map[int][2]string{
	http.StatusBadRequest:            {"That request was not understood", "Something in the address or the form was not right. Go back and try again."},
	http.StatusForbidden:             {"You cannot do that", "Your role does not allow this. Ask an owner or admin of your account if you need it."},
	http.StatusNotFound:              {"Not found", "There is nothing at this address, or it belongs to someone else."},
	http.StatusMethodNotAllowed:      {"Not found", "There is nothing at this address."},
	http.StatusConflict:              {"That changed in the meantime", "Someone else changed this while you were working. Reload and try again."},
	http.StatusGone:                  {"This no longer exists", "What this address pointed to is gone."},
	http.StatusUnprocessableEntity:   {"That input was not accepted", "Some of the values were not valid. Go back, check the form and try again."},
	http.StatusTooManyRequests:       {"Slow down", "Too many attempts in a short time. Wait a few minutes and try again."},
	http.StatusInternalServerError:   {"Something went wrong", "We could not finish this request and nothing was changed. Try again in a moment."},
	http.StatusRequestEntityTooLarge: {"Too much data", "The request was larger than Roster accepts."},
	http.StatusServiceUnavailable:    {"Roster is busy", "Roster is busy, nothing was changed — try again in a moment."},
}

// setRetryAfter tells the client when to come back, for refusals that know it (throttled
// sign-ins, a busy server): in whole seconds, rounded up.
func setRetryAfter(c echo.Context, err error) {
	var timed interface{ RetryAfter() time.Duration }
	if errors.As(err, &timed) {
		seconds := int64((timed.RetryAfter() + time.Second - 1) / time.Second)
		c.Response().Header().Set("Retry-After", strconv.FormatInt(max(seconds, 1), 10))
	}
}

// busyRetrySeconds is how long a client told "busy" should wait before trying again.
const busyRetrySeconds = "5"

// errorHandler renders every error as a page a person can read, logging only what is unexpected.
func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if isSCIMPath(c.Request().URL.Path) {
		scimErrorHandler(err, c)
		return
	}
	status := statusOf(err)
	if status >= 500 {
		slog.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	texts, ok := errorTexts[status]
	if !ok {
		texts = [2]string{http.StatusText(status), "The request could not be completed."}
	}
	// Domain refusals that carry their own reason say it instead of the generic text.
	var explained interface{ Explain() string }
	if errors.As(err, &explained) {
		texts[1] = explained.Explain()
	}
	var titled interface{ Title() string }
	if errors.As(err, &titled) {
		texts[0] = titled.Title()
	}
	if errors.Is(err, errCSRF) {
		texts = [2]string{"This form has expired", "For your security, forms expire. Go back, reload the page and submit it again."}
	}
	if errors.Is(err, errCrossOrigin) {
		texts = [2]string{"This request came from another site", "This request came from another site, so Roster refused it and nothing was changed. " +
			"If you meant to do this, open Roster directly and do it there."}
	}
	setRetryAfter(c, err)
	if status == http.StatusServiceUnavailable && c.Response().Header().Get("Retry-After") == "" {
		c.Response().Header().Set("Retry-After", busyRetrySeconds)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	page := views.ErrorPage(status, texts[0], texts[1])
	if actorOf(c) != nil {
		page = views.SignedInErrorPage(chrome(c, texts[0], ""), status, texts[0], texts[1])
	}
	if renderErr := render(c, status, page); renderErr != nil {
		slog.Error("render error page", "err", renderErr)
	}
}
