package models

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every text that reaches the database passes through this file. Text a person typed into a form
// (names, group names, reasons) is checked by checkText and refused with a message beside its
// field; text used only to look something up (searches, cursors) or written by the machine
// (client addresses, user agents) is cleaned instead. PostgreSQL refuses invalid UTF-8 and NUL
// outright, so nothing may reach it unchecked or uncleaned.

// Messages shared by every free-text field.
const (
	msgInvalidText = "Use plain text: this holds characters that are not valid."
	msgControlLine = "Use a single line without control characters."
	msgControlText = "Remove the control characters: use plain text only."
)

// checkText trims s and returns it, with a message when it cannot be kept as a person typed it,
// or "": not valid UTF-8, holding control characters (line breaks and tabs too, unless
// multiline), line or paragraph separators or the bidirectional overrides that would let it hide
// or reorder text where admins read it, or longer than max characters. Whether it may be empty
// is for the caller to say. A multiline text comes back on one line, its breaks and tabs turned
// into spaces, as the audit log shows it.
func checkText(s string, max int, multiline bool) (string, string) {
	if !utf8.ValidString(s) {
		return strings.TrimSpace(strings.ToValidUTF8(s, "")), msgInvalidText
	}
	if multiline {
		s = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' {
				return ' '
			}
			return r
		}, s)
	}
	s = strings.TrimSpace(s)
	switch {
	case strings.IndexFunc(s, invisibleControl) >= 0 && multiline:
		return s, msgControlText
	case strings.IndexFunc(s, invisibleControl) >= 0:
		return s, msgControlLine
	case utf8.RuneCountInString(s) > max:
		return s, fmt.Sprintf("Use at most %d characters.", max)
	}
	return s, ""
}

// invisibleControl reports characters no typed text may hold: control characters, line and
// paragraph separators, and the bidirectional overrides and isolates that make a text read
// differently from how it sorts and compares.
func invisibleControl(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// validateName applies the rules of every person's and account's name, or "" when it is fine.
func validateName(name string) string {
	name, msg := checkText(name, MaxNameLength, false)
	if msg == "" && name == "" {
		return "Enter a name."
	}
	return msg
}

// MaxReasonLength bounds the reason recorded with a deactivation, transfer, seat change or
// impersonation.
const MaxReasonLength = 500

// checkReason checks a reason typed into a form: it returns the reason as the audit log keeps
// it, with a message when it holds what no text may or is longer than MaxReasonLength. An
// empty reason is for the caller to judge.
func checkReason(reason string) (string, string) {
	reason, msg := checkText(reason, MaxReasonLength, true)
	if msg != "" && utf8.RuneCountInString(reason) > MaxReasonLength {
		msg = fmt.Sprintf("Keep the reason under %d characters.", MaxReasonLength)
	}
	return reason, msg
}

// cleanReason is checkReason for operations that have no other field: FieldErrors on "reason".
func cleanReason(reason string) (string, error) {
	reason, msg := checkReason(reason)
	if msg != "" {
		return reason, FieldErrors{"reason": msg}
	}
	return reason, nil
}

// CleanSearch is the text a search looks for: valid UTF-8 without control characters, trimmed
// and at most MaxSearchLength characters, so that any query string is safe to send to the
// database. The notice says what was changed, or is "".
func CleanSearch(q string) (search, notice string) {
	search = strings.TrimSpace(cleanText(q))
	if search != strings.TrimSpace(q) {
		notice = "Characters that are not plain text were left out of the search."
	}
	if r := []rune(search); len(r) > MaxSearchLength {
		search = string(r[:MaxSearchLength])
		notice = fmt.Sprintf("The search was shortened to its first %d characters.", MaxSearchLength)
	}
	return search, notice
}

// cleanText drops what no text column should hold: invalid UTF-8 and control characters such as
// NUL, which PostgreSQL refuses outright. It is for text nobody is asked to correct.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// truncate cuts s to at most max bytes without splitting a character: PostgreSQL refuses
// invalid UTF-8.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// Every count shown to a person is worded here, so that "1 record" and "3 records" read the same
// on every page, message and mail.

// Plural picks one or many for n: Plural(1, "person", "people") is "person".
func Plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n, grouped in thousands, followed by its wording: Count(1200, "record", "records") is
// "1,200 records".
func Count[N ~int | ~int64](n N, one, many string) string {
	return Thousands(int64(n)) + " " + Plural(n, one, many)
}

// Thousands writes n with comma grouping: 100000 is "100,000".
func Thousands(n int64) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
