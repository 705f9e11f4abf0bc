package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// redirect ends a successful POST: a 303 for plain forms, HX-Redirect for htmx.
func redirect(c echo.Context, target string) error {
	if c.Request().Header.Get(hxRequest) == "true" {
		c.Response().Header().Set(hxRedirect, target)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, target)
}
