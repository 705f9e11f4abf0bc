package views

import (
	"roster/models"
	"roster/routes"
)

// PrivacyView is the privacy-edit form of one deactivated user: the values entered and what was
// wrong with them.
type PrivacyView struct {
	Chrome
	// User is the user as stored, for what the form shows about them now.
	User          *models.User
	Name          string
	RemovePhone   bool
	RemovePicture bool
	// Refusal explains why this user cannot be edited this way; the form is then not offered.
	Refusal string
	Errors  map[string]string
}

func (v PrivacyView) action() string { return routes.Path(routes.RoutePrivacySubmit, v.User.ID) }
