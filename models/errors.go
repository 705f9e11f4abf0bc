package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The small set of domain errors every handler maps to an HTTP status in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	// ErrThrottled refuses a request made too often in a short time; try again later.
	ErrThrottled = errors.New("too many attempts")
	// ErrBusy refuses a request the server has no capacity for right now; try again soon.
	ErrBusy = errors.New("busy")
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

// SignInThrottledError says that too many sign-ins failed recently, for the address or from the
// client; Wait is how long until the next attempt is accepted. It unwraps to ErrThrottled.
type SignInThrottledError struct{ Wait time.Duration }

func (e SignInThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; retry in %s", e.Wait)
}

func (e SignInThrottledError) Unwrap() error { return ErrThrottled }

// RetryAfter is how long the client should wait before trying again.
func (e SignInThrottledError) RetryAfter() time.Duration { return e.Wait }

// Explain is the message a person sees beside the sign-in form.
func (e SignInThrottledError) Explain() string {
	return "Too many failed sign-ins. Try again in " + waitText(e.Wait) + "."
}

// PasswordWorkBusyError says that every slot for checking or hashing a password stayed taken
// for the few seconds a request waits: the server is flooded with sign-ins. It unwraps to ErrBusy.
type PasswordWorkBusyError struct{ Wait time.Duration }

func (e PasswordWorkBusyError) Error() string {
	return "every password-hashing slot is taken"
}

func (e PasswordWorkBusyError) Unwrap() error { return ErrBusy }

// RetryAfter is how long the client should wait before trying again.
func (e PasswordWorkBusyError) RetryAfter() time.Duration { return e.Wait }

// Explain is the message a person sees on the error page.
func (e PasswordWorkBusyError) Explain() string {
	return "Roster is checking an unusual number of passwords right now, so yours could not be checked. Nothing was changed. Try again in " +
		waitText(e.Wait) + "."
}

// waitText says how long d is in the words of "Try again in …", rounded up.
func waitText(d time.Duration) string {
	if d < time.Minute {
		seconds := int((d + time.Second - 1) / time.Second)
		if seconds <= 1 {
			return "a second"
		}
		return fmt.Sprintf("%d seconds", seconds)
	}
	minutes := int((d + time.Minute - 1) / time.Minute)
	if minutes == 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", minutes)
}

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
