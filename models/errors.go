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
