package views

import (
	"testing"

	"roster/routes"
)

func TestPathBuildersFillTheRouteTable(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{UserHref(42), "/settings/users/42"},
		{DeleteUsersHref(5), "/settings/users/delete?ids=5"},
		{SelectionHref(routes.RouteDeactivate, "1,2"), "/settings/users/deactivate?ids=1,2"},
		{UsersTabHref("active"), "/settings/users"},
		{UsersTabHref("inactive"), "/settings/users?tab=inactive"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
