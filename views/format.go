package views

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"roster/models"
)

// InvitationLifetimeText is how long an invitation link works, as the pages say it: "7 days".
var InvitationLifetimeText = models.Count(int(models.InvitationLifetime/(24*time.Hour)), "day", "days")

// MaxUsersPerActionText is the most people one action takes, as the pages say it: "5,000".
var MaxUsersPerActionText = thousands(models.MaxUsersPerAction)

// Now is the clock relative times are measured against; tests pin it.
var Now = time.Now

// relativeTime says how long ago t was, the way people say it: "just now", "3 days ago".
func relativeTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	d := Now().Sub(*t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return models.Count(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 24*time.Hour:
		return models.Count(int(d/time.Hour), "hour", "hours") + " ago"
	case d < 30*24*time.Hour:
		return models.Count(int(d/(24*time.Hour)), "day", "days") + " ago"
	case d < 365*24*time.Hour:
		return models.Count(int(d/(30*24*time.Hour)), "month", "months") + " ago"
	}
	return models.Count(int(d/(365*24*time.Hour)), "year", "years") + " ago"
}

// isoTime is the machine-readable form for <time datetime>.
func isoTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func longDate(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// LeaveDateText is a leave date as people read it, in the zone it was chosen in:
// "3 Dec 2026, 17:00 (Europe/Berlin)". An unknown zone reads as UTC.
func LeaveDateText(at time.Time, zone string) string {
	loc := (&models.Account{TimeZone: zone}).Location()
	return at.In(loc).Format("2 Jan 2006, 15:04") + " (" + loc.String() + ")"
}

// money formats cents in the currency, e.g. "€39.00".
func money(cents int64, currency string) string {
	symbol := currency + " "
	switch currency {
	case "EUR":
		symbol = "€"
	case "USD":
		symbol = "$"
	case "GBP":
		symbol = "£"
	}
	return fmt.Sprintf("%s%s.%02d", symbol, thousands(cents/100), cents%100)
}

// moneyTotal is amounts in several currencies, as cents per currency, written as one sum in
// alphabetical order of currency: "€12.00 + $3.00"; zero euros when there are none.
func moneyTotal(cents map[string]int64) string {
	currencies := slices.Sorted(maps.Keys(cents))
	if len(currencies) == 0 {
		return money(0, "EUR")
	}
	parts := make([]string, len(currencies))
	for i, c := range currencies {
		parts[i] = money(cents[c], c)
	}
	return strings.Join(parts, " + ")
}

// initials are the letters shown in an avatar: "Ada Lovelace" → "AL".
func initials(name string) string {
	var out []rune
	for _, word := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(word)
		if unicode.IsLetter(r) {
			out = append(out, unicode.ToUpper(r))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// thousands is the one grouping of numbers, under the short name templates use.
var thousands = models.Thousands
