package models

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The small set of domain errors every handler maps to an HTTP status in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	// ErrGone is something that existed and no longer does, such as a used link.
	ErrGone = errors.New("gone")
	// ErrThrottled refuses a request made too often in a short time; try again later.
	ErrThrottled = errors.New("too many attempts")
	// ErrBusy refuses work Roster has no capacity for right now, though it may in a few seconds:
	// the database refused a connection, a change kept losing to others' locks, every password
	// slot stayed taken. Nothing was changed; the caller may try again. Errors that wrap ErrBusy
	// keep their cause.
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

// Explain is every message, for a page that has no form to put them beside.
func (e FieldErrors) Explain() string {
	messages := make([]string, 0, len(e))
	for _, msg := range e {
		messages = append(messages, msg)
	}
	slices.Sort(messages)
	return strings.Join(messages, " ")
}

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

// DeactivationBlockedError refuses a deactivation whose blockers are not resolved.
type DeactivationBlockedError struct{ Impact *DeactivationImpact }

func (e DeactivationBlockedError) Error() string { return "some users cannot be deactivated yet" }

func (e DeactivationBlockedError) Unwrap() error { return ErrConflict }

// AddMembersRejectedError says why nobody was added: a message for the whole field, or the
// problem of each address. It unwraps to ErrInvalid.
type AddMembersRejectedError struct {
	Field string
	Lines []InviteLine
}

func (e AddMembersRejectedError) Error() string {
	return fmt.Sprintf("members not added: %q, %d addresses with problems", e.Field, e.Problems())
}

func (e AddMembersRejectedError) Unwrap() error { return ErrInvalid }

// Problems counts the addresses that have one.
func (e AddMembersRejectedError) Problems() int {
	n := 0
	for _, l := range e.Lines {
		if l.Problem != "" {
			n++
		}
	}
	return n
}

// LinkError is an e-mailed link (an invitation, a password reset) that does not work, or no
// longer does. It says why and what to do instead in words a person reads, and wraps ErrNotFound
// for a link that never worked or ErrGone for one that stopped.
type LinkError struct {
	code           error
	title, explain string
}

func (e LinkError) Error() string   { return e.title }
func (e LinkError) Unwrap() error   { return e.code }
func (e LinkError) Title() string   { return e.title }
func (e LinkError) Explain() string { return e.explain }

// The invitation links that do not work.
var (
	ErrInvitationUnknown = LinkError{ErrNotFound, "This invitation link does not work",
		"It may be mistyped, or a newer reminder replaced it. Use the link in the newest e-mail, or ask your administrator to send a reminder."}
	ErrInvitationExpired = LinkError{ErrGone, "This invitation has expired",
		fmt.Sprintf("Invitations last %d days. Ask your administrator to send you a reminder with a new link.", int(InvitationLifetime/(24*time.Hour)))}
	ErrInvitationUsed = LinkError{ErrGone, "You have already joined",
		"This invitation was accepted. Sign in with your e-mail address and password."}
	ErrInvitationRevoked = LinkError{ErrGone, "This invitation was withdrawn",
		"Your administrator cancelled it. Ask them if you should have access."}
	ErrInvitationNoLonger = LinkError{ErrGone, "This invitation no longer applies",
		"Your account was changed since it was sent. Ask your administrator."}
)

// InviteRejectedError says why nothing was invited: a message per form field and the problem of
// each person. It unwraps to ErrInvalid.
type InviteRejectedError struct {
	Fields FieldErrors
	Lines  []InviteLine
}

func (e InviteRejectedError) Error() string {
	return fmt.Sprintf("invitation refused: %d fields, %d addresses with problems", len(e.Fields), e.problems())
}

func (e InviteRejectedError) Unwrap() error { return ErrInvalid }

func (e InviteRejectedError) problems() int {
	n := 0
	for _, l := range e.Lines {
		if l.Problem != "" {
			n++
		}
	}
	return n
}

// The password reset links that do not work.
var (
	ErrPasswordResetUnknown = LinkError{ErrNotFound, "This password reset link does not work",
		"It may be mistyped or cut short. Use the link in the newest e-mail, or ask for a new one: on the sign-in page, choose “Forgot your password?”."}
	ErrPasswordResetReplaced = LinkError{ErrGone, "A newer link was sent",
		"Only the newest password reset link works. Use the one in the latest e-mail, or ask for a new one from the sign-in page."}
	ErrPasswordResetExpired = LinkError{ErrGone, "This password reset link has expired",
		"Links work for an hour. Ask for a new one: on the sign-in page, choose “Forgot your password?”."}
	ErrPasswordResetUsed = LinkError{ErrGone, "This link was already used",
		"A new password was chosen with it. Sign in with that password, or ask for a new link from the sign-in page."}
	ErrPasswordResetNoLonger = LinkError{ErrGone, "This password reset link no longer applies",
		"Your user is not active any more. Ask an administrator of your account."}
)

// PrivacyEditRefusedError refuses a privacy edit of a user who is not deactivated: active users
// keep their own profile up to date, and invited users choose their name when they join. It
// unwraps to ErrConflict.
type PrivacyEditRefusedError struct{ Status UserStatus }

func (e PrivacyEditRefusedError) Error() string {
	if e.Status == StatusInvited {
		return "Only deactivated users can be edited this way; invited users choose their name when they join."
	}
	return "Only deactivated users can be edited this way; active users edit their own profile."
}

func (e PrivacyEditRefusedError) Unwrap() error { return ErrConflict }

// QuantityBelowUseError refuses lowering a plan below the seats its people hold. It unwraps to
// ErrConflict.
type QuantityBelowUseError struct {
	Plan      string
	InUse     int
	Reserved  int
	Requested int
}

func (e QuantityBelowUseError) Error() string {
	return fmt.Sprintf("Plan %s needs at least %d seats: %d in use and %d reserved by invitations (asked for %d).",
		e.Plan, e.InUse+e.Reserved, e.InUse, e.Reserved, e.Requested)
}

func (e QuantityBelowUseError) Unwrap() error { return ErrConflict }

// SeatShortfall says how many seats a plan lacks for an operation.
type SeatShortfall struct {
	PlanID  int64
	Plan    string
	Needed  int
	Free    int
	Missing int
}

// SeatsExhaustedError refuses an operation that would use more seats than a plan has; it names
// every plan that lacks seats and by how many. It unwraps to ErrConflict.
type SeatsExhaustedError struct{ Shortfalls []SeatShortfall }

func (e SeatsExhaustedError) Error() string {
	parts := make([]string, len(e.Shortfalls))
	for i, s := range e.Shortfalls {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

func (e SeatsExhaustedError) Unwrap() error { return ErrConflict }

// String is the shortfall as a sentence for the admin.
func (s SeatShortfall) String() string {
	seats := "seats"
	if s.Missing == 1 {
		seats = "seat"
	}
	return fmt.Sprintf("Plan %s lacks %d %s: %d needed, %d free.", s.Plan, s.Missing, seats, s.Needed, s.Free)
}

// TransferRefusedError refuses to transfer a user's account for a reason no choice on the form
// can fix. It unwraps to ErrConflict.
type TransferRefusedError struct{ Reason string }

func (e TransferRefusedError) Error() string { return e.Reason }

func (e TransferRefusedError) Unwrap() error { return ErrConflict }

// BulkRefusal says why an action cannot apply to some of the selected users; nothing was done.
// It unwraps to ErrConflict.
type BulkRefusal struct {
	Action  string
	Reasons map[int64]string
	Names   map[int64]string
}

func (e BulkRefusal) Error() string {
	return fmt.Sprintf("%s refused for %d users", e.Action, len(e.Reasons))
}

func (e BulkRefusal) Unwrap() error { return ErrConflict }
