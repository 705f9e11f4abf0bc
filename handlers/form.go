package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"roster/models"
)

// formText is a submitted value as it may be shown back in a form: valid UTF-8 on one line,
// cut to max characters. What the store is given is the value as sent, so that it can say
// what is wrong with it.
func formText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return truncateRunes(s, max)
}

// positiveID parses a database ID from a URL; anything else is no ID at all.
func positiveID(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// idList reads IDs given as repeated values and/or comma-separated lists. ok is false when a
// value is not an ID. It stops one past MaxUsersPerAction, so a pasted flood costs nothing and
// the store can still refuse "too many" with its message.
func idList(values []string) (ids []int64, ok bool) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			id, valid := positiveID(part)
			if !valid {
				return nil, false
			}
			ids = append(ids, id)
			if len(ids) > models.MaxUsersPerAction {
				return ids, true
			}
		}
	}
	return ids, true
}

// parseIDs is idList for a selection of users: at least one, at most MaxUsersPerAction.
func parseIDs(values []string) ([]int64, bool) {
	ids, ok := idList(values)
	return ids, ok && len(ids) > 0 && len(ids) <= models.MaxUsersPerAction
}

// errUnreadableForm refuses a request whose body is not a form that can be read.
var errUnreadableForm = echo.NewHTTPError(http.StatusBadRequest, "the form could not be read")

// formParams is the submitted form; a body that cannot be read is a bad request.
func formParams(c echo.Context) (url.Values, error) {
	params, err := c.FormParams()
	if err != nil {
		return nil, errUnreadableForm
	}
	return params, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// fieldErr puts a FieldErrors err into errs under field and tells whether it did.
func fieldErr(err error, errs map[string]string, field string) bool {
	var fields models.FieldErrors
	if !errors.As(err, &fields) {
		return false
	}
	errs[field] = fields[field]
	return true
}
