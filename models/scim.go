package models

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	filter "github.com/scim2/filter-parser/v2"
)

// SCIM schema URNs (RFC 7643) and Roster's own extension.
const (
	ScimSchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	ScimSchemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	ScimSchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ScimSchemaRoster     = "urn:roster:scim:schemas:extension:roster:2.0:User"
	ScimSchemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ScimSchemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ScimSchemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// SCIM paging bounds (RFC 7644 §3.4.2.4).
const (
	ScimDefaultCount = 100
	ScimMaxCount     = 1000
	// maxScimFilterLength bounds a filter before it is parsed.
	maxScimFilterLength = 2000
	// maxScimPatchOps bounds one PATCH request.
	maxScimPatchOps = 1000
)

// SCIM error types (RFC 7644 §3.12).
const (
	ScimInvalidFilter = "invalidFilter"
	ScimInvalidSyntax = "invalidSyntax"
	ScimInvalidPath   = "invalidPath"
	ScimInvalidValue  = "invalidValue"
	ScimNoTarget      = "noTarget"
	ScimUniqueness    = "uniqueness"
	ScimMutability    = "mutability"
	ScimTooMany       = "tooMany"
)

// ScimError is a refusal an identity provider is told about in SCIM's terms: Kind is the domain
// error it unwraps to (ErrInvalid, ErrConflict, ErrNotFound), Type the scimType, Detail the
// sentence an administrator reads in the provider's log.
type ScimError struct {
	Kind   error
	Type   string
	Detail string
}

func (e ScimError) Error() string { return e.Detail }
func (e ScimError) Unwrap() error { return e.Kind }

func scimInvalid(scimType, format string, args ...any) ScimError {
	return ScimError{Kind: ErrInvalid, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

func scimConflict(scimType, format string, args ...any) ScimError {
	return ScimError{Kind: ErrConflict, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

// ScimExplain turns a domain refusal that a SCIM operation met (seats, blockers, bulk refusals,
// field errors) into the one sentence the identity provider shows; ok is false for errors that
// are not refusals.
func ScimExplain(err error) (detail string, ok bool) {
	var scimErr ScimError
	var seats SeatsExhaustedError
	var blocked DeactivationBlockedError
	var refusal BulkRefusal
	var fields FieldErrors
	var members AddMembersRejectedError
	switch {
	case errors.As(err, &scimErr):
		return scimErr.Detail, true
	case errors.As(err, &seats):
		return seats.Error(), true
	case errors.As(err, &blocked):
		var parts []string
		for _, u := range blocked.Impact.Users {
			for _, b := range u.Blockers {
				if !b.FixedByDemoting {
					parts = append(parts, u.User.Name+": "+b.Message)
				}
			}
		}
		return "Cannot deactivate. " + strings.Join(parts, " "), true
	case errors.As(err, &refusal):
		var parts []string
		for id, reason := range refusal.Reasons {
			parts = append(parts, refusal.Names[id]+": "+reason)
		}
		return refusal.Action + " refused. " + strings.Join(parts, " "), true
	case errors.As(err, &members):
		parts := []string{}
		if members.Field != "" {
			parts = append(parts, members.Field)
		}
		for _, l := range members.Lines {
			if l.Problem != "" {
				parts = append(parts, l.Email+": "+l.Problem)
			}
		}
		return strings.Join(parts, " "), true
	case errors.As(err, &fields):
		parts := make([]string, 0, len(fields))
		for field, msg := range fields {
			parts = append(parts, field+": "+msg)
		}
		return strings.Join(parts, " "), true
	}
	return "", false
}

// ScimPage is what a list asks for: a filter, a 1-based start index and a page size.
type ScimPage struct {
	Filter     string
	StartIndex int
	Count      int
}

// ParseScimPage reads startIndex and count as RFC 7644 §3.4.2.4 says: a startIndex below 1 is 1,
// a negative count is 0, and count is capped at ScimMaxCount.
func ParseScimPage(filterText, startIndex, count string) (ScimPage, error) {
	page := ScimPage{Filter: filterText, StartIndex: 1, Count: ScimDefaultCount}
	if startIndex != "" {
		n, err := strconv.Atoi(startIndex)
		if err != nil {
			return page, scimInvalid(ScimInvalidValue, "startIndex must be a whole number.")
		}
		page.StartIndex = max(n, 1)
	}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil {
			return page, scimInvalid(ScimInvalidValue, "count must be a whole number.")
		}
		page.Count = min(max(n, 0), ScimMaxCount)
	}
	return page, nil
}

// scimAttribute is one attribute a filter may name, with the SQL it compares.
type scimAttribute struct {
	column string
	kind   scimKind
}

type scimKind int

const (
	scimString   scimKind = iota // case-insensitive text
	scimExact                    // case-sensitive text (externalId)
	scimEmail                    // stored lower-case
	scimTime                     // timestamps
	scimActive                   // the status, as a boolean
	scimID                       // a numeric ID sent as a string
	scimWorkType                 // emails.type / phoneNumbers.type: always "work"
	scimRef                      // a referenced user's or group's ID
)

// scimUserFilterAttributes is the allow-list of what a user filter may compare: anything else is
// an invalidFilter, so no text from a filter ever becomes SQL.
var scimUserFilterAttributes = map[string]scimAttribute{
	"id":                 {"users.id", scimID},
	"username":           {"users.email", scimEmail},
	"emails":             {"users.email", scimEmail},
	"emails.value":       {"users.email", scimEmail},
	"emails.type":        {"", scimWorkType},
	"displayname":        {"users.name", scimString},
	"name.formatted":     {"users.name", scimString},
	"name.givenname":     {"su.given_name", scimString},
	"name.familyname":    {"su.family_name", scimString},
	"externalid":         {"su.external_id", scimExact},
	"active":             {"users.status", scimActive},
	"phonenumbers":       {"users.phone", scimString},
	"phonenumbers.value": {"users.phone", scimString},
	"meta.lastmodified":  {"users.updated_at", scimTime},
	"meta.created":       {"users.created_at", scimTime},
	"manager.value":      {"users.manager_id", scimRef},
	"manager":            {"users.manager_id", scimRef},
	"groups":             {"users.id IN (SELECT gm.user_id FROM group_members gm WHERE gm.group_id", scimRef},
	"groups.value":       {"users.id IN (SELECT gm.user_id FROM group_members gm WHERE gm.group_id", scimRef},
}

// scimGroupFilterAttributes is the allow-list of a group filter.
var scimGroupFilterAttributes = map[string]scimAttribute{
	"id":                {"groups.id", scimID},
	"displayname":       {"groups.name", scimString},
	"externalid":        {"groups.external_id", scimExact},
	"meta.created":      {"groups.created_at", scimTime},
	"members":           {"groups.id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id", scimRef},
	"members.value":     {"groups.id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id", scimRef},
	"meta.lastmodified": {"groups.created_at", scimTime},
}

// valuePathThenSub matches the form `emails[type eq "work"].value eq "x"`, which providers send
// but RFC 7644's filter grammar spells `emails[type eq "work" and value eq "x"]`.
var valuePathThenSub = regexp.MustCompile(`([A-Za-z][\w$-]*)\[((?:[^\]"]|"(?:[^"\\]|\\.)*")*)\]\.([A-Za-z][\w$-]*)\s+(eq|ne|co|sw|ew|gt|lt|ge|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|[-\d.eE+]+)`)

// parseScimFilter parses a filter with the SCIM filter grammar. Returns ScimError invalidFilter.
func parseScimFilter(text string) (filter.Expression, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if len(text) > maxScimFilterLength {
		return nil, scimInvalid(ScimInvalidFilter, "The filter is longer than %d characters.", maxScimFilterLength)
	}
	text = valuePathThenSub.ReplaceAllString(text, `$1[$2 and $3 $4 $5]`)
	expr, err := filter.ParseFilter([]byte(text))
	if err != nil {
		return nil, scimInvalid(ScimInvalidFilter, "The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2).")
	}
	return expr, nil
}

// scimSQL translates a parsed filter into a parameterised SQL condition over the allow-listed
// attributes. Every value is a bound parameter.
type scimSQL struct {
	attributes map[string]scimAttribute
	schema     string
	depth      int
}

func (t *scimSQL) translate(expr filter.Expression, prefix string) (string, []any, error) {
	t.depth++
	defer func() { t.depth-- }()
	if t.depth > 50 {
		return "", nil, scimInvalid(ScimInvalidFilter, "The filter nests too deeply.")
	}
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		left, largs, err := t.translate(e.Left, prefix)
		if err != nil {
			return "", nil, err
		}
		right, rargs, err := t.translate(e.Right, prefix)
		if err != nil {
			return "", nil, err
		}
		op := " AND "
		if strings.EqualFold(string(e.Operator), "or") {
			op = " OR "
		}
		return "(" + left + op + right + ")", append(largs, rargs...), nil
	case *filter.NotExpression:
		inner, args, err := t.translate(e.Expression, prefix)
		if err != nil {
			return "", nil, err
		}
		return "NOT (" + inner + ")", args, nil
	case *filter.ValuePath:
		name, err := t.attributeName(e.AttributePath, "")
		if err != nil {
			return "", nil, err
		}
		return t.translate(e.ValueFilter, name)
	case *filter.AttributeExpression:
		name, err := t.attributeName(e.AttributePath, prefix)
		if err != nil {
			return "", nil, err
		}
		return t.compare(name, strings.ToLower(string(e.Operator)), e.CompareValue)
	}
	return "", nil, scimInvalid(ScimInvalidFilter, "The filter is not supported.")
}

// attributeName is the lower-case dotted name of path, checked against the schema's URN.
func (t *scimSQL) attributeName(path filter.AttributePath, prefix string) (string, error) {
	uri := path.URI()
	name := path.AttributeName
	if uri != "" && !strings.EqualFold(uri, t.schema) {
		if strings.EqualFold(uri, ScimSchemaEnterprise) && strings.EqualFold(name, "manager") {
			uri = ""
		} else {
			return "", scimInvalid(ScimInvalidFilter, "The filter names an attribute of an unknown schema: %s.", uri)
		}
	}
	full := strings.ToLower(name)
	if sub := path.SubAttributeName(); sub != "" {
		full += "." + strings.ToLower(sub)
	}
	if prefix != "" {
		full = prefix + "." + full
	}
	return full, nil
}

// compare is the SQL condition of one comparison in a filter: the attribute's kind chooses how
// the value is read and compared.
func (t *scimSQL) compare(name, op string, value any) (string, []any, error) {
	attr, ok := t.attributes[name]
	if !ok {
		return "", nil, scimInvalid(ScimInvalidFilter, "Filtering by %q is not supported.", name)
	}
	if op == "pr" {
		return comparePresent(attr), nil, nil
	}
	return scimComparers[attr.kind](attr, name, op, value)
}

// scimComparers turn a comparison with each kind of attribute into SQL.
var scimComparers = map[scimKind]func(attr scimAttribute, name, op string, value any) (string, []any, error){
	scimString:   compareText,
	scimExact:    compareText,
	scimEmail:    compareText,
	scimTime:     compareTime,
	scimActive:   compareActive,
	scimID:       compareID,
	scimWorkType: compareWorkType,
	scimRef:      compareID,
}

// comparePresent is the condition of "pr": attributes every resource has are always present.
func comparePresent(attr scimAttribute) string {
	switch attr.kind {
	case scimActive, scimID, scimTime, scimWorkType:
		return "1 = 1"
	case scimRef:
		if strings.Contains(attr.column, "(") {
			return attr.column + " IS NOT NULL)"
		}
	}
	return "(" + attr.column + " IS NOT NULL AND " + attr.column + " <> '')"
}

// compareWorkType compares a type Roster always answers "work" for, so it matches all or nothing.
func compareWorkType(_ scimAttribute, name, op string, value any) (string, []any, error) {
	text, isText := value.(string)
	if !isText {
		return "", nil, scimInvalid(ScimInvalidFilter, "%s compares with a string.", name)
	}
	if match := strings.EqualFold(text, "work"); (op == "eq") == match {
		return "1 = 1", nil, nil
	}
	return "1 = 0", nil, nil
}

// compareActive compares active with true or false, as the status it stands for.
func compareActive(attr scimAttribute, _, op string, value any) (string, []any, error) {
	b, ok := value.(bool)
	if !ok || (op != "eq" && op != "ne") {
		return "", nil, scimInvalid(ScimInvalidFilter, "active compares with eq or ne and true or false.")
	}
	if op == "ne" {
		b = !b
	}
	status := StatusInactive
	if b {
		status = StatusActive
	}
	return attr.column + " = ?", []any{status}, nil
}

// compareID compares an ID, of the resource or of one it refers to (a subquery's column is left
// open for the ID and closed here).
func compareID(attr scimAttribute, name, op string, value any) (string, []any, error) {
	id, ok := scimIDValue(value)
	if !ok || (op != "eq" && op != "ne") {
		if _, isText := value.(string); op == "eq" && isText {
			return "1 = 0", nil, nil // not an ID Roster issued: nothing matches
		}
		return "", nil, scimInvalid(ScimInvalidFilter, "%s compares with eq or ne and an ID.", name)
	}
	cond := attr.column + " = ?"
	if strings.Contains(attr.column, "(") {
		cond += ")"
	}
	if op == "ne" {
		cond = "NOT (" + cond + ")"
	}
	return cond, []any{id}, nil
}

// compareTime compares a timestamp with an RFC 3339 date-time.
func compareTime(attr scimAttribute, name, op string, value any) (string, []any, error) {
	text, isText := value.(string)
	if !isText {
		return "", nil, scimInvalid(ScimInvalidFilter, "%s compares with a date-time string.", name)
	}
	at, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return "", nil, scimInvalid(ScimInvalidFilter, "%s compares with a date-time like 2026-01-02T15:04:05Z.", name)
	}
	sqlOp, ok := map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
	if !ok {
		return "", nil, scimInvalid(ScimInvalidFilter, "%s does not support %s.", name, op)
	}
	return attr.column + " " + sqlOp + " ?", []any{at.UTC()}, nil
}

// compareText compares text: addresses as stored (lower-case), other strings ignoring case and
// externalId exactly.
func compareText(attr scimAttribute, name, op string, value any) (string, []any, error) {
	text, isText := value.(string)
	if !isText {
		return "", nil, scimInvalid(ScimInvalidFilter, "%s compares with a string.", name)
	}
	column := attr.column
	switch attr.kind {
	case scimEmail:
		text = strings.ToLower(strings.TrimSpace(text))
	case scimString:
		column, text = "lower("+column+")", strings.ToLower(text)
	}
	switch op {
	case "eq":
		return column + " = ?", []any{text}, nil
	case "ne":
		return "(" + column + " IS NULL OR " + column + " <> ?)", []any{text}, nil
	case "co":
		return column + ` LIKE ? ESCAPE '\'`, []any{"%" + escapeLike(text) + "%"}, nil
	case "sw":
		return column + ` LIKE ? ESCAPE '\'`, []any{escapeLike(text) + "%"}, nil
	case "ew":
		return column + ` LIKE ? ESCAPE '\'`, []any{"%" + escapeLike(text)}, nil
	case "gt", "ge", "lt", "le":
		sqlOp := map[string]string{"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
		return column + " " + sqlOp + " ?", []any{text}, nil
	}
	return "", nil, scimInvalid(ScimInvalidFilter, "The operator %q is not supported.", op)
}

// scimIDValue reads an ID Roster issued, sent as a string or a number.
func scimIDValue(v any) (int64, bool) {
	switch v := v.(type) {
	case string:
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return id, err == nil && id > 0
	case int:
		return int64(v), v > 0
	case float64:
		return int64(v), v > 0 && v == float64(int64(v))
	}
	return 0, false
}

// ParseScimID reads the ID in a resource's URL; anything else names no resource.
func ParseScimID(s string) (int64, error) {
	id, ok := scimIDValue(s)
	if !ok || strconv.FormatInt(id, 10) != s {
		return 0, ErrNotFound
	}
	return id, nil
}

func scimTimeString(t time.Time) string { return t.UTC().Format(time.RFC3339) }
