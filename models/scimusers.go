package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// SeatReasonProvisioned is the seat ledger's reason for a seat taken by a user an identity
// provider created.
const SeatReasonProvisioned = "provisioned"

// provisioningReason is the reason a deactivation by the identity provider records.
const provisioningReason = "deactivated in the identity provider"

// ScimUser is a user as SCIM shows them (RFC 7643 §4.1), with the enterprise extension's manager
// and Roster's plan and role.
type ScimUser struct {
	ID          int64
	Email       string
	Name        string
	GivenName   string
	FamilyName  string
	Phone       string
	Active      bool
	ExternalID  string
	ManagerID   *int64
	ManagerName string
	Plan        string
	Role        Role
	Groups      []ScimGroupRef
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ScimGroupRef is a group a user is a member of.
type ScimGroupRef struct {
	ID   int64
	Name string
}

// ScimUserList is one page of users.
type ScimUserList struct {
	Total      int64
	StartIndex int
	Users      []ScimUser
}

// scimUserAttributes are the core User attributes a request may name: Roster keeps those with a
// column and accepts the rest of RFC 7643's User schema (title, addresses, locale…) without
// keeping it, as Entra ID sends several by default. Anything else is an invalidPath.
var scimUserAttributes = scimSchemaAttributes{
	"id": "id", "externalid": "externalId", "username": "userName", "name": "name", "displayname": "displayName",
	"emails": "emails", "phonenumbers": "phoneNumbers", "active": "active", "groups": "groups", "meta": "meta",
	"schemas": "schemas", "nickname": "nickName", "profileurl": "profileUrl", "title": "title", "usertype": "userType",
	"preferredlanguage": "preferredLanguage", "locale": "locale", "timezone": "timezone", "password": "password",
	"ims": "ims", "photos": "photos", "addresses": "addresses", "entitlements": "entitlements", "roles": "roles",
	"x509certificates": "x509Certificates",
}

var scimUserExtensions = map[string]scimSchemaAttributes{
	ScimSchemaEnterprise: {"manager": "manager", "employeenumber": "employeeNumber", "costcenter": "costCenter",
		"organization": "organization", "division": "division", "department": "department"},
	ScimSchemaRoster: {"plan": "plan", "role": "role"},
}

// Resource is the user's SCIM representation; location is the URL of the user.
func (u ScimUser) Resource(location string) map[string]any {
	r := map[string]any{
		"schemas":     []string{ScimSchemaUser, ScimSchemaEnterprise, ScimSchemaRoster},
		"id":          strconv.FormatInt(u.ID, 10),
		"userName":    u.Email,
		"displayName": u.Name,
		"name":        map[string]any{"formatted": u.Name, "givenName": u.GivenName, "familyName": u.FamilyName},
		"emails":      []any{map[string]any{"value": u.Email, "type": "work", "primary": true}},
		"active":      u.Active,
		"meta": map[string]any{"resourceType": "User", "created": scimTimeString(u.CreatedAt),
			"lastModified": scimTimeString(u.UpdatedAt), "location": location},
	}
	if u.ExternalID != "" {
		r["externalId"] = u.ExternalID
	}
	if u.Phone != "" {
		r["phoneNumbers"] = []any{map[string]any{"value": u.Phone, "type": "work", "primary": true}}
	}
	groups := make([]any, len(u.Groups))
	for i, g := range u.Groups {
		groups[i] = map[string]any{"value": strconv.FormatInt(g.ID, 10), "display": g.Name, "type": "direct"}
	}
	r["groups"] = groups
	enterprise := map[string]any{}
	if u.ManagerID != nil {
		enterprise["manager"] = map[string]any{"value": strconv.FormatInt(*u.ManagerID, 10), "displayName": u.ManagerName}
	}
	r[ScimSchemaEnterprise] = enterprise
	r[ScimSchemaRoster] = map[string]any{"plan": u.Plan, "role": string(u.Role)}
	return r
}

// scimUserColumns and scimUserJoins read a ScimUser in one row.
const scimUserColumns = `users.id, coalesce(users.email, '') AS email, users.name, users.phone, users.status, users.role,
	coalesce(plans.name, '') AS plan_name, users.manager_id, coalesce(managers.name, '') AS manager_name,
	coalesce(su.external_id, '') AS external_id, coalesce(su.given_name, '') AS given_name,
	coalesce(su.family_name, '') AS family_name, users.created_at, users.updated_at`

const scimUserJoins = `LEFT JOIN scim_users su ON su.user_id = users.id
	LEFT JOIN plans ON plans.id = users.plan_id
	LEFT JOIN users managers ON managers.id = users.manager_id`

type scimUserRow struct {
	ID          int64
	Email       string
	Name        string
	Phone       string
	Status      UserStatus
	Role        Role
	PlanName    string
	ManagerID   *int64
	ManagerName string
	ExternalID  string
	GivenName   string
	FamilyName  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// scimVisible keeps the users SCIM shows: active and inactive ones, not those waiting for their
// deletion (RFC 7644 §3.6: a deleted resource answers 404) and not open invitations, which a
// provider's POST turns into users.
// The condition is spelled as the partial index users_scim's (migration 00011), so that lists
// page through that index in ID order.
func scimVisible(db *gorm.DB, accountID int64) *gorm.DB {
	return db.Where("users.account_id = ? AND "+scimVisibleCondition, accountID)
}

const scimVisibleCondition = "users.status IN ('active', 'inactive') AND users.deletion_due_at IS NULL"

// ScimUsers lists the account's users for an identity provider, filtered and paged as RFC 7644
// §3.4.2 says, in ID order. Returns ScimError invalidFilter for filters it cannot answer.
func (s *Store) ScimUsers(ctx context.Context, actor *Actor, page ScimPage) (*ScimUserList, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	expr, err := parseScimFilter(page.Filter)
	if err != nil {
		return nil, err
	}
	query := func() *gorm.DB {
		return scimVisible(s.read(ctx).Table("users"), actor.Account.ID)
	}
	where, args := "", []any(nil)
	if expr != nil {
		t := &scimSQL{attributes: scimUserFilterAttributes, schema: ScimSchemaUser}
		if where, args, err = t.translate(expr, ""); err != nil {
			return nil, err
		}
	}
	list := &ScimUserList{StartIndex: page.StartIndex}
	// matching are the users the filter keeps; the provider's own attributes are joined only
	// when the filter names one.
	matching := func() *gorm.DB {
		q := query()
		if strings.Contains(where, "su.") {
			q = q.Joins("LEFT JOIN scim_users su ON su.user_id = users.id")
		}
		if where != "" {
			q = q.Where(where, args...)
		}
		return q
	}
	if where == "" {
		list.Total, err = s.scimUserCount(ctx, actor.Account.ID)
		if err != nil {
			return nil, err
		}
	}
	rows := []scimUserRow{}
	if page.Count > 0 && (where != "" || int64(page.StartIndex) <= list.Total) {
		// Without a filter the page is chosen from the IDs alone, in the order of the index of the
		// users SCIM shows, and only its rows are joined; a filter selects few rows, and one
		// statement without a subquery is quicker to plan.
		q := scimVisible(s.read(ctx).Table("users"), actor.Account.ID).Select(scimUserColumns).Joins(scimUserJoins)
		if where == "" {
			ids := matching().Select("users.id").Order("users.id").Offset(page.StartIndex - 1).Limit(page.Count)
			q = s.read(ctx).Table("users").Select(scimUserColumns).Joins(scimUserJoins).Where("users.id IN (?)", ids)
		} else {
			q = q.Where(where, args...).Offset(page.StartIndex - 1).Limit(page.Count)
		}
		if err := q.Order("users.id").Scan(&rows).Error; err != nil {
			return nil, err
		}
	}
	if where != "" {
		if page.StartIndex == 1 && len(rows) < page.Count {
			// A first page that is not full holds every match: the look-up by userName or
			// externalId a provider makes before each create needs no count of its own.
			list.Total = int64(len(rows))
		} else if err := matching().Count(&list.Total).Error; err != nil {
			return nil, err
		}
	}
	list.Users, err = s.scimUsersWithGroups(ctx, rows)
	return list, err
}

// scimUserCount counts the users SCIM shows without a filter from the counts the database keeps
// per account and status (migration 00002), less those waiting for their deletion (few, and
// found through their own index): counting 100,000 rows would take a table scan.
func (s *Store) scimUserCount(ctx context.Context, accountID int64) (int64, error) {
	var counted struct{ N int64 }
	err := s.read(ctx).Raw(`SELECT (SELECT coalesce(sum(users), 0) FROM user_status_counts WHERE account_id = ? AND status IN ?)
		- (SELECT count(*) FROM users WHERE deletion_due_at IS NOT NULL AND account_id = ? AND status IN ?) AS n`,
		accountID, []UserStatus{StatusActive, StatusInactive}, accountID, []UserStatus{StatusActive, StatusInactive}).Scan(&counted).Error
	return counted.N, err
}

func (s *Store) scimUsersWithGroups(ctx context.Context, rows []scimUserRow) ([]ScimUser, error) {
	users := make([]ScimUser, len(rows))
	ids := make([]int64, len(rows))
	index := map[int64]int{}
	for i, r := range rows {
		users[i] = ScimUser{ID: r.ID, Email: r.Email, Name: r.Name, GivenName: r.GivenName, FamilyName: r.FamilyName,
			Phone: r.Phone, Active: r.Status == StatusActive, ExternalID: r.ExternalID, ManagerID: r.ManagerID,
			ManagerName: r.ManagerName, Plan: r.PlanName, Role: r.Role, Groups: []ScimGroupRef{},
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		ids[i], index[r.ID] = r.ID, i
	}
	if len(ids) == 0 {
		return users, nil
	}
	var memberships []struct {
		UserID int64
		ID     int64
		Name   string
	}
	if err := s.read(ctx).Table("group_members gm").Joins("JOIN groups g ON g.id = gm.group_id").
		Select("gm.user_id, g.id, g.name").Where(s.idIn("gm.user_id", ids)).Order("g.name, g.id").Scan(&memberships).Error; err != nil {
		return nil, err
	}
	for _, m := range memberships {
		u := &users[index[m.UserID]]
		u.Groups = append(u.Groups, ScimGroupRef{ID: m.ID, Name: m.Name})
	}
	return users, nil
}

// ScimUser returns one user for an identity provider. Returns ErrNotFound for users of other
// accounts, invitations and users deleted or waiting for their deletion.
func (s *Store) ScimUser(ctx context.Context, actor *Actor, id int64) (*ScimUser, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	rows := []scimUserRow{}
	if err := scimVisible(s.read(ctx).Table("users"), actor.Account.ID).Select(scimUserColumns).Joins(scimUserJoins).
		Where("users.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, ErrNotFound
	}
	users, err := s.scimUsersWithGroups(ctx, rows)
	if err != nil {
		return nil, err
	}
	return &users[0], nil
}

// scimUserInput is a user resource as a request sends it, checked.
type scimUserInput struct {
	email  string
	name   string
	given  string
	family string
	phone  string
	active bool
	// hasActive is false when the request leaves active out: a new user is then active, an
	// existing one stays as they are.
	hasActive  bool
	externalID string
	managerID  int64 // 0: none
	plan       string
	hasPlan    bool
	role       Role
	hasRole    bool
	// hasManager is false when the request leaves the enterprise extension out: a provider
	// that does not send it does not manage managers, and Roster's own choice stays.
	hasManager bool
}

// parseScimUser reads a user resource (a request's body, or the representation a PATCH request
// changed). Attribute names are matched ignoring case; read-only and unkept attributes are
// ignored. Returns ScimError invalidValue naming what is wrong.
func parseScimUser(doc scimDoc) (scimUserInput, error) {
	in := scimUserInput{active: true}
	return in, readScimAttributes(doc, &in, scimUserReaders)
}

// scimUserReader reads one attribute, or settles what several said, into a scimUserInput.
type scimUserReader func(doc scimDoc, in *scimUserInput) error

// scimUserReaders read a user resource, in the order their errors are reported. The name falls
// back on userName, so userName comes first, and is settled once name and displayName are read.
var scimUserReaders = []scimUserReader{
	readScimUserName,
	whenPresent("name", readScimNameObject),
	whenPresent("displayName", readScimDisplayName),
	settleScimName,
	whenPresent("phoneNumbers", readScimPhone),
	whenPresent("active", readScimActive),
	whenPresent("externalId", readScimExternalID),
	whenPresent(ScimSchemaEnterprise, readScimEnterpriseExtension),
	whenPresent(ScimSchemaRoster, readScimRosterExtension),
}

// scimRosterReaders read Roster's extension: the plan, by name, and the role.
var scimRosterReaders = []scimUserReader{
	whenPresent("plan", readScimPlan),
	whenPresent("role", readScimRole),
}

func readScimAttributes(doc scimDoc, in *scimUserInput, readers []scimUserReader) error {
	for _, read := range readers {
		if err := read(doc, in); err != nil {
			return err
		}
	}
	return nil
}

// whenPresent reads attribute with read when the resource has it and it is not null.
func whenPresent(attribute string, read func(v any, in *scimUserInput) error) scimUserReader {
	return func(doc scimDoc, in *scimUserInput) error {
		if v, ok := scimGet(doc, attribute); ok {
			return read(v, in)
		}
		return nil
	}
}

// scimGet is the value of m's attribute key, its name matched ignoring case; false when the
// attribute is missing or null.
func scimGet(m map[string]any, key string) (any, bool) {
	k, ok := lookupFold(m, key)
	if !ok {
		return nil, false
	}
	return m[k], m[k] != nil
}

// scimText reads a string attribute; null reads as "".
func scimText(v any, what string) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", scimInvalid(ScimInvalidValue, "%s must be a string.", what)
}

// scimObject reads an attribute that holds others: a complex attribute or an extension.
func scimObject(v any, what string) (map[string]any, error) {
	object, ok := v.(map[string]any)
	if !ok {
		return nil, scimInvalid(ScimInvalidValue, "%s must be an object.", what)
	}
	return object, nil
}

// readScimUserName reads userName, the user's e-mail address, which every user has.
func readScimUserName(doc scimDoc, in *scimUserInput) error {
	raw, _ := scimGet(doc, "userName")
	userName, err := scimText(raw, "userName")
	if err != nil {
		return err
	}
	in.email = NormalizeEmail(userName)
	if in.email == "" {
		return scimInvalid(ScimInvalidValue, "userName is required: the user's e-mail address.")
	}
	if ValidateEmail(in.email) != "" {
		return scimInvalid(ScimInvalidValue, "userName must be the user's e-mail address, like name@example.com.")
	}
	return nil
}

// readScimNameObject reads the name attribute's parts as sent.
func readScimNameObject(v any, in *scimUserInput) error {
	object, err := scimObject(v, "name")
	if err != nil {
		return err
	}
	parts := []struct {
		key  string
		into *string
	}{{"givenName", &in.given}, {"familyName", &in.family}, {"formatted", &in.name}}
	for _, part := range parts {
		raw, _ := scimGet(object, part.key)
		text, err := scimText(raw, "name."+part.key)
		if err != nil {
			return err
		}
		*part.into = text
	}
	return nil
}

// readScimDisplayName reads displayName, which a blank one does not override the formatted name with.
func readScimDisplayName(v any, in *scimUserInput) error {
	display, err := scimText(v, "displayName")
	if err != nil {
		return err
	}
	if strings.TrimSpace(display) != "" {
		in.name = display
	}
	return nil
}

// settleScimName settles the name Roster shows: displayName, else the formatted name, else the
// given and family names, else the address's local part; and holds it and its parts to the
// limits of the profile form.
func settleScimName(_ scimDoc, in *scimUserInput) error {
	in.given, in.family = strings.TrimSpace(cleanText(in.given)), strings.TrimSpace(cleanText(in.family))
	if strings.TrimSpace(in.name) == "" {
		in.name = strings.TrimSpace(in.given + " " + in.family)
	}
	if strings.TrimSpace(in.name) == "" {
		in.name = in.email[:strings.Index(in.email, "@")]
	}
	in.name = strings.TrimSpace(cleanText(in.name))
	if msg := validateName(in.name); msg != "" {
		return scimInvalid(ScimInvalidValue, "displayName: %s", msg)
	}
	for _, part := range []string{in.given, in.family} {
		if utf8.RuneCountInString(part) > MaxNameLength || strings.IndexFunc(part, invisibleControl) >= 0 {
			return scimInvalid(ScimInvalidValue, "name.givenName and name.familyName: use a single line of at most %d characters.", MaxNameLength)
		}
	}
	return nil
}

// readScimPhone reads the primary phone number.
func readScimPhone(v any, in *scimUserInput) error {
	phone, err := primaryValue(v, "phoneNumbers")
	if err != nil {
		return err
	}
	in.phone = strings.TrimSpace(cleanText(phone))
	if utf8.RuneCountInString(in.phone) > MaxPhoneLength {
		return scimInvalid(ScimInvalidValue, "phoneNumbers: use at most %d characters.", MaxPhoneLength)
	}
	return nil
}

// readScimActive reads active; hasActive says the resource said it at all.
func readScimActive(v any, in *scimUserInput) error {
	active, err := scimBool(v)
	in.active, in.hasActive = active, err == nil
	return err
}

// readScimExternalID reads the provider's own ID for the user.
func readScimExternalID(v any, in *scimUserInput) error {
	externalID, err := scimText(v, "externalId")
	in.externalID = strings.TrimSpace(externalID)
	if err == nil && len(in.externalID) > 255 {
		return scimInvalid(ScimInvalidValue, "externalId: use at most 255 characters.")
	}
	return err
}

// readScimEnterpriseExtension reads the enterprise extension's manager. A resource with the
// extension manages managers, so one without a manager clears the user's.
func readScimEnterpriseExtension(v any, in *scimUserInput) error {
	ext, err := scimObject(v, ScimSchemaEnterprise)
	if err != nil {
		return err
	}
	in.hasManager = true
	if m, ok := scimGet(ext, "manager"); ok {
		in.managerID, err = scimManagerID(m)
	}
	return err
}

// scimManagerID reads a manager as sent: {"value": "id"} or the ID alone; 0 for none.
func scimManagerID(m any) (int64, error) {
	if object, isObject := m.(map[string]any); isObject {
		m, _ = scimGet(object, "value")
	}
	if s, isText := m.(string); isText && strings.TrimSpace(s) == "" {
		m = nil
	}
	if m == nil {
		return 0, nil
	}
	id, ok := scimIDValue(jsonNumberToFloat(m))
	if !ok {
		return 0, scimInvalid(ScimInvalidValue, "manager.value must be the id of a user of this account.")
	}
	return id, nil
}

// readScimRosterExtension reads Roster's extension with scimRosterReaders.
func readScimRosterExtension(v any, in *scimUserInput) error {
	ext, err := scimObject(v, ScimSchemaRoster)
	if err != nil {
		return err
	}
	return readScimAttributes(ext, in, scimRosterReaders)
}

// readScimPlan reads the name of the plan the user's seat is to come from; blank names none.
func readScimPlan(v any, in *scimUserInput) error {
	plan, err := scimText(v, "plan")
	in.plan = strings.TrimSpace(plan)
	in.hasPlan = in.plan != ""
	return err
}

// readScimRole reads a role by name; a blank one leaves the role as it is.
func readScimRole(v any, in *scimUserInput) error {
	roleText, err := scimText(v, "role")
	if err != nil {
		return err
	}
	if roleText = strings.TrimSpace(roleText); roleText == "" {
		return nil
	}
	role, ok := ParseRole(strings.ToLower(roleText))
	if !ok {
		return scimInvalid(ScimInvalidValue, "role must be one of admin, group_admin, manager, support, finance, member.")
	}
	in.role, in.hasRole = role, true
	return nil
}

func jsonNumberToFloat(v any) any {
	if n, ok := v.(json.Number); ok {
		f, _ := n.Float64()
		return f
	}
	return v
}

// scimBool reads a boolean, also as Entra ID's strings "True" and "False".
func scimBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, scimInvalid(ScimInvalidValue, "active must be true or false.")
}

// primaryValue is the value of the primary element of a multi-valued attribute, else of its
// first element of type work, else of its first element.
func primaryValue(v any, what string) (string, error) {
	list, ok := v.([]any)
	if !ok {
		if s, isText := v.(string); isText {
			return s, nil
		}
		return "", scimInvalid(ScimInvalidValue, "%s must be a list.", what)
	}
	chosen := -1
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return "", scimInvalid(ScimInvalidValue, "%s must be a list of objects.", what)
		}
		if p, _ := m[fold(m, "primary")].(bool); p {
			chosen = i
			break
		}
		if t, _ := m[fold(m, "type")].(string); chosen < 0 && strings.EqualFold(t, "work") {
			chosen = i
		}
	}
	if chosen < 0 && len(list) > 0 {
		chosen = 0
	}
	if chosen < 0 {
		return "", nil
	}
	m := list[chosen].(map[string]any)
	switch value := m[fold(m, "value")].(type) {
	case string:
		return value, nil
	case nil:
		return "", nil
	}
	return "", scimInvalid(ScimInvalidValue, "%s.value must be a string.", what)
}

// decodeScimDoc parses a request body into a resource. Returns ScimError invalidSyntax.
func decodeScimDoc(body []byte) (scimDoc, error) {
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, scimInvalid(ScimInvalidSyntax, "The request body is not a JSON object.")
	}
	if dec.More() {
		return nil, scimInvalid(ScimInvalidSyntax, "The request body holds more than one JSON value.")
	}
	return doc, nil
}

// DecodeScimPatch parses a PATCH request body. Returns ScimError invalidSyntax.
func DecodeScimPatch(body []byte) (ScimPatchRequest, error) {
	var req ScimPatchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return req, scimInvalid(ScimInvalidSyntax, "The request body is not a SCIM PatchOp message.")
	}
	return req, checkPatchRequest(req)
}

// ScimCreateUser creates an active user with a seat (RFC 7644 §3.3) and e-mails them a link to
// choose their password; an open invitation of the same address becomes that user. The plan is
// the Roster extension's or the account's provisioning default. Returns ScimError uniqueness for
// an address already in use, SeatsExhaustedError when the plan has no free seat (nothing changes),
// and ScimError invalidValue or invalidSyntax for a request it cannot take.
func (s *Store) ScimCreateUser(ctx context.Context, actor *Actor, body []byte, baseURL string) (*ScimUser, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	doc, err := decodeScimDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := parseScimUser(doc)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		var existing []User
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).
			Where("account_id = ? AND email = ? AND status <> ?", actor.Account.ID, in.email, StatusDeleted).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) > 0 && existing[0].Status != StatusInvited {
			return scimConflict(ScimUniqueness, "A user with userName %s already exists in this account.", in.email)
		}
		planID, err := ts.scimPlan(tx, actor, in)
		if err != nil {
			return err
		}
		if in.hasRole && in.role == RoleOwner {
			return scimInvalid(ScimInvalidValue, "Owners are chosen in Roster, not by the identity provider.")
		}
		now := s.now()
		if len(existing) == 1 {
			id, err = ts.scimAcceptInvitation(tx, actor, &existing[0], planID, in, now)
		} else {
			id, err = ts.scimInsertUser(tx, actor, planID, in, now)
		}
		if err != nil {
			return err
		}
		if err := ts.scimSaveAttributes(tx, actor, id, in); err != nil {
			return err
		}
		if in.managerID != 0 {
			if err := ts.scimSetManager(tx, actor, id, in, now); err != nil {
				return err
			}
		}
		if in.active {
			return ts.scimSendPasswordLink(tx, actor, id, in, baseURL, now)
		}
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, scimConflict(ScimUniqueness, "A user with userName %s already exists in this account.", in.email)
	}
	if err != nil {
		return nil, err
	}
	return s.ScimUser(ctx, actor, id)
}

// scimPlan is the plan a new user's seat comes from: the Roster extension's, by name, or the
// account's provisioning default.
func (s *Store) scimPlan(tx *gorm.DB, actor *Actor, in scimUserInput) (int64, error) {
	if in.hasPlan {
		var plans []Plan
		if err := tx.Where("account_id = ? AND lower(name) = ?", actor.Account.ID, strings.ToLower(in.plan)).Find(&plans).Error; err != nil {
			return 0, err
		}
		if len(plans) != 1 {
			return 0, scimInvalid(ScimInvalidValue, "This account has no plan named %q.", in.plan)
		}
		return plans[0].ID, nil
	}
	settings, err := provisioningSettings(tx, actor.Account.ID)
	if err != nil {
		return 0, err
	}
	if settings.PlanID != 0 {
		return settings.PlanID, nil
	}
	// No default chosen: the plan with the most free seats, so that an account that has not
	// set provisioning up yet still takes the provider's users while it has room.
	var plans []Plan
	if err := tx.Where("account_id = ?", actor.Account.ID).Order("id").Find(&plans).Error; err != nil {
		return 0, err
	}
	usage, err := seatUsage(tx, plans)
	if err != nil {
		return 0, err
	}
	if len(usage) == 0 {
		return 0, scimInvalid(ScimInvalidValue, "The account has no plan to give a seat of.")
	}
	best := usage[0]
	for _, u := range usage[1:] {
		if u.Free() > best.Free() {
			best = u
		}
	}
	return best.Plan.ID, nil
}

func (s *Store) scimInsertUser(tx *gorm.DB, actor *Actor, planID int64, in scimUserInput, now time.Time) (int64, error) {
	role := RoleMember
	if in.hasRole {
		role = in.role
	}
	status := StatusActive
	var deactivatedAt *time.Time
	if !in.active {
		status, deactivatedAt = StatusInactive, &now
	} else if err := claimSeats(tx, actor.Account.ID, map[int64]int{planID: 1}); err != nil {
		return 0, err
	}
	email := in.email
	u := User{AccountID: actor.Account.ID, Email: &email, Name: in.name, Phone: in.phone, Role: role, Status: status,
		PlanID: &planID, DeactivatedAt: deactivatedAt, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&u).Error; err != nil {
		return 0, err
	}
	if in.active {
		if err := recordSeatChanges(tx, []SeatLedgerEntry{seatEntry(&u, 1, 0, SeatReasonProvisioned, nil, now)}); err != nil {
			return 0, err
		}
	}
	var plan Plan
	if err := tx.Select("name").Take(&plan, planID).Error; err != nil {
		return 0, err
	}
	event := auditRow(actor, AuditUserProvisioned, &u.ID, now, map[string]any{"plan": plan.Name, "role": string(role), "active": in.active})
	return u.ID, writeAudit(tx, event)
}

// scimAcceptInvitation turns an open invitation into the provisioned user: their reserved seat
// becomes a used one (of another plan when the request names one), the invitation link stops
// working, and the invitation's groups stay.
func (s *Store) scimAcceptInvitation(tx *gorm.DB, actor *Actor, u *User, planID int64, in scimUserInput, now time.Time) (int64, error) {
	if u.PlanID == nil || !in.hasPlan {
		if u.PlanID != nil {
			planID = *u.PlanID
		}
	}
	var ledger []SeatLedgerEntry
	samePlan := u.PlanID != nil && *u.PlanID == planID
	if !samePlan {
		if err := claimSeats(tx, actor.Account.ID, map[int64]int{planID: 1}); err != nil {
			return 0, err
		}
	}
	if u.PlanID != nil {
		inUse := 0
		if samePlan && in.active {
			inUse = 1
		}
		ledger = append(ledger, seatEntry(u, inUse, -1, SeatReasonAccepted, nil, now))
	}
	if !samePlan && in.active {
		moved := *u
		moved.PlanID = &planID
		ledger = append(ledger, seatEntry(&moved, 1, 0, SeatReasonProvisioned, nil, now))
	}
	status := StatusActive
	var deactivatedAt *time.Time
	if !in.active {
		status, deactivatedAt = StatusInactive, &now
	}
	role := u.Role
	if in.hasRole {
		role = in.role
	}
	if role == RoleOwner {
		role = RoleMember
	}
	if err := tx.Model(&Invitation{}).Where("user_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", u.ID).
		Update("accepted_at", now).Error; err != nil {
		return 0, err
	}
	if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"status": status, "name": in.name, "phone": in.phone,
		"role": role, "plan_id": planID, "deactivated_at": deactivatedAt, "updated_at": now}).Error; err != nil {
		return 0, err
	}
	if err := recordSeatChanges(tx, ledger); err != nil {
		return 0, err
	}
	event := auditRow(actor, AuditUserProvisioned, &u.ID, now, map[string]any{"from_invitation": true, "plan_id": planID,
		"role": string(role), "active": in.active})
	return u.ID, writeAudit(tx, event)
}

// scimSaveAttributes keeps what Roster has no column for: the provider's ID and the name in parts.
func (s *Store) scimSaveAttributes(tx *gorm.DB, actor *Actor, id int64, in scimUserInput) error {
	var external any
	if in.externalID != "" {
		external = in.externalID
	}
	return tx.Exec(`INSERT INTO scim_users (user_id, account_id, external_id, given_name, family_name) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id, given_name = excluded.given_name, family_name = excluded.family_name`,
		id, actor.Account.ID, external, in.given, in.family).Error
}

// scimSetManager gives the user the manager the enterprise extension names, a live user of the
// account other than themselves.
func (s *Store) scimSetManager(tx *gorm.DB, actor *Actor, id int64, in scimUserInput, now time.Time) error {
	var manager any
	if in.managerID != 0 {
		if in.managerID == id {
			return scimInvalid(ScimInvalidValue, "A user cannot be their own manager.")
		}
		var n int64
		if err := tx.Model(&User{}).Where("id = ? AND account_id = ? AND status IN ?", in.managerID, actor.Account.ID,
			[]UserStatus{StatusActive, StatusInactive}).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return scimInvalid(ScimInvalidValue, "manager.value %d is not a user of this account.", in.managerID)
		}
		manager = in.managerID
	}
	return tx.Model(&User{}).Where("id = ?", id).Updates(map[string]any{"manager_id": manager, "updated_at": now}).Error
}

// scimSendPasswordLink queues the mail that lets a user just provisioned choose a password: a
// password reset link that lasts as long as an invitation. A new or invited user has no other
// link to replace.
func (s *Store) scimSendPasswordLink(tx *gorm.DB, actor *Actor, id int64, in scimUserInput, baseURL string, now time.Time) error {
	u := User{ID: id, AccountID: actor.Account.ID, Email: &in.email, Name: in.name}
	token := newToken()
	reset := PasswordReset{AccountID: u.AccountID, UserID: u.ID, TokenHash: hashToken(token), CreatedAt: now,
		ExpiresAt: now.Add(InvitationLifetime), RequestedIP: "provisioning"}
	if err := tx.Create(&reset).Error; err != nil {
		return err
	}
	link := mailLink(baseURL, routes.RoutePasswordReset, token)
	body := fmt.Sprintf("Hello %s,\n\n%s gave you access to %s on Roster.\n\nChoose your password here:\n%s\n\n"+
		"The link works once and expires on %s.\n\nIf you did not expect this, ignore this e-mail.\n",
		u.Name, "Your organisation's identity provider", actor.Account.Name, link, reset.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC"))
	return queueMail(tx, OutboxMessage{AccountID: u.AccountID, ToAddress: u.EmailAddress(),
		Subject: "Choose your Roster password for " + actor.Account.Name, Body: body, ActionURL: link, CreatedAt: now})
}

// lockScimUser loads a user SCIM may change and holds them; ErrNotFound for the rest.
func lockScimUser(tx *gorm.DB, actor *Actor, id int64) (*User, error) {
	var users []User
	if err := scimVisible(tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Table("users"), actor.Account.ID).
		Where("users.id = ?", id).Find(&users).Error; err != nil {
		return nil, err
	}
	if len(users) != 1 {
		return nil, ErrNotFound
	}
	return &users[0], nil
}

// ScimReplaceUser replaces a user's attributes with a request's (PUT, RFC 7644 §3.5.1).
// active false deactivates them through the deactivation wizard's path with the account's
// default hand-over, demoting administrators and managers first; active true reactivates them
// under the seat rules. Everything happens in one transaction. Returns ErrNotFound,
// SeatsExhaustedError, DeactivationBlockedError (the last owner), BulkRefusal and ScimError.
func (s *Store) ScimReplaceUser(ctx context.Context, actor *Actor, id int64, body []byte) (*ScimUser, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	doc, err := decodeScimDoc(body)
	if err != nil {
		return nil, err
	}
	in, err := parseScimUser(doc)
	if err != nil {
		return nil, err
	}
	if err := s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		u, err := lockScimUser(tx, actor, id)
		if err != nil {
			return err
		}
		return ts.scimUpdateUser(ctx, tx, actor, u, in)
	}); err != nil {
		return nil, scimUniqueEmail(err, in.email)
	}
	return s.ScimUser(ctx, actor, id)
}

// ScimPatchUser applies a PATCH request's operations to a user (RFC 7644 §3.5.2), in every shape
// Okta and Entra ID send, then changes the user as ScimReplaceUser does. Returns what
// ScimReplaceUser returns, and ScimError invalidPath for attributes no schema has.
func (s *Store) ScimPatchUser(ctx context.Context, actor *Actor, id int64, body []byte) (*ScimUser, error) {
	if !actor.Allows(PermProvisioning) {
		return nil, ErrForbidden
	}
	req, err := DecodeScimPatch(body)
	if err != nil {
		return nil, err
	}
	var email string
	if err := s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		u, err := lockScimUser(tx, actor, id)
		if err != nil {
			return err
		}
		current, err := ts.ScimUser(ctx, actor, id)
		if err != nil {
			return err
		}
		doc := scimDoc(current.Resource(""))
		// A round trip through JSON makes the representation the same kind of values a request has.
		raw, _ := json.Marshal(doc)
		if doc, err = decodeScimDoc(raw); err != nil {
			return err
		}
		if err := applyPatch(doc, req.Operations, ScimSchemaUser, scimUserAttributes, scimUserExtensions); err != nil {
			return err
		}
		in, err := parseScimUser(doc)
		if err != nil {
			return err
		}
		email = in.email
		return ts.scimUpdateUser(ctx, tx, actor, u, in)
	}); err != nil {
		return nil, scimUniqueEmail(err, email)
	}
	return s.ScimUser(ctx, actor, id)
}

func scimUniqueEmail(err error, email string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return scimConflict(ScimUniqueness, "A user with userName %s already exists in this account.", email)
	}
	return err
}

// scimUpdateUser makes u what in says, inside the request's transaction: first the attributes
// (one audit event naming those that changed), then, with the Store's own operations, the
// lifecycle, plan and role.
func (s *Store) scimUpdateUser(ctx context.Context, tx *gorm.DB, actor *Actor, u *User, in scimUserInput) error {
	now := s.now()
	changed, err := s.scimUpdateAttributes(tx, actor, u, in, now)
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		event := auditRow(actor, AuditUserProvisioningUpdated, &u.ID, now, map[string]any{"changed": changed})
		if err := writeAudit(tx, event); err != nil {
			return err
		}
	}
	return s.scimUpdateLifecycle(ctx, tx, actor, u, in)
}

// scimUpdateAttributes sets the user's columns, the attributes Roster keeps for the provider and
// the manager as in says, and names the SCIM attributes that changed.
func (s *Store) scimUpdateAttributes(tx *gorm.DB, actor *Actor, u *User, in scimUserInput, now time.Time) ([]string, error) {
	changed, err := scimUpdateColumns(tx, actor, u, in, now)
	if err != nil {
		return nil, err
	}
	kept, err := s.scimUpdateKeptAttributes(tx, actor, u.ID, in, now)
	if err != nil {
		return nil, err
	}
	changed = append(changed, kept...)
	managerChanged, err := s.scimUpdateManager(tx, actor, u, in, now)
	if managerChanged {
		changed = append(changed, "manager")
	}
	return changed, err
}

// scimUpdateColumns sets the users columns SCIM attributes map onto, each row of the table naming
// the column, the attribute and both values; a new address must be free in the account.
func scimUpdateColumns(tx *gorm.DB, actor *Actor, u *User, in scimUserInput, now time.Time) ([]string, error) {
	columns := []struct{ column, attribute, was, is string }{
		{"email", "userName", u.EmailAddress(), in.email},
		{"name", "displayName", u.Name, in.name},
		{"phone", "phoneNumbers", u.Phone, in.phone},
	}
	if in.email != u.EmailAddress() {
		if err := scimCheckEmailFree(tx, actor, u.ID, in.email); err != nil {
			return nil, err
		}
	}
	changed, updates := []string{}, map[string]any{}
	for _, c := range columns {
		if c.is != c.was {
			updates[c.column], changed = c.is, append(changed, c.attribute)
		}
	}
	if len(updates) == 0 {
		return changed, nil
	}
	updates["updated_at"] = now
	return changed, tx.Model(&User{}).Where("id = ?", u.ID).Updates(updates).Error
}

// scimCheckEmailFree refuses an address another user of the account has, as ScimError uniqueness.
func scimCheckEmailFree(tx *gorm.DB, actor *Actor, id int64, email string) error {
	var n int64
	if err := tx.Model(&User{}).Where("account_id = ? AND email = ? AND status <> ? AND id <> ?", actor.Account.ID, email, StatusDeleted, id).
		Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return scimConflict(ScimUniqueness, "A user with userName %s already exists in this account.", email)
	}
	return nil
}

// scimUpdateKeptAttributes saves the provider's ID and the name in parts when they changed.
func (s *Store) scimUpdateKeptAttributes(tx *gorm.DB, actor *Actor, id int64, in scimUserInput, now time.Time) ([]string, error) {
	var kept scimUserRow
	if err := tx.Table("users").Select(scimUserColumns).Joins(scimUserJoins).Where("users.id = ?", id).Take(&kept).Error; err != nil {
		return nil, err
	}
	var changed []string
	if in.externalID != kept.ExternalID {
		changed = append(changed, "externalId")
	}
	if in.given != kept.GivenName || in.family != kept.FamilyName {
		changed = append(changed, "name")
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if err := s.scimSaveAttributes(tx, actor, id, in); err != nil {
		return nil, err
	}
	return changed, tx.Model(&User{}).Where("id = ?", id).Update("updated_at", now).Error
}

// scimUpdateManager gives the user the manager in names, when the request manages managers and
// names another; true when it did.
func (s *Store) scimUpdateManager(tx *gorm.DB, actor *Actor, u *User, in scimUserInput, now time.Time) (bool, error) {
	current := int64(0)
	if u.ManagerID != nil {
		current = *u.ManagerID
	}
	if !in.hasManager || in.managerID == current {
		return false, nil
	}
	if err := s.scimSetManager(tx, actor, u.ID, in, now); err != nil {
		return false, err
	}
	return true, nil
}

// scimUpdateLifecycle deactivates or reactivates u and changes their plan and role as in says, in
// the order the seat rules need: a user leaving frees their seat before moving to another plan; a
// user coming back moves first, so that their seat comes from the new plan. Only users active
// afterwards get a new role, as some roles are demoted before deactivation.
func (s *Store) scimUpdateLifecycle(ctx context.Context, tx *gorm.DB, actor *Actor, u *User, in scimUserInput) error {
	wasActive := u.Status == StatusActive
	if !in.hasActive {
		in.active = wasActive
	}
	planID, err := s.scimNewPlan(tx, actor, u, in)
	if err != nil {
		return err
	}
	if in.hasRole && in.role != u.Role && (in.role == RoleOwner || u.Role == RoleOwner) {
		return scimInvalid(ScimInvalidValue, "Owners are chosen in Roster, not by the identity provider.")
	}
	switch {
	case wasActive && !in.active:
		if err := s.scimDeactivate(ctx, actor, u.ID); err != nil {
			return err
		}
		return s.scimChangePlan(ctx, actor, u.ID, planID)
	case !wasActive && in.active:
		if err := s.scimChangePlan(ctx, actor, u.ID, planID); err != nil {
			return err
		}
		if _, err := s.Reactivate(ctx, actor, []int64{u.ID}); err != nil {
			return err
		}
		return s.scimChangeRole(ctx, actor, u, in)
	}
	if err := s.scimChangePlan(ctx, actor, u.ID, planID); err != nil {
		return err
	}
	if !in.active {
		return nil
	}
	return s.scimChangeRole(ctx, actor, u, in)
}

// scimNewPlan is the plan the Roster extension moves u to, or 0 when it names none or u's own.
func (s *Store) scimNewPlan(tx *gorm.DB, actor *Actor, u *User, in scimUserInput) (int64, error) {
	if !in.hasPlan {
		return 0, nil
	}
	planID, err := s.scimPlan(tx, actor, in)
	if err != nil {
		return 0, err
	}
	if u.PlanID != nil && *u.PlanID == planID {
		return 0, nil
	}
	return planID, nil
}

// scimChangePlan moves the user to planID, unless it is 0.
func (s *Store) scimChangePlan(ctx context.Context, actor *Actor, id, planID int64) error {
	if planID == 0 {
		return nil
	}
	_, err := s.ChangePlan(ctx, actor, []int64{id}, planID)
	return err
}

// scimChangeRole gives u the role in names, when it names another.
func (s *Store) scimChangeRole(ctx context.Context, actor *Actor, u *User, in scimUserInput) error {
	if !in.hasRole || in.role == u.Role {
		return nil
	}
	_, err := s.ChangeRoles(ctx, actor, []int64{u.ID}, in.role)
	return err
}

// scimDeactivate deactivates one user as an identity provider asks: administrators and managers
// are demoted first (the provider is authoritative, and the deactivation's audit event says
// from what), their work goes by the account's default hand-over.
func (s *Store) scimDeactivate(ctx context.Context, actor *Actor, id int64) error {
	plan, err := s.DefaultHandoverPlan(ctx, actor, id, nil)
	if err != nil {
		return err
	}
	plan.Demote, plan.Reason = true, provisioningReason
	_, err = s.Deactivate(ctx, actor, []int64{id}, plan)
	return err
}

// ScimDeleteUser deletes a user for an identity provider (RFC 7644 §3.6): deactivated first if
// active, then deleted the way the account chose (anonymised after the grace period by default).
// From then on the user answers 404. Returns ErrNotFound, DeactivationBlockedError and
// BulkRefusal (what must be handed over first).
func (s *Store) ScimDeleteUser(ctx context.Context, actor *Actor, id int64) error {
	if !actor.Allows(PermProvisioning) {
		return ErrForbidden
	}
	return s.inOneTransaction(ctx, actor, func(ts *Store, tx *gorm.DB) error {
		u, err := lockScimUser(tx, actor, id)
		if err != nil {
			return err
		}
		if u.Status == StatusActive {
			if err := ts.scimDeactivate(ctx, actor, id); err != nil {
				return err
			}
		}
		settings, err := provisioningSettings(tx, actor.Account.ID)
		if err != nil {
			return err
		}
		if _, err := ts.ScheduleDeletion(ctx, actor, []int64{id}, settings.DeleteMode, false); err != nil {
			return err
		}
		// The deletion is carried out later on nobody's behalf: the requester is a token, not a user.
		return tx.Model(&User{}).Where("id = ?", id).Update("deletion_requested_by_id", nil).Error
	})
}
