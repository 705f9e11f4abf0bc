package handlers

import (
	"errors"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// maxCSVSize is the largest invitation CSV accepted; 500 people fit in far less.
const maxCSVSize = 1 << 20

func readInviteCSV(file *multipart.FileHeader) ([]models.InviteLine, error) {
	if file.Size > maxCSVSize {
		return nil, models.FieldErrors{"csv": "The file is larger than 1 MB."}
	}
	f, err := file.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return models.ParseInviteCSV(f)
}

func (s *Server) acceptForm(c echo.Context) error {
	token := c.Param("token")
	invitation, err := s.store.OpenInvitation(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AcceptPage(views.AcceptView{Token: token, CSRFToken: csrfToken(c),
		Invitation: invitation, Name: invitation.Name, Errors: map[string]string{}}))
}

func (s *Server) acceptSubmit(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	invitation, err := s.store.OpenInvitation(ctx, token)
	if err != nil {
		return err
	}
	name, password := c.FormValue("name"), c.FormValue("password")
	view := views.AcceptView{Token: token, CSRFToken: csrfToken(c), Invitation: invitation, Name: truncateRunes(name, 200), Errors: map[string]string{}}
	if password != c.FormValue("password_confirm") {
		view.Errors["password_confirm"] = "The two passwords differ."
		return render(c, http.StatusUnprocessableEntity, views.AcceptPage(view))
	}
	_, sessionToken, err := s.store.AcceptInvitation(ctx, token, name, password, c.RealIP(), c.Request().UserAgent())
	var fields models.FieldErrors
	if errors.As(err, &fields) {
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.AcceptPage(view))
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, sessionToken); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, views.HomePath)
}

func (s *Server) outbox(c echo.Context) error {
	messages, err := s.store.ListOutbox(c.Request().Context(), actorOf(c), 100)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OutboxPage(views.OutboxView{Chrome: chrome(c, "Outbox", views.SectionUsers),
		Messages: messages, Delivering: s.config.MailDelivering}))
}
