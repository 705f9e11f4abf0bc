package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"roster/models"
	"roster/views"
)

// parseSelectionForm reads a POSTed form about a selection of users: its values and the IDs in
// "ids". A body that cannot be read is a bad request; a missing, malformed or too large
// selection is ErrNotFound.
func parseSelectionForm(c echo.Context) (url.Values, []int64, error) {
	params, err := formParams(c)
	if err != nil {
		return nil, nil, err
	}
	ids, ok := parseIDs(params["ids"])
	if !ok {
		return nil, nil, models.ErrNotFound
	}
	return params, ids, nil
}

// selectionBack is where a page about a selection of users returns to: back when it is a safe
// local address, else the profile of a single selected user, else the user list.
func selectionBack(back string, ids []int64) string {
	switch {
	case back != "":
		return safeNext(back)
	case len(ids) == 1:
		return views.UserHref(ids[0])
	}
	return views.UsersPath
}
