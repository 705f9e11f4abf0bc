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
	get := func(m map[string]any, key string) (any, bool) {
		k, ok := lookupFold(m, key)
		if !ok {
			return nil, false
		}
		return m[k], m[k] != nil
	}
	text := func(v any, what string) (string, error) {
		switch v := v.(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		}
		return "", scimInvalid(ScimInvalidValue, "%s must be a string.", what)
	}
	raw, _ := get(doc, "userName")
	userName, err := text(raw, "userName")
	if err != nil {
		return in, err
	}
	in.email = NormalizeEmail(userName)
	if in.email == "" {
		return in, scimInvalid(ScimInvalidValue, "userName is required: the user's e-mail address.")
	}
	if ValidateEmail(in.email) != "" {
		return in, scimInvalid(ScimInvalidValue, "userName must be the user's e-mail address, like name@example.com.")
	}
	if v, ok := get(doc, "name"); ok {
		object, ok := v.(map[string]any)
		if !ok {
			return in, scimInvalid(ScimInvalidValue, "name must be an object.")
		}
		g, _ := get(object, "givenName")
		f, _ := get(object, "familyName")
		formatted, _ := get(object, "formatted")
		if in.given, err = text(g, "name.givenName"); err != nil {
			return in, err
		}
		if in.family, err = text(f, "name.familyName"); err != nil {
			return in, err
		}
		if in.name, err = text(formatted, "name.formatted"); err != nil {
			return in, err
		}
	}
	if v, ok := get(doc, "displayName"); ok {
		display, err := text(v, "displayName")
		if err != nil {
			return in, err
		}
		if strings.TrimSpace(display) != "" {
			in.name = display
		}
	}
	in.given, in.family = strings.TrimSpace(cleanText(in.given)), strings.TrimSpace(cleanText(in.family))
	if strings.TrimSpace(in.name) == "" {
		in.name = strings.TrimSpace(in.given + " " + in.family)
	}
	if strings.TrimSpace(in.name) == "" {
		in.name = in.email[:strings.Index(in.email, "@")]
	}
	in.name = strings.TrimSpace(cleanText(in.name))
	if msg := validateName(in.name); msg != "" {
		return in, scimInvalid(ScimInvalidValue, "displayName: %s", msg)
	}
	for _, part := range []string{in.given, in.family} {
		if utf8.RuneCountInString(part) > MaxNameLength || strings.IndexFunc(part, invisibleControl) >= 0 {
			return in, scimInvalid(ScimInvalidValue, "name.givenName and name.familyName: use a single line of at most %d characters.", MaxNameLength)
		}
	}
	if v, ok := get(doc, "phoneNumbers"); ok {
		phone, err := primaryValue(v, "phoneNumbers")
		if err != nil {
			return in, err
		}
		in.phone = strings.TrimSpace(cleanText(phone))
		if utf8.RuneCountInString(in.phone) > MaxPhoneLength {
			return in, scimInvalid(ScimInvalidValue, "phoneNumbers: use at most %d characters.", MaxPhoneLength)
		}
	}
	if v, ok := get(doc, "active"); ok {
		if in.active, err = scimBool(v); err != nil {
			return in, err
		}
		in.hasActive = true
	}
	if v, ok := get(doc, "externalId"); ok {
		if in.externalID, err = text(v, "externalId"); err != nil {
			return in, err
		}
		in.externalID = strings.TrimSpace(in.externalID)
		if len(in.externalID) > 255 {
			return in, scimInvalid(ScimInvalidValue, "externalId: use at most 255 characters.")
		}
	}
	if v, ok := get(doc, ScimSchemaEnterprise); ok {
		ext, ok := v.(map[string]any)
		if !ok {
			return in, scimInvalid(ScimInvalidValue, "%s must be an object.", ScimSchemaEnterprise)
		}
		in.hasManager = true
		if m, ok := get(ext, "manager"); ok {
			if object, isObject := m.(map[string]any); isObject {
				m, _ = get(object, "value")
			}
			if s, isText := m.(string); isText && strings.TrimSpace(s) == "" {
				m = nil
			}
			if m != nil {
				id, ok := scimIDValue(jsonNumberToFloat(m))
				if !ok {
					return in, scimInvalid(ScimInvalidValue, "manager.value must be the id of a user of this account.")
				}
				in.managerID = id
			}
		}
	}
	if v, ok := get(doc, ScimSchemaRoster); ok {
		ext, ok := v.(map[string]any)
		if !ok {
			return in, scimInvalid(ScimInvalidValue, "%s must be an object.", ScimSchemaRoster)
		}
		if p, ok := get(ext, "plan"); ok {
			if in.plan, err = text(p, "plan"); err != nil {
				return in, err
			}
			in.plan, in.hasPlan = strings.TrimSpace(in.plan), strings.TrimSpace(in.plan) != ""
		}
		if r, ok := get(ext, "role"); ok {
			roleText, err := text(r, "role")
			if err != nil {
				return in, err
			}
			if roleText = strings.TrimSpace(roleText); roleText != "" {
				role, ok := ParseRole(strings.ToLower(roleText))
				if !ok {
					return in, scimInvalid(ScimInvalidValue, "role must be one of admin, group_admin, manager, support, finance, member.")
				}
				in.role, in.hasRole = role, true
			}
		}
	}
	return in, nil
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

// scimUpdateUser makes u what in says, inside the request's transaction, with the Store's own
// operations for the lifecycle, plan and role, and one audit event naming the attributes that
// changed.
func (s *Store) scimUpdateUser(ctx context.Context, tx *gorm.DB, actor *Actor, u *User, in scimUserInput) error {
	now := s.now()
	var attrs scimUserRow
	if err := tx.Table("users").Select(scimUserColumns).Joins(scimUserJoins).Where("users.id = ?", u.ID).Take(&attrs).Error; err != nil {
		return err
	}
	changed := []string{}
	updates := map[string]any{}
	if in.email != u.EmailAddress() {
		var n int64
		if err := tx.Model(&User{}).Where("account_id = ? AND email = ? AND status <> ? AND id <> ?", actor.Account.ID, in.email, StatusDeleted, u.ID).
			Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return scimConflict(ScimUniqueness, "A user with userName %s already exists in this account.", in.email)
		}
		updates["email"] = in.email
		changed = append(changed, "userName")
	}
	if in.name != u.Name {
		updates["name"], changed = in.name, append(changed, "displayName")
	}
	if in.phone != u.Phone {
		updates["phone"], changed = in.phone, append(changed, "phoneNumbers")
	}
	if len(updates) > 0 {
		updates["updated_at"] = now
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return err
		}
	}
	if in.externalID != attrs.ExternalID || in.given != attrs.GivenName || in.family != attrs.FamilyName {
		if in.externalID != attrs.ExternalID {
			changed = append(changed, "externalId")
		}
		if in.given != attrs.GivenName || in.family != attrs.FamilyName {
			changed = append(changed, "name")
		}
		if err := s.scimSaveAttributes(tx, actor, u.ID, in); err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("updated_at", now).Error; err != nil {
			return err
		}
	}
	current := int64(0)
	if u.ManagerID != nil {
		current = *u.ManagerID
	}
	if in.hasManager && in.managerID != current {
		if err := s.scimSetManager(tx, actor, u.ID, in, now); err != nil {
			return err
		}
		changed = append(changed, "manager")
	}
	if len(changed) > 0 {
		event := auditRow(actor, AuditUserProvisioningUpdated, &u.ID, now, map[string]any{"changed": changed})
		if err := writeAudit(tx, event); err != nil {
			return err
		}
	}
	wasActive := u.Status == StatusActive
	if !in.hasActive {
		in.active = wasActive
	}
	var planID int64
	if in.hasPlan {
		var err error
		if planID, err = s.scimPlan(tx, actor, in); err != nil {
			return err
		}
		if u.PlanID != nil && *u.PlanID == planID {
			planID = 0
		}
	}
	if in.hasRole && in.role != u.Role && (in.role == RoleOwner || u.Role == RoleOwner) {
		return scimInvalid(ScimInvalidValue, "Owners are chosen in Roster, not by the identity provider.")
	}
	switch {
	case wasActive && !in.active:
		if err := s.scimDeactivate(ctx, actor, u.ID); err != nil {
			return err
		}
		if planID != 0 {
			if _, err := s.ChangePlan(ctx, actor, []int64{u.ID}, planID); err != nil {
				return err
			}
		}
	case !wasActive && in.active:
		if planID != 0 {
			if _, err := s.ChangePlan(ctx, actor, []int64{u.ID}, planID); err != nil {
				return err
			}
		}
		if _, err := s.Reactivate(ctx, actor, []int64{u.ID}); err != nil {
			return err
		}
		if in.hasRole && in.role != u.Role {
			if _, err := s.ChangeRoles(ctx, actor, []int64{u.ID}, in.role); err != nil {
				return err
			}
		}
	default:
		if planID != 0 {
			if _, err := s.ChangePlan(ctx, actor, []int64{u.ID}, planID); err != nil {
				return err
			}
		}
		if in.active && in.hasRole && in.role != u.Role {
			if _, err := s.ChangeRoles(ctx, actor, []int64{u.ID}, in.role); err != nil {
				return err
			}
		}
	}
	return nil
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
