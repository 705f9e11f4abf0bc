// Package views renders Roster's pages and fragments with templ. Components are pure functions of
// the structs passed to them; they never reach the database.
package views

import (
	"encoding/json"
	"time"
)

// Chrome is what every page of the signed-in console shows around its content.
type Chrome struct {
	Title       string
	AccountName string
	UserName    string
	UserRole    string
	// UserPictureURL is the signed-in user's profile picture; empty shows their initials.
	UserPictureURL string
	CSRFToken      string
	// Section marks the current navigation entry.
	Section string
	// Nav lists the sections this user may open, in order.
	Nav []NavItem
	// Impersonation fills the banner shown on every page while someone views or acts as
	// another user.
	Impersonation *ImpersonationBanner
	// Notice is something that happened by itself, such as an impersonation that ended.
	Notice string
	// SkipTo is a second skip link for a page whose main content sits below many controls.
	SkipTo *SkipLink
	// Refusal says, at the top of the page the admin came from, why their action changed nothing.
	Refusal *Refusal
}

// SkipLink jumps keyboard users past a page's controls.
type SkipLink struct {
	Href  string
	Label string
}

// currentLabel names the navigation entry of the current page, for the folded menu's button.
func (c Chrome) currentLabel() string {
	for _, item := range c.Nav {
		if item.Section == c.Section {
			return item.Label
		}
	}
	return "Menu"
}

// ImpersonationBanner says who is really signed in, whom they appear as, how and until when.
type ImpersonationBanner struct {
	RealName string
	AsName   string
	// ReadOnly is "View as"; otherwise changes are allowed and recorded with both names.
	ReadOnly    bool
	EndsAt      time.Time
	MinutesLeft int
}

// NavItem is one entry of the settings navigation.
type NavItem struct {
	Section string
	Label   string
	Href    string
	// Count, when above 0, is shown beside the label: how many things wait there.
	Count int64
}

// Section names for Chrome.Section.
const (
	SectionUsers  = "users"
	SectionHome   = "home"
	SectionGroups = "groups"
	// SectionRecords is the records page.
	SectionRecords = "records"
	SectionAudit   = "audit"
	SectionAccount = "account"
)

// csrfHeaders is the hx-headers value that makes every htmx request carry the CSRF token.
func csrfHeaders(token string) string {
	encoded, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(encoded)
}

// htmxConfig turns off what Roster's Content-Security-Policy forbids anyway: inline indicator
// styles, eval and script tags in swapped content.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":20}`

// mayOpen tells whether section is in this user's navigation, so that a hint links only to pages
// they may open.
func (c Chrome) mayOpen(section string) bool {
	for _, item := range c.Nav {
		if item.Section == section {
			return true
		}
	}
	return false
}
