package models

import (
	"encoding/json"
	"fmt"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// ScimPatchOp is one operation of a PATCH request (RFC 7644 §3.5.2), as sent: Okta writes ops in
// lower case, Entra ID capitalised ("Replace"); Value is raw JSON, which Entra sends as strings
// ("False"), objects and arrays where others send booleans.
type ScimPatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// ScimPatchRequest is a PATCH request's body.
type ScimPatchRequest struct {
	Schemas    []string      `json:"schemas"`
	Operations []ScimPatchOp `json:"Operations"`
}

// normalisedOp is the op in lower case, or an invalidSyntax error.
func (o ScimPatchOp) normalisedOp() (string, error) {
	op := strings.ToLower(strings.TrimSpace(o.Op))
	switch op {
	case "add", "replace", "remove":
		return op, nil
	}
	return "", scimInvalid(ScimInvalidSyntax, "Unknown patch op %q: use add, replace or remove.", o.Op)
}

func (o ScimPatchOp) value() (any, error) {
	if len(o.Value) == 0 {
		return nil, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(o.Value)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, scimInvalid(ScimInvalidSyntax, "The value of a patch op is not valid JSON.")
	}
	return v, nil
}

// checkPatchRequest checks the envelope of a PATCH request.
func checkPatchRequest(req ScimPatchRequest) error {
	switch {
	case len(req.Operations) == 0:
		return scimInvalid(ScimInvalidValue, "A PATCH request needs at least one operation in \"Operations\".")
	case len(req.Operations) > maxScimPatchOps:
		return scimInvalid(ScimTooMany, "At most %d operations per PATCH request.", maxScimPatchOps)
	}
	return nil
}

// scimDoc is a resource as JSON: the representation a PATCH request changes, attribute names as
// the schema spells them.
type scimDoc map[string]any

// scimSchemaAttributes maps the lower-case names a resource's attributes may be sent under to the
// spelling the representation uses; an attribute missing here is unknown (invalidPath).
type scimSchemaAttributes map[string]string

// applyPatch applies ops to doc in order (RFC 7644 §3.5.2). URN-prefixed paths address the
// extension objects; attributes of the core schema may be prefixed with its URN too.
func applyPatch(doc scimDoc, ops []ScimPatchOp, coreSchema string, known scimSchemaAttributes, extensions map[string]scimSchemaAttributes) error {
	for _, o := range ops {
		op, err := o.normalisedOp()
		if err != nil {
			return err
		}
		value, err := o.value()
		if err != nil {
			return err
		}
		path := strings.TrimSpace(o.Path)
		if path == "" {
			if op == "remove" {
				return scimInvalid(ScimNoTarget, "A remove operation needs a path.")
			}
			object, ok := value.(map[string]any)
			if !ok {
				return scimInvalid(ScimInvalidValue, "An %s operation without a path needs an object value.", op)
			}
			for key, v := range object {
				if ext, ok := lookupFold(extensions, key); ok {
					sub, ok := v.(map[string]any)
					if !ok {
						return scimInvalid(ScimInvalidValue, "%s must be an object.", key)
					}
					for subKey, subValue := range sub {
						if err := applyAt(doc, op, ext, subKey, "", nil, "", subValue, extensions[ext]); err != nil {
							return err
						}
					}
					continue
				}
				if err := applyPath(doc, op, key, v, coreSchema, known, extensions); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyPath(doc, op, path, value, coreSchema, known, extensions); err != nil {
			return err
		}
	}
	return nil
}

func lookupFold[V any](m map[string]V, key string) (string, bool) {
	for k := range m {
		if strings.EqualFold(k, key) {
			return k, true
		}
	}
	return "", false
}

func applyPath(doc scimDoc, op, path string, value any, coreSchema string, known scimSchemaAttributes, extensions map[string]scimSchemaAttributes) error {
	parsed, err := filter.ParsePath([]byte(path))
	if err != nil {
		return scimInvalid(ScimInvalidPath, "The path %q is not valid (RFC 7644 §3.5.2).", path)
	}
	ap := parsed.AttributePath
	uri, attrs := "", known
	if u := ap.URI(); u != "" && !strings.EqualFold(u, coreSchema) {
		ext, ok := lookupFold(extensions, u)
		if !ok {
			return scimInvalid(ScimInvalidPath, "The path %q names an unknown schema.", path)
		}
		uri, attrs = ext, extensions[ext]
	}
	sub := ap.SubAttributeName()
	if sub == "" {
		sub = parsed.SubAttributeName()
	}
	return applyAt(doc, op, uri, ap.AttributeName, sub, parsed.ValueExpression, path, value, attrs)
}

// applyAt applies one op to attribute name (of extension uri, or the core schema when uri is
// ""), optionally its sub-attribute sub, optionally only to the elements of a multi-valued
// attribute that match where.
func applyAt(doc scimDoc, op, uri, name, sub string, where filter.Expression, path string, value any, attrs scimSchemaAttributes) error {
	canonical, ok := attrs[strings.ToLower(name)]
	if !ok {
		if path == "" {
			path = name
		}
		return scimInvalid(ScimInvalidPath, "Unknown attribute %q.", path)
	}
	target := patchTarget(doc, uri)
	switch {
	case where != nil:
		return applyFiltered(target, op, canonical, sub, where, value)
	case sub != "":
		applySubAttribute(target, op, canonical, sub, value)
	case op == "remove":
		removeAttribute(target, canonical, value)
	case op == "add":
		addAttribute(target, canonical, value)
	default:
		target[canonical] = value
	}
	return nil
}

// patchTarget is the object an attribute of extension uri sits in, made when the resource has
// none yet; the resource itself for the core schema ("").
func patchTarget(doc scimDoc, uri string) map[string]any {
	if uri == "" {
		return doc
	}
	ext, _ := doc[uri].(map[string]any)
	if ext == nil {
		ext = map[string]any{}
		doc[uri] = ext
	}
	return ext
}

// applySubAttribute sets or removes sub of the attribute: of every element of a multi-valued one
// (emails.value and the like), else of the complex attribute, made when setting.
func applySubAttribute(target map[string]any, op, canonical, sub string, value any) {
	if list, isList := target[canonical].([]any); isList {
		for _, item := range list {
			if m, ok := item.(map[string]any); ok {
				setOrDelete(m, op, sub, value)
			}
		}
		return
	}
	object, _ := target[canonical].(map[string]any)
	if object == nil {
		if op == "remove" {
			return
		}
		object = map[string]any{}
		target[canonical] = object
	}
	setOrDelete(object, op, fold(object, sub), value)
}

// removeAttribute removes the attribute, or, given a value, those elements of a multi-valued one.
func removeAttribute(target map[string]any, canonical string, value any) {
	if list, ok := target[canonical].([]any); ok && value != nil {
		// Entra removes members by value: {"op":"Remove","path":"members","value":[{"value":"7"}]}.
		target[canonical] = removeByValue(list, value)
		return
	}
	delete(target, canonical)
}

// addAttribute adds a list's new elements to a multi-valued attribute and an object's
// sub-attributes to a complex one; any other value replaces the attribute.
func addAttribute(target map[string]any, canonical string, value any) {
	switch v := value.(type) {
	case []any:
		if existing, isList := target[canonical].([]any); isList {
			target[canonical] = appendUnique(existing, v)
			return
		}
	case map[string]any:
		if object, ok := target[canonical].(map[string]any); ok {
			for k, item := range v {
				object[fold(object, k)] = item
			}
			return
		}
	}
	target[canonical] = value
}

func setOrDelete(m map[string]any, op, key string, value any) {
	if op == "remove" {
		delete(m, key)
		return
	}
	m[key] = value
}

// fold returns the key of m that equals key ignoring case, or key.
func fold(m map[string]any, key string) string {
	if k, ok := lookupFold(m, key); ok {
		return k
	}
	return key
}

func removeByValue(list []any, value any) []any {
	drop := map[string]bool{}
	items, ok := value.([]any)
	if !ok {
		items = []any{value}
	}
	for _, item := range items {
		if m, ok := item.(map[string]any); ok {
			drop[fmt.Sprint(m[fold(m, "value")])] = true
		} else {
			drop[fmt.Sprint(item)] = true
		}
	}
	kept := list[:0:0]
	for _, item := range list {
		if m, ok := item.(map[string]any); ok && drop[fmt.Sprint(m[fold(m, "value")])] {
			continue
		}
		kept = append(kept, item)
	}
	return kept
}

func appendUnique(list, more []any) []any {
	seen := map[string]bool{}
	key := func(item any) string {
		if m, ok := item.(map[string]any); ok {
			return fmt.Sprint(m[fold(m, "value")])
		}
		return fmt.Sprint(item)
	}
	for _, item := range list {
		seen[key(item)] = true
	}
	for _, item := range more {
		if !seen[key(item)] {
			seen[key(item)] = true
			list = append(list, item)
		}
	}
	return list
}

// applyFiltered applies an op to the elements of a multi-valued attribute that match where:
// emails[type eq "work"].value, members[value eq "7"]. When an add or replace of a sub-attribute
// matches nothing, an element is made from the filter's equalities, as Entra expects of
// phoneNumbers[type eq "work"].value on a user who has no phone yet.
func applyFiltered(target map[string]any, op, name, sub string, where filter.Expression, value any) error {
	list, _ := target[name].([]any)
	matched := false
	kept := list[:0:0]
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok || !matchElement(m, where) {
			kept = append(kept, item)
			continue
		}
		matched = true
		switch {
		case op == "remove" && sub == "":
			continue
		case sub != "":
			setOrDelete(m, op, fold(m, sub), value)
		default:
			if v, ok := value.(map[string]any); ok {
				for k, x := range v {
					m[fold(m, k)] = x
				}
			}
		}
		kept = append(kept, m)
	}
	if !matched && op != "remove" {
		element := map[string]any{}
		collectEqualities(where, element)
		if sub != "" {
			element[sub] = value
		} else if v, ok := value.(map[string]any); ok {
			for k, x := range v {
				element[k] = x
			}
		}
		kept = append(kept, element)
	}
	target[name] = kept
	return nil
}

func matchElement(m map[string]any, where filter.Expression) bool {
	switch e := where.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "or") {
			return matchElement(m, e.Left) || matchElement(m, e.Right)
		}
		return matchElement(m, e.Left) && matchElement(m, e.Right)
	case *filter.NotExpression:
		return !matchElement(m, e.Expression)
	case *filter.AttributeExpression:
		got, present := m[fold(m, e.AttributePath.AttributeName)]
		switch strings.ToLower(string(e.Operator)) {
		case "pr":
			return present && got != nil
		case "eq":
			return present && strings.EqualFold(fmt.Sprint(got), fmt.Sprint(e.CompareValue))
		case "ne":
			return !present || !strings.EqualFold(fmt.Sprint(got), fmt.Sprint(e.CompareValue))
		case "co":
			return present && strings.Contains(strings.ToLower(fmt.Sprint(got)), strings.ToLower(fmt.Sprint(e.CompareValue)))
		}
	}
	return false
}

func collectEqualities(where filter.Expression, into map[string]any) {
	switch e := where.(type) {
	case *filter.LogicalExpression:
		if strings.EqualFold(string(e.Operator), "and") {
			collectEqualities(e.Left, into)
			collectEqualities(e.Right, into)
		}
	case *filter.AttributeExpression:
		if strings.EqualFold(string(e.Operator), "eq") {
			into[e.AttributePath.AttributeName] = e.CompareValue
		}
	}
}
