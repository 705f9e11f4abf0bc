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

// linkProblem is the page for an e-mailed link that no longer works, saying what to do instead.
type linkProblem struct {
	err     error
	status  int
	title   string
	message string
}

// renderLinkProblem shows the page of the first problem err matches, or passes err on.
func renderLinkProblem(c echo.Context, problems []linkProblem, err error) error {
	for _, p := range problems {
		if errors.Is(err, p.err) {
			return render(c, p.status, views.ErrorPage(p.status, p.title, p.message))
		}
	}
	return err
}

// invitationProblems are the pages for invitation links that no longer work.
var invitationProblems = []linkProblem{
	{models.ErrInvitationUnknown, http.StatusNotFound, "This invitation link does not work",
		"It may be mistyped, or a newer reminder replaced it. Use the link in the newest e-mail, or ask your administrator to send a reminder."},
	{models.ErrInvitationExpired, http.StatusGone, "This invitation has expired",
		"Invitations last " + views.InvitationLifetimeText + ". Ask your administrator to send you a reminder with a new link."},
	{models.ErrInvitationUsed, http.StatusGone, "You have already joined",
		"This invitation was accepted. Sign in with your e-mail address and password."},
	{models.ErrInvitationRevoked, http.StatusGone, "This invitation was withdrawn",
		"Your administrator cancelled it. Ask them if you should have access."},
	{models.ErrInvitationNoLonger, http.StatusGone, "This invitation no longer applies",
		"Your account was changed since it was sent. Ask your administrator."},
}

func invitationProblem(c echo.Context, err error) error {
	return renderLinkProblem(c, invitationProblems, err)
}

func (s *Server) acceptForm(c echo.Context) error {
	token := c.Param("token")
	invitation, err := s.store.OpenInvitation(c.Request().Context(), token)
	if err != nil {
		return invitationProblem(c, err)
	}
	return render(c, http.StatusOK, views.AcceptPage(views.AcceptView{Token: token, CSRFToken: csrfToken(c),
		Invitation: invitation, Name: invitation.Name, Errors: map[string]string{}}))
}

func (s *Server) acceptSubmit(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	invitation, err := s.store.OpenInvitation(ctx, token)
	if err != nil {
		return invitationProblem(c, err)
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
		return invitationProblem(c, err)
	}
	if err := s.startSession(c, sessionToken); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) outbox(c echo.Context) error {
	messages, err := s.store.ListOutbox(c.Request().Context(), actorOf(c), 100)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OutboxPage(views.OutboxView{Chrome: chrome(c, "Outbox", views.SectionUsers),
		Messages: messages, Delivering: s.config.MailDelivering}))
}
