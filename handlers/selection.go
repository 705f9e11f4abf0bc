package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"roster/models"
)

// parseSelectionForm reads a POSTed form about a selection of users: its values and the IDs in
// "ids". A body that cannot be read is a bad request; a missing, malformed or too large
// selection is ErrNotFound.
func parseSelectionForm(c echo.Context) (url.Values, []int64, error) {
	params, err := c.FormParams()
	if err != nil {
		return nil, nil, echo.NewHTTPError(http.StatusBadRequest)
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
		return fmt.Sprintf("/settings/users/%d", ids[0])
	}
	return "/settings/users"
}

// parseIDs reads user IDs given as repeated values and/or comma-separated lists.
func parseIDs(values []string) ([]int64, bool) {
	var ids []int64
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, ok := positiveID(part)
			if !ok {
				return nil, false
			}
			ids = append(ids, id)
		}
	}
	return ids, len(ids) > 0 && len(ids) <= models.MaxUsersPerAction
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
