package handlers

import (
	"github.com/labstack/echo/v4"
)

const flashCookieName = "roster_flash"

// flash keeps a message for the next page the user sees: the result of an action that ended in
// a redirect.
func (s *Server) flash(c echo.Context, message string) {
	session, _ := s.cookies.Get(c.Request(), flashCookieName)
	session.Options.MaxAge = 300
	session.AddFlash(message)
	_ = session.Save(c.Request(), c.Response())
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
	_ = session.Save(c.Request(), c.Response())
	return messages
}
