package handlers

import "github.com/labstack/echo/v4"

// The htmx request and response headers Roster reads or sets, in one place.
const (
	hxRequest               = "HX-Request"
	hxBoosted               = "HX-Boosted"
	hxHistoryRestoreRequest = "HX-History-Restore-Request"
	hxRedirect              = "HX-Redirect"
)

// wantsFragment tells whether the request is an htmx swap that expects only the changing part of
// a page. Boosted navigations and history restores need the whole page.
func wantsFragment(c echo.Context) bool {
	h := c.Request().Header
	return h.Get(hxRequest) == "true" && h.Get(hxBoosted) == "" && h.Get(hxHistoryRestoreRequest) == ""
}
