package handlers

import (
	"bytes"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render writes a component only once it has rendered completely, so a failing component never
// leaves half a page behind.
func render(c echo.Context, status int, component templ.Component) error {
	var buf bytes.Buffer
	if err := component.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", hxRequest)
	return c.HTMLBlob(status, buf.Bytes())
}

// renderPage sends the whole page, or only the fragment when htmx asks for it.
func renderPage(c echo.Context, status int, page, fragment templ.Component) error {
	if wantsFragment(c) {
		return render(c, status, fragment)
	}
	return render(c, status, page)
}
