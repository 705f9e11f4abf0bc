package handlers

import (
	"encoding/json"
	"log/slog"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"roster/views"
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

// flashPrefix marks a kept message that carries links: the rest is a views.Flash in JSON.
const flashPrefix = "flash:"

// flashLinks keeps a message with links onwards for the next page.
func (s *Server) flashLinks(c echo.Context, f views.Flash) {
	if len(f.Links) == 0 {
		s.flash(c, f.Text)
		return
	}
	encoded, _ := json.Marshal(f)
	s.flash(c, flashPrefix+string(encoded))
}

// refusalFlash marks a kept message that is a refusal, encoded as JSON after it.
const refusalFlash = "\x00refusal:"

// refusalKey holds, for the page being rendered, the refusal found among the messages kept.
const refusalKey = "roster.refusal"

// flashRefusal keeps why an action changed nothing for the page the admin came from, which
// shows it in place with the fix (see refusalShown).
func (s *Server) flashRefusal(c echo.Context, r views.Refusal) {
	encoded, err := json.Marshal(r)
	if err != nil {
		slog.Warn("could not keep a refusal", "err", err)
		return
	}
	s.flash(c, refusalFlash+string(encoded))
}

// refusalShown is the refusal found among the messages kept for this page, or nil.
func refusalShown(c echo.Context) *views.Refusal {
	r, _ := c.Get(refusalKey).(*views.Refusal)
	return r
}

// takeFlashes returns and forgets the messages kept for this page; a refusal among them is kept
// aside for refusalShown.
func (s *Server) takeFlashes(c echo.Context) []string {
	flashes := s.takeFlashMessages(c)
	texts := make([]string, len(flashes))
	for i, f := range flashes {
		texts[i] = f.Text
	}
	return texts
}

// takeFlashMessages returns and forgets the messages kept for this page, with their links.
func (s *Server) takeFlashMessages(c echo.Context) []views.Flash {
	var flashes []views.Flash
	for _, m := range s.takeFlashTexts(c) {
		var f views.Flash
		if rest, ok := strings.CutPrefix(m, flashPrefix); ok && json.Unmarshal([]byte(rest), &f) == nil {
			flashes = append(flashes, f)
			continue
		}
		flashes = append(flashes, views.Flash{Text: m})
	}
	return flashes
}

func (s *Server) takeFlashTexts(c echo.Context) []string {
	cookie, err := c.Cookie(flashCookieName)
	if err != nil || cookie.Value == "" {
		return nil
	}
	session, _ := s.cookies.Get(c.Request(), flashCookieName)
	var messages []string
	for _, f := range session.Flashes() {
		m, ok := f.(string)
		if encoded, isRefusal := strings.CutPrefix(m, refusalFlash); ok && isRefusal {
			var r views.Refusal
			if json.Unmarshal([]byte(encoded), &r) == nil {
				c.Set(refusalKey, &r)
			}
		} else if ok {
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
