package views

import "roster/models"

// ForgotPasswordView is "Forgot your password?": the address asked for, or the answer that a link
// may be on its way. The answer reads the same whether or not the address exists.
type ForgotPasswordView struct {
	CSRFToken string
	Email     string
	Errors    map[string]string
	// Sent shows the answer instead of the form.
	Sent bool
}

// ResetPasswordView is the page behind a reset link, where the user chooses a new password.
type ResetPasswordView struct {
	Token     string
	CSRFToken string
	Reset     *models.PasswordResetView
	Errors    map[string]string
}
