package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if word == "person" {
		return strconv.Itoa(n) + " people"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// redirect ends a successful POST: a 303 for plain forms, HX-Redirect for htmx.
func redirect(c echo.Context, target string) error {
	if c.Request().Header.Get(hxRequest) == "true" {
		c.Response().Header().Set(hxRedirect, target)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, target)
}
