package views

import (
	"strings"

	"roster/routes"
)

// picturePrefix starts every address a picture is served at.
var picturePrefix = routes.Pattern(routes.RoutePicture)[:strings.IndexByte(routes.Pattern(routes.RoutePicture), ':')]

// servedPicture tells whether a picture address is one Roster serves itself. Any other, such as
// an address from elsewhere stored before Roster kept pictures, would be blocked by the page's
// Content-Security-Policy, so the initials show instead.
func servedPicture(url string) bool {
	return strings.HasPrefix(url, picturePrefix)
}

// avatarClass is the style class of an avatar of size ("" for the default).
func avatarClass(size string) string {
	if size == "" {
		return "avatar"
	}
	return "avatar avatar-" + size
}
