// Package views renders Roster's pages and fragments with templ. Components are pure functions of
// the structs passed to them; they never reach the database.
package views

import (
	"encoding/json"
)

// Chrome is what every page of the signed-in console shows around its content.
type Chrome struct {
	Title       string
	AccountName string
	UserName    string
	UserRole    string
	CSRFToken   string
	// Section marks the current navigation entry.
	Section string
	// Nav lists the sections this user may open, in order.
	Nav []NavItem
}

// NavItem is one entry of the settings navigation.
type NavItem struct {
	Section string
	Label   string
	Href    string
}

// Section names for Chrome.Section.
const (
	SectionUsers = "users"
	SectionHome  = "home"
)

// csrfHeaders is the hx-headers value that makes every htmx request carry the CSRF token.
func csrfHeaders(token string) string {
	encoded, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(encoded)
}

// htmxConfig turns off what Roster's Content-Security-Policy forbids anyway: inline indicator
// styles, eval and script tags in swapped content.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":20}`
