package handlers

import (
	"log/slog"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const flashCookieName = "roster_flash"

// flash keeps a message for the next page the user sees: the result of an action that ended in
// a redirect.
func (s *Server) flash(c echo.Context, message string) {
	session, _ := s.cookies.Get(c.Request(), flashCookieName)
	session.Options.MaxAge = 300
	session.AddFlash(message)
	saveOrLog(c, session, "keep a message for the next page")
}

// takeFlashes returns and forgets the messages kept for this page.
func (s *Server) takeFlashes(c echo.Context) []string {
	cookie, err := c.Cookie(flashCookieName)
	if err != nil || cookie.Value == "" {
		return nil
	}
	session, _ := s.cookies.Get(c.Request(), flashCookieName)
	var messages []string
	for _, f := range session.Flashes() {
		if m, ok := f.(string); ok {
			messages = append(messages, m)
		}
	}
	session.Options.MaxAge = -1
	saveOrLog(c, session, "forget the shown messages")
	return messages
}

// saveOrLog writes a cookie session whose loss only costs a message or a stale cookie: the
// request goes on, and the log says what did not happen.
func saveOrLog(c echo.Context, session *sessions.Session, what string) {
	if err := session.Save(c.Request(), c.Response()); err != nil {
		slog.Warn("could not "+what, "path", c.Request().URL.Path, "err", err)
	}
}
