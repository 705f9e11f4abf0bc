package models

import (
	"errors"
	"fmt"
	"strings"
)

// The small set of domain errors every handler maps to an HTTP status in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
)

// FieldErrors carries a message per form field so a view can print each beside its input.
// It unwraps to ErrInvalid.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	parts := make([]string, 0, len(e))
	for field, msg := range e {
		parts = append(parts, field+": "+msg)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e FieldErrors) Unwrap() error { return ErrInvalid }

// SignInThrottledError says that too many sign-ins failed recently; RetryAfter is what the
// person should wait.
type SignInThrottledError struct{ RetryAfterMinutes int }

func (e SignInThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; retry in %d minutes", e.RetryAfterMinutes)
}

func (e SignInThrottledError) Unwrap() error { return ErrForbidden }

// ViewOnlyError refuses a change made while viewing as someone: "View as" is read-only.
type ViewOnlyError struct{ User string }

func (e ViewOnlyError) Error() string {
	return fmt.Sprintf("You are viewing as %s, which is read-only: nothing can be changed. Stop viewing, then use \"Act as\" with a reason to make changes.", e.User)
}

func (e ViewOnlyError) Unwrap() error { return ErrForbidden }

// ImpersonationRefusedError says why the actor may not view or act as User.
type ImpersonationRefusedError struct{ User, Reason string }

func (e ImpersonationRefusedError) Error() string {
	return fmt.Sprintf("You cannot impersonate %s: %s.", e.User, e.Reason)
}

func (e ImpersonationRefusedError) Unwrap() error { return ErrForbidden }

// RoleChangeRefusedError says why User's role cannot be changed.
type RoleChangeRefusedError struct{ User, Reason string }

func (e RoleChangeRefusedError) Error() string {
	return fmt.Sprintf("%s's role cannot be changed: %s.", e.User, e.Reason)
}

func (e RoleChangeRefusedError) Unwrap() error { return ErrForbidden }

// Explain is the message a person sees on the error page.
func (e ViewOnlyError) Explain() string { return e.Error() }

// Explain is the message a person sees on the error page.
func (e ImpersonationRefusedError) Explain() string { return e.Error() }

// Explain is the message a person sees on the error page.
func (e RoleChangeRefusedError) Explain() string { return e.Error() }
