package routes

import (
	"strings"
	"testing"
)

func TestPathFillsParametersInOrder(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Path(RouteUsers), "/settings/users"},
		{Path(RouteHome), "/"},
		{Path(RouteUserProfile, int64(42)), "/settings/users/42"},
		{Path(RouteTransfer, 7), "/settings/users/7/transfer"},
		{Path(RoutePicture, int64(3), "5f1e.jpg"), "/pictures/3/5f1e.jpg"},
		{Path(RouteScimUser, uint8(9)), "/scim/v2/Users/9"},
		{Path(RouteScimSchema, "urn:ietf:params:scim:schemas:core:2.0:User"), "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"},
		{Path(RouteStatic, "css/app.0a1b.css"), "/static/css/app.0a1b.css"},
		{PathTemplate(RouteImpersonate), "/settings/users/{id}/impersonate"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// A value cannot step out of its segment: slashes, query and fragment marks and spaces are
// escaped, in a wildcard within each segment.
func TestPathEscapesValues(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Path(RouteInvitation, "a b/../c?d#e"), "/invitations/a%20b%2F..%2Fc%3Fd%23e"},
		{Path(RoutePasswordReset, "tök en"), "/password/reset/t%C3%B6k%20en"},
		{Path(RouteStatic, "img/a b?.png"), "/static/img/a%20b%3F.png"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestPathRefusesWrongParameters(t *testing.T) {
	for _, tc := range []struct {
		name   string
		route  string
		params []any
	}{
		{"too few", RouteUserProfile, nil},
		{"too few of two", RoutePicture, []any{1}},
		{"too many", RouteUsers, []any{1}},
		{"too many for one", RouteTransfer, []any{1, 2}},
		{"unknown route", "no.such.route", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(%q, %v) did not panic", tc.route, tc.params)
				}
			}()
			Path(tc.route, tc.params...)
		})
	}
}

// Every pattern is an absolute path in Echo's syntax, so that Path and the router read it alike.
func TestRoutePatternsAreAbsolutePaths(t *testing.T) {
	for name, pattern := range RoutePatterns() {
		if !strings.HasPrefix(pattern, "/") || strings.Contains(pattern, "//") || strings.ContainsAny(pattern, "?#{} ") {
			t.Errorf("route %q has pattern %q", name, pattern)
		}
		if i := strings.IndexByte(pattern, '*'); i >= 0 && i != len(pattern)-1 {
			t.Errorf("route %q has a wildcard before its end: %q", name, pattern)
		}
	}
}
