package handlers

import (
	"bytes"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render writes a component only once it has rendered completely, so a failing component never
// leaves half a page behind.
func render(c echo.Context, status int, component templ.Component) error {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer releasePageBuffer(buf)
	if err := component.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", hxRequest)
	return c.HTMLBlob(status, buf.Bytes())
}

// pageBuffers keep rendered pages' buffers for the next page: a list page grows a fresh buffer
// through a dozen copies on its way to 40 KB.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, pageBufferSize)) }}

const pageBufferSize = 64 << 10

// releasePageBuffer keeps buf for reuse unless one page made it unusually large.
func releasePageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 4*pageBufferSize {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// renderPage sends the whole page, or only the fragment when htmx asks for it.
func renderPage(c echo.Context, status int, page, fragment templ.Component) error {
	if wantsFragment(c) {
		return render(c, status, fragment)
	}
	return render(c, status, page)
}
