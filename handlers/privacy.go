package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// privacyForm shows the privacy edit of one user, or for a user who is not deactivated, why it
// does not apply to them.
func (s *Server) privacyForm(c echo.Context) error {
	view, err := s.privacyView(c)
	if err != nil {
		return err
	}
	view.Name = view.User.Name
	return render(c, http.StatusOK, views.PrivacyPage(*view))
}

// privacySubmit applies a privacy edit. Refusals re-render the form with the message beside the
// field, or instead of the form when the user is not deactivated (any more).
func (s *Server) privacySubmit(c echo.Context) error {
	view, err := s.privacyView(c)
	if err != nil {
		return err
	}
	params, err := formParams(c)
	if err != nil {
		return err
	}
	view.Name = truncateRunes(params.Get("name"), 1000)
	view.RemovePhone, view.RemovePicture = params.Get("remove_phone") == "1", params.Get("remove_picture") == "1"
	err = s.store.EditInactiveUserPrivacy(c.Request().Context(), actorOf(c), view.User.ID,
		models.PrivacyEdit{Name: view.Name, RemovePhone: view.RemovePhone, RemovePicture: view.RemovePicture})
	var fields models.FieldErrors
	var refused models.PrivacyEditRefusedError
	switch {
	case errors.As(err, &fields):
		view.Errors = fields
		return render(c, http.StatusUnprocessableEntity, views.PrivacyPage(*view))
	case errors.As(err, &refused):
		view.Refusal = refused.Error()
		return render(c, statusOf(err), views.PrivacyPage(*view))
	case err != nil:
		return err
	}
	s.flash(c, "Saved. The change is in the audit log.")
	return redirect(c, views.UserHref(view.User.ID))
}

// privacyView loads the user the form is about. Malformed, unknown and foreign IDs are all
// ErrNotFound.
func (s *Server) privacyView(c echo.Context) (*views.PrivacyView, error) {
	id, ok := positiveID(c.Param("id"))
	if !ok {
		return nil, models.ErrNotFound
	}
	user, err := s.store.PrivacyEditTarget(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return nil, err
	}
	view := &views.PrivacyView{Chrome: chrome(c, "Privacy edit: "+user.Name, views.SectionUsers), User: user, Errors: map[string]string{}}
	if err := models.PrivacyEditable(user); err != nil {
		view.Refusal = err.Error()
	}
	return view, nil
}
