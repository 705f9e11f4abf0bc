package models

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	filter "github.com/scim2/filter-parser/v2"
	"gorm.io/gorm"
)

// ScimGroup is a group as SCIM shows it (RFC 7643 §4.2). Who owns it stays a Roster decision and
// is not part of the resource.
type ScimGroup struct {
	ID         int64
	Name       string
	ExternalID string
	Members    []ScimMember
	CreatedAt  time.Time
}

// ScimMember is one member of a group.
type ScimMember struct {
	ID   int64
	Name string
}

// ScimGroupList is one page of groups.
type ScimGroupList struct {
	Total      int64
	StartIndex int
	Groups     []ScimGroup
}

// Resource is the group's SCIM representation; members is false when the request excluded them.
func (g ScimGroup) Resource(location string, members bool) map[string]any {
	r := map[string]any{
		"schemas":     []string{ScimSchemaGroup},
		"id":          strconv.FormatInt(g.ID, 10),
		"displayName": g.Name,
		"meta": map[string]any{"resourceType": "Group", "created": scimTimeString(g.CreatedAt),
			"lastModified": scimTimeString(g.CreatedAt), "location": location},
	}
	if g.ExternalID != "" {
		r["externalId"] = g.ExternalID
	}
	if members {
		list := make([]any, len(g.Members))
		for i, m := range g.Members {
			list[i] = map[string]any{"value": strconv.FormatInt(m.ID, 10), "display": m.Name, "type": "User"}
		}
		r["members"] = list
	}
	return r
}

type scimGroupRow struct {
	ID         int64
	Name       string
	ExternalID string
	CreatedAt  time.Time
}

const scimGroupColumns = "groups.id, groups.name, coalesce(groups.external_id, '') AS external_id, groups.created_at"

// ScimGroups lists the account's groups, filtered and paged, in ID order; members are read only
// when asked for.
func (s *Store) ScimGroups(ctx context.Context, actor *Actor, page ScimPage, members bool) (*ScimGroupList, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	expr, err := parseScimFilter(page.Filter)
	if err != nil {
		return nil, err
	}
	query := func() *gorm.DB { return s.read(ctx).Table("groups").Where("groups.account_id = ?", actor.Account.ID) }
	where, args := "", []any(nil)
	if expr != nil {
		t := &scimSQL{attributes: scimGroupFilterAttributes, schema: ScimSchemaGroup}
		if where, args, err = t.translate(expr, ""); err != nil {
			return nil, err
		}
	}
	list := &ScimGroupList{StartIndex: page.StartIndex}
	counted := query()
	if where != "" {
		counted = counted.Where(where, args...)
	}
	if err := counted.Count(&list.Total).Error; err != nil {
		return nil, err
	}
	if page.Count == 0 || int64(page.StartIndex) > list.Total {
		return list, nil
	}
	rows := []scimGroupRow{}
	q := query().Select(scimGroupColumns)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Order("groups.id").Offset(page.StartIndex - 1).Limit(page.Count).Scan(&rows).Error; err != nil {
		return nil, err
	}
	list.Groups, err = s.scimGroupsWithMembers(ctx, rows, members)
	return list, err
}

func (s *Store) scimGroupsWithMembers(ctx context.Context, rows []scimGroupRow, members bool) ([]ScimGroup, error) {
	groups := make([]ScimGroup, len(rows))
	ids := make([]int64, len(rows))
	index := map[int64]int{}
	for i, r := range rows {
		groups[i] = ScimGroup{ID: r.ID, Name: r.Name, ExternalID: r.ExternalID, CreatedAt: r.CreatedAt, Members: []ScimMember{}}
		ids[i], index[r.ID] = r.ID, i
	}
	if !members || len(ids) == 0 {
		return groups, nil
	}
	var rowsOut []struct {
		GroupID int64
		ID      int64
		Name    string
	}
	if err := s.read(ctx).Table(liveMembers).Select("gm.group_id, mu.id, mu.name").Where(s.idIn("gm.group_id", ids)).
		Where("mu.status IN ? AND mu.deletion_due_at IS NULL", []UserStatus{StatusActive, StatusInactive}).
		Order("gm.group_id, mu.id").Scan(&rowsOut).Error; err != nil {
		return nil, err
	}
	for _, m := range rowsOut {
		g := &groups[index[m.GroupID]]
		g.Members = append(g.Members, ScimMember{ID: m.ID, Name: m.Name})
	}
	return groups, nil
}

// ScimGroup returns one group of the account. Returns ErrNotFound.
func (s *Store) ScimGroup(ctx context.Context, actor *Actor, id int64, members bool) (*ScimGroup, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	rows := []scimGroupRow{}
	if err := s.read(ctx).Table("groups").Select(scimGroupColumns).Where("groups.id = ? AND groups.account_id = ?", id, actor.Account.ID).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, ErrNotFound
	}
	groups, err := s.scimGroupsWithMembers(ctx, rows, members)
	if err != nil {
		return nil, err
	}
	return &groups[0], nil
}

// scimGroupInput is a group resource as a request sends it.
type scimGroupInput struct {
	name       string
	externalID string
	members    []int64
	hasMembers bool
}

func parseScimGroup(doc scimDoc) (scimGroupInput, error) {
	var in scimGroupInput
	if k, ok := lookupFold(doc, "displayName"); ok {
		in.name, _ = doc[k].(string)
	}
	if strings.TrimSpace(in.name) == "" {
		return in, scimInvalid(ScimInvalidValue, "displayName is required.")
	}
	if k, ok := lookupFold(doc, "externalId"); ok && doc[k] != nil {
		text, isText := doc[k].(string)
		if !isText || len(text) > 255 {
			return in, scimInvalid(ScimInvalidValue, "externalId must be a string of at most 255 characters.")
		}
		in.externalID = strings.TrimSpace(text)
	}
	if k, ok := lookupFold(doc, "members"); ok && doc[k] != nil {
		ids, err := scimMemberIDs(doc[k])
		if err != nil {
			return in, err
		}
		in.members, in.hasMembers = ids, true
	}
	return in, nil
}

// scimMemberIDs reads members as sent: a list of {"value": "id"}, or one of them.
func scimMemberIDs(v any) ([]int64, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	ids := make([]int64, 0, len(items))
	for _, item := range items {
		value := item
		if m, ok := item.(map[string]any); ok {
			value = m[fold(m, "value")]
		}
		id, ok := scimIDValue(jsonNumberToFloat(value))
		if !ok {
			return nil, scimInvalid(ScimInvalidValue, "members.value must be the id of a user of this account.")
		}
		ids = append(ids, id)
	}
	return unique64(ids), nil
}

// scimGroupOwner is who owns a group an identity provider creates: the account's longest-standing
// active owner. Roster's admins hand it on from there.
func scimGroupOwner(tx *gorm.DB, accountID int64) (string, error) {
	var owners []User
	if err := tx.Select("id, email").Where("account_id = ? AND role = ? AND status = ?", accountID, RoleOwner, StatusActive).
		Order("id").Limit(1).Find(&owners).Error; err != nil {
		return "", err
	}
	if len(owners) == 0 {
		return "", scimConflict("", "The account has no active owner to own the group.")
	}
	return owners[0].EmailAddress(), nil
}

// ScimCreateGroup creates a group with its members through Settings > Groups' own operations.
// Returns ScimError uniqueness for a name taken in any letter case, invalidValue for unknown
// members.
func (s *Store) ScimCreateGroup(ctx context.Context, actor *Actor, body []byte) (*ScimGroup, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	doc, err := decodeScimDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := parseScimGroup(doc)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		owner, err := scimGroupOwner(tx, actor.Account.ID)
		if err != nil {
			return err
		}
		group, err := ts.CreateGroup(ctx, actor, NewGroup{Name: in.name, OwnerEmail: owner})
		if err != nil {
			return scimGroupNameError(err, in.name)
		}
		id = group.ID
		if err := scimSetGroupExternalID(tx, id, in.externalID); err != nil {
			return err
		}
		return ts.scimSetMembers(ctx, tx, actor, id, in.members)
	})
	if err != nil {
		return nil, err
	}
	return s.ScimGroup(ctx, actor, id, true)
}

func scimGroupNameError(err error, name string) error {
	var fields FieldErrors
	if errors.As(err, &fields) {
		if msg, ok := fields["name"]; ok {
			if strings.Contains(msg, "already exists") {
				return scimConflict(ScimUniqueness, "A group named %q already exists in this account.", name)
			}
			return scimInvalid(ScimInvalidValue, "displayName: %s", msg)
		}
	}
	return err
}

func scimSetGroupExternalID(tx *gorm.DB, id int64, externalID string) error {
	var value any
	if externalID != "" {
		value = externalID
	}
	return tx.Table("groups").Where("id = ?", id).Update("external_id", value).Error
}

// scimGroupMembers are the IDs of a group's members that SCIM shows (open invitations and users
// waiting for their deletion are Roster's own).
func scimGroupMembers(tx *gorm.DB, groupID int64) ([]int64, error) {
	var ids []int64
	err := tx.Table(liveMembers).Where("gm.group_id = ?", groupID).
		Where("mu.status IN ? AND mu.deletion_due_at IS NULL", []UserStatus{StatusActive, StatusInactive}).Order("mu.id").Pluck("mu.id", &ids)
	return ids, err.Error
}

// scimSetMembers makes the group's members exactly want, adding and removing through Settings >
// Groups' operations (each writes its own audit events).
func (s *Store) scimSetMembers(ctx context.Context, tx *gorm.DB, actor *Actor, groupID int64, want []int64) error {
	current, err := scimGroupMembers(tx, groupID)
	if err != nil {
		return err
	}
	wanted := map[int64]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	has := map[int64]bool{}
	var remove []int64
	for _, id := range current {
		has[id] = true
		if !wanted[id] {
			remove = append(remove, id)
		}
	}
	var add []int64
	for _, id := range want {
		if !has[id] {
			add = append(add, id)
		}
	}
	sort.Slice(add, func(i, j int) bool { return add[i] < add[j] })
	if len(add) > 0 {
		var users []User
		for start := 0; start < len(add); start += MaxUsersPerAction {
			batch := add[start:min(start+MaxUsersPerAction, len(add))]
			users = users[:0]
			if err := tx.Select("id, email").Where(s.idIn("id", batch)).
				Where("account_id = ? AND status IN ? AND deletion_due_at IS NULL AND email IS NOT NULL", actor.Account.ID,
					[]UserStatus{StatusActive, StatusInactive}).Find(&users).Error; err != nil {
				return err
			}
			if len(users) != len(batch) {
				return scimInvalid(ScimInvalidValue, "members: some values are not users of this account.")
			}
			lines := make([]InviteLine, len(users))
			for i, u := range users {
				lines[i] = InviteLine{Input: u.EmailAddress(), Email: u.EmailAddress()}
			}
			if _, err := s.AddGroupMembers(ctx, actor, groupID, lines); err != nil {
				return err
			}
		}
	}
	for start := 0; start < len(remove); start += MaxUsersPerAction {
		if _, err := s.RemoveGroupMembers(ctx, actor, groupID, remove[start:min(start+MaxUsersPerAction, len(remove))]); err != nil {
			return err
		}
	}
	return nil
}

// ScimReplaceGroup replaces a group's name, externalId and members (PUT). Returns ErrNotFound,
// ScimError uniqueness and invalidValue.
func (s *Store) ScimReplaceGroup(ctx context.Context, actor *Actor, id int64, body []byte) (*ScimGroup, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	doc, err := decodeScimDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := parseScimGroup(doc)
	if err != nil {
		return nil, err
	}
	err = s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		group, err := ts.ScimGroup(ctx, actor, id, false)
		if err != nil {
			return err
		}
		if err := ts.scimRenameGroup(ctx, actor, group, in.name); err != nil {
			return err
		}
		if err := scimSetGroupExternalID(tx, id, in.externalID); err != nil {
			return err
		}
		if !in.hasMembers {
			in.members = nil
		}
		return ts.scimSetMembers(ctx, tx, actor, id, in.members)
	})
	if err != nil {
		return nil, err
	}
	return s.ScimGroup(ctx, actor, id, true)
}

func (s *Store) scimRenameGroup(ctx context.Context, actor *Actor, group *ScimGroup, name string) error {
	if strings.TrimSpace(name) == group.Name {
		return nil
	}
	if _, err := s.RenameGroup(ctx, actor, group.ID, name); err != nil {
		return scimGroupNameError(err, name)
	}
	return nil
}

// ScimPatchGroup applies a PATCH request to a group: displayName and externalId replaced, members
// added, removed (by a members[value eq "id"] path or, as Entra ID sends it, a value list) or
// replaced. The members that result are then set in one step. Returns ErrNotFound and ScimError.
func (s *Store) ScimPatchGroup(ctx context.Context, actor *Actor, id int64, body []byte) (*ScimGroup, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	req, err := DecodeScimPatch(body)
	if err != nil {
		return nil, err
	}
	err = s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		group, err := ts.ScimGroup(ctx, actor, id, false)
		if err != nil {
			return err
		}
		patched, err := patchedGroup(tx, group, req.Operations)
		if err != nil {
			return err
		}
		if err := ts.scimRenameGroup(ctx, actor, group, patched.name); err != nil {
			return err
		}
		if patched.externalID != group.ExternalID {
			if err := scimSetGroupExternalID(tx, id, patched.externalID); err != nil {
				return err
			}
		}
		return ts.scimSetMembers(ctx, tx, actor, id, patched.memberIDs())
	})
	if err != nil {
		return nil, err
	}
	return s.ScimGroup(ctx, actor, id, true)
}

// scimGroupPatch is a group as a PATCH request's operations change it.
type scimGroupPatch struct {
	name, externalID string
	members          map[int64]bool
}

// patchedGroup is group, with its members as they are now, after ops.
func patchedGroup(tx *gorm.DB, group *ScimGroup, ops []ScimPatchOp) (*scimGroupPatch, error) {
	current, err := scimGroupMembers(tx, group.ID)
	if err != nil {
		return nil, err
	}
	g := &scimGroupPatch{name: group.Name, externalID: group.ExternalID, members: map[int64]bool{}}
	for _, m := range current {
		g.members[m] = true
	}
	for _, o := range ops {
		op, err := o.normalisedOp()
		if err != nil {
			return nil, err
		}
		value, err := o.value()
		if err != nil {
			return nil, err
		}
		if err := g.apply(op, strings.TrimSpace(o.Path), value); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *scimGroupPatch) memberIDs() []int64 {
	ids := make([]int64, 0, len(g.members))
	for m, in := range g.members {
		if in {
			ids = append(ids, m)
		}
	}
	return ids
}

// scimGroupPatchers apply an operation to each attribute a group PATCH may name, by its
// lower-case name; the read-only ones are ignored.
var scimGroupPatchers = map[string]func(g *scimGroupPatch, op string, where filter.Expression, value any) error{
	"displayname": (*scimGroupPatch).patchName,
	"externalid":  (*scimGroupPatch).patchExternalID,
	"members":     (*scimGroupPatch).patchMembers,
	"id":          ignoreGroupPatch,
	"meta":        ignoreGroupPatch,
	"schemas":     ignoreGroupPatch,
}

// apply applies one operation at path, or, without a path, one per attribute of value.
func (g *scimGroupPatch) apply(op, path string, value any) error {
	if path == "" {
		object, ok := value.(map[string]any)
		if !ok || op == "remove" {
			return scimInvalid(ScimInvalidValue, "An %s operation without a path needs an object value.", op)
		}
		for key, v := range object {
			if err := g.apply(op, key, v); err != nil {
				return err
			}
		}
		return nil
	}
	parsed, err := filter.ParsePath([]byte(path))
	if err != nil {
		return scimInvalid(ScimInvalidPath, "The path %q is not valid (RFC 7644 §3.5.2).", path)
	}
	if uri := parsed.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, ScimSchemaGroup) {
		return scimInvalid(ScimInvalidPath, "The path %q names an unknown schema.", path)
	}
	patch, ok := scimGroupPatchers[strings.ToLower(parsed.AttributePath.AttributeName)]
	if !ok {
		return scimInvalid(ScimInvalidPath, "Unknown attribute %q.", path)
	}
	return patch(g, op, parsed.ValueExpression, value)
}

func ignoreGroupPatch(*scimGroupPatch, string, filter.Expression, any) error { return nil }

func (g *scimGroupPatch) patchName(op string, _ filter.Expression, value any) error {
	text, ok := value.(string)
	if op == "remove" || !ok {
		return scimInvalid(ScimInvalidValue, "displayName is required and must be a string.")
	}
	g.name = text
	return nil
}

func (g *scimGroupPatch) patchExternalID(op string, _ filter.Expression, value any) error {
	text, _ := value.(string)
	if op == "remove" {
		text = ""
	}
	g.externalID = strings.TrimSpace(text)
	return nil
}

// patchMembers adds the members value lists, removes them (all of them without a value), or
// replaces the members with them; a members[value eq "id"] path removes those it names.
func (g *scimGroupPatch) patchMembers(op string, where filter.Expression, value any) error {
	if where != nil {
		return g.removeMatchingMembers(op, where)
	}
	var ids []int64
	if value != nil {
		var err error
		if ids, err = scimMemberIDs(value); err != nil {
			return err
		}
	}
	switch op {
	case "remove":
		if value == nil {
			clear(g.members)
		}
		for _, id := range ids {
			delete(g.members, id)
		}
		return nil
	case "replace":
		clear(g.members)
	}
	for _, id := range ids {
		g.members[id] = true
	}
	return nil
}

// removeMatchingMembers removes the members a members[value eq "id" or …] path names.
func (g *scimGroupPatch) removeMatchingMembers(op string, where filter.Expression) error {
	if op != "remove" {
		return scimInvalid(ScimInvalidPath, "Only remove takes a members[value eq \"id\"] path.")
	}
	ids := map[int64]bool{}
	if !collectMemberIDs(where, ids) {
		return scimInvalid(ScimInvalidFilter, "Filter members by value eq \"id\".")
	}
	for id := range ids {
		delete(g.members, id)
	}
	return nil
}

// collectMemberIDs gathers the IDs of `value eq "id"` terms joined by or; false for any other shape.
func collectMemberIDs(expr filter.Expression, into map[int64]bool) bool {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		return strings.EqualFold(string(e.Operator), "or") && collectMemberIDs(e.Left, into) && collectMemberIDs(e.Right, into)
	case *filter.AttributeExpression:
		if !strings.EqualFold(e.AttributePath.AttributeName, "value") || !strings.EqualFold(string(e.Operator), "eq") {
			return false
		}
		id, ok := scimIDValue(e.CompareValue)
		if ok {
			into[id] = true
		}
		return true
	}
	return false
}

// ScimDeleteGroup deletes a group: its members are removed first, then the group, in one
// transaction. Returns ErrNotFound.
func (s *Store) ScimDeleteGroup(ctx context.Context, actor *Actor, id int64) error {
	if !actor.Allows(PermProvisioning) {
		return ErrForbidden
	}
	return s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		if _, err := ts.ScimGroup(ctx, actor, id, false); err != nil {
			return err
		}
		var members []int64
		if err := tx.Table(liveMembers).Where("gm.group_id = ?", id).Order("mu.id").Pluck("mu.id", &members).Error; err != nil {
			return err
		}
		for start := 0; start < len(members); start += MaxUsersPerAction {
			if _, err := ts.RemoveGroupMembers(ctx, actor, id, members[start:min(start+MaxUsersPerAction, len(members))]); err != nil {
				return err
			}
		}
		_, err := ts.DeleteGroup(ctx, actor, id)
		return err
	})
}
