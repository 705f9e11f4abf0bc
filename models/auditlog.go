package models

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// auditActionLabels names every action the audit log knows, as the log and its filter show it.
// An action written before its label was added still shows, under its stored name.
var auditActionLabels = map[string]string{
	AuditAccountCreated:          "Account created",
	AuditSignedIn:                "Signed in",
	AuditUserInvited:             "User invited",
	AuditInvitationReminded:      "Invitation reminded",
	AuditInvitationRevoked:       "Invitation revoked",
	AuditInvitationAccepted:      "Invitation accepted",
	AuditUserDeactivated:         "User deactivated",
	AuditDeactivationScheduled:   "Deactivation scheduled",
	AuditDeactivationRescheduled: "Deactivation rescheduled",
	AuditDeactivationUnscheduled: "Scheduled deactivation cancelled",
	AuditTimeZoneChanged:         "Time zone changed",
	AuditUserReactivated:         "User reactivated",
	AuditPasswordResetRequested:  "Password reset requested",
	AuditPasswordReset:           "Password reset",
	AuditPrivacyEdited:           "Personal data edited",
	AuditAccountTransferred:      "Account transferred",
	AuditRecordsHandedOver:       "Records handed over",
	AuditHandoverUndone:          "Hand-over undone",
	AuditOrphanedWorkHandedOver:  "Orphaned work handed over",
	AuditDeletionScheduled:       "Deletion scheduled",
	AuditDeletionUndone:          "Deletion undone",
	AuditDeletionCancelled:       "Deletion cancelled",
	AuditUserDeleted:             "User deleted",
	AuditUserPlanChanged:         "Plan changed",
	AuditPlanSeatsChanged:        "Seats changed",
	AuditRoleChanged:             "Role changed",
	AuditOwnDetailsChanged:       "Own details changed",
	AuditOwnPasswordChanged:      "Own password changed",
	AuditOwnPictureChanged:       "Own picture changed",
	AuditOwnPictureRemoved:       "Own picture removed",
	AuditSignedOutElsewhere:      "Signed out elsewhere",
	AuditAccountSettingsChanged:  "Account settings changed",
	AuditGroupCreated:            "Group created",
	AuditGroupRenamed:            "Group renamed",
	AuditGroupMembersAdded:       "Added to group",
	AuditGroupMembersRemoved:     "Removed from group",
	AuditGroupOwnershipTransfer:  "Group owner changed",
	AuditGroupDeleted:            "Group deleted",
	AuditImpersonationStarted:    "Impersonation started",
	AuditImpersonationStopped:    "Impersonation stopped",
	AuditImpersonationEnded:      "Impersonation ended",
	AuditDormancyPolicyChanged:   "Dormancy policy changed",
	AuditDormancyExemptChanged:   "Dormancy exemption changed",
	AuditDormancyWarned:          "Warned as dormant",
}

// AuditAction is one choice of the audit log's action filter.
type AuditAction struct{ Value, Label string }

// AuditActions lists the actions the log can be filtered by, in label order.
func AuditActions() []AuditAction {
	actions := make([]AuditAction, 0, len(auditActionLabels))
	for value, label := range auditActionLabels {
		actions = append(actions, AuditAction{Value: value, Label: label})
	}
	sort.Slice(actions, func(i, j int) bool { return actions[i].Label < actions[j].Label })
	return actions
}

// AuditActionLabel is how the log names action: its label, or the stored name for an action the
// log has no label for yet.
func AuditActionLabel(action string) string {
	if label, ok := auditActionLabels[action]; ok {
		return label
	}
	return action
}

// Bounds of the audit log's filters.
const (
	AuditPageSize      = 50
	MaxAuditUserFilter = 100
	// minAuditUserText keeps a one-letter filter from matching nearly everyone.
	minAuditUserText = 2
)

// auditEarliestDate is the earliest date the filter accepts: Roster keeps nothing older.
var auditEarliestDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// AuditLogQuery is one view of Settings > Audit log as typed into its filters. Actor and Target
// take a user ID ("42" or "#42") or part of a name or e-mail address; the actor filter also
// finds what someone did while acting as another user. From and To are dates (YYYY-MM-DD,
// inclusive, UTC). After and Before are opaque cursors from a previous page; at most one is used.
type AuditLogQuery struct {
	Actor  string
	Target string
	Action string
	From   string
	To     string
	After  string
	Before string
	// Everything includes sign-ins; by default the log shows changes only, as sign-ins outnumber
	// them many times over. Choosing an action shows it whatever this says.
	Everything bool
}

// AuditPerson is someone an event names. A user removed for good no longer has a row: Removed
// is set and only the ID is known. Anonymised users keep their row, named DeletedUserName.
type AuditPerson struct {
	ID      int64
	Name    string
	Removed bool
	// Provisioning marks an identity provider's token, named "Provisioning: <token name>"; ID
	// is then the token's.
	Provisioning bool
	// System marks a background rule of the account, such as the dormancy policy; ID is 0.
	System bool
}

// Label is how the log names the person.
func (p AuditPerson) Label() string {
	if p.Removed {
		return fmt.Sprintf("Removed user #%d", p.ID)
	}
	return p.Name
}

// AuditDetail is one fact of an event's details, ready to show as "Label: Value". Person is set
// when the value is one user, for the view to link.
type AuditDetail struct {
	Label, Value string
	Person       *AuditPerson
}

// AuditLogEntry is one line of the audit log. Actor is nil for what no signed-in user did (a
// reset link asked for from the sign-in page, a deletion carried out on schedule for a requester
// since removed); RealActor is set when Actor was being impersonated and names who really acted.
type AuditLogEntry struct {
	ID          int64
	At          time.Time
	Action      string
	ActionLabel string
	Actor       *AuditPerson
	RealActor   *AuditPerson
	Target      *AuditPerson
	Details     []AuditDetail
	// IP is the client address, empty when none was recorded or it was erased with its user.
	IP string
}

// AuditLogPage is one page of the log, newest first, with cursors to the neighbouring pages
// ("" where there is none).
type AuditLogPage struct {
	Entries    []AuditLogEntry
	NextCursor string
	PrevCursor string
}

// auditFilter is an AuditLogQuery checked and resolved into SQL conditions.
type auditFilter struct {
	actor, target userMatch
	action        string
	changesOnly   bool
	from, until   time.Time // until is exclusive: the day after To
}

// userMatch is a user filter: by ID, or by text matched against name and e-mail.
type userMatch struct {
	id      int64
	pattern string
}

// check validates q against now, with a message per field that cannot be used.
func (q AuditLogQuery) check(now time.Time) (auditFilter, error) {
	var f auditFilter
	errs := FieldErrors{}
	var ok bool
	if f.actor, ok = parseUserMatch(q.Actor); !ok {
		errs["actor"] = userMatchMessage(q.Actor)
	}
	if f.target, ok = parseUserMatch(q.Target); !ok {
		errs["target"] = userMatchMessage(q.Target)
	}
	if q.Action != "" {
		if _, known := auditActionLabels[q.Action]; known {
			f.action = q.Action
		} else {
			errs["action"] = "Choose an action from the list."
		}
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// A day of leeway: in time zones ahead of UTC it is already tomorrow.
	latest := today.AddDate(0, 0, 1)
	var from, to time.Time
	for _, d := range []struct {
		field, value string
		dest         *time.Time
	}{{"from", q.From, &from}, {"to", q.To, &to}} {
		value := strings.TrimSpace(d.value)
		if value == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, value)
		switch {
		case len(value) != len(time.DateOnly) || err != nil:
			errs[d.field] = "Enter a date as YYYY-MM-DD, for example " + today.Format(time.DateOnly) + "."
		case t.Before(auditEarliestDate):
			errs[d.field] = "Enter a date from " + auditEarliestDate.Format(time.DateOnly) + " on."
		case t.After(latest):
			errs[d.field] = "Enter a date no later than " + latest.Format(time.DateOnly) + "."
		default:
			*d.dest = t
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs["to"] = "The end date must be on or after the start date."
	}
	if len(errs) > 0 {
		return f, errs
	}
	f.changesOnly = f.action == "" && !q.Everything
	f.from = from
	if !to.IsZero() {
		f.until = to.AddDate(0, 0, 1)
	}
	return f, nil
}

// parseUserMatch reads a user filter: "", an ID ("42", "#42") or text of at least two characters.
func parseUserMatch(s string) (userMatch, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return userMatch{}, true
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > MaxAuditUserFilter {
		return userMatch{}, false
	}
	if digits, hash := strings.CutPrefix(s, "#"); hash || strings.Trim(s, "0123456789") == "" {
		id, err := strconv.ParseInt(digits, 10, 64)
		return userMatch{id: id}, err == nil && id > 0 && strings.Trim(digits, "0123456789") == ""
	}
	text := strings.TrimSpace(cleanText(s))
	if utf8.RuneCountInString(text) < minAuditUserText {
		return userMatch{}, false
	}
	return userMatch{pattern: "%" + escapeLike(strings.ToLower(text)) + "%"}, true
}

func userMatchMessage(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "Use letters, digits and punctuation only."
	case utf8.RuneCountInString(s) > MaxAuditUserFilter:
		return fmt.Sprintf("Use at most %d characters.", MaxAuditUserFilter)
	case strings.HasPrefix(s, "#") || strings.Trim(s, "0123456789") == "":
		return "Enter a user ID like #42, or part of a name or e-mail address."
	}
	return "Enter at least two characters of a name or e-mail address, or a user ID like #42."
}

type auditCursor struct {
	At string `json:"t"`
	ID int64  `json:"i"`
}

func encodeAuditCursor(e AuditLogEntry) string {
	raw, _ := json.Marshal(auditCursor{At: e.At.UTC().Format(time.RFC3339Nano), ID: e.ID})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeAuditCursor accepts only a cursor this code made; anything else (edited, truncated, from
// an older version) reads as no cursor, and the log starts from its newest event. A cursor only
// says where to continue inside the actor's own account and filters, so an edited one can show
// no more than the first page would.
func decodeAuditCursor(s string) (time.Time, int64, bool) {
	if s == "" || len(s) > 256 {
		return time.Time{}, 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, 0, false
	}
	var c auditCursor
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if dec.Decode(&c) != nil || c.ID <= 0 {
		return time.Time{}, 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, c.At)
	if err != nil || t.Before(auditEarliestDate) || t.Year() > 9999 {
		return time.Time{}, 0, false
	}
	return t.UTC(), c.ID, true
}

// AuditLog returns one page of the actor's account's audit log, newest first, under q's
// filters. It takes one query whatever the page holds: the names of everyone the events mention
// and the client addresses are joined in. Returns ErrForbidden unless the actor may view the
// audit log, and FieldErrors naming each filter that cannot be used.
func (s *Store) AuditLog(ctx context.Context, actor *Actor, q AuditLogQuery) (*AuditLogPage, error) {
	if !actor.Allows(PermViewAudit) {
		return nil, ErrForbidden
	}
	f, err := q.check(s.now())
	if err != nil {
		return nil, err
	}
	var from *auditCursor
	backwards := false
	var at time.Time
	var id int64
	var ok bool
	if at, id, ok = decodeAuditCursor(q.After); !ok {
		if at, id, ok = decodeAuditCursor(q.Before); ok {
			backwards = true
		}
	}
	if ok {
		from = &auditCursor{ID: id}
	}
	entries, err := s.readAuditLog(ctx, actor.Account.ID, f, from, at, backwards, AuditPageSize+1)
	if err != nil {
		return nil, err
	}
	hasMore := len(entries) > AuditPageSize
	if hasMore {
		entries = entries[:AuditPageSize]
	}
	if backwards {
		slices.Reverse(entries)
	}
	page := &AuditLogPage{Entries: entries}
	if len(entries) > 0 {
		first, last := entries[0], entries[len(entries)-1]
		switch {
		case backwards:
			page.NextCursor = encodeAuditCursor(last)
			if hasMore {
				page.PrevCursor = encodeAuditCursor(first)
			}
		default:
			if hasMore {
				page.NextCursor = encodeAuditCursor(last)
			}
			if from != nil {
				page.PrevCursor = encodeAuditCursor(first)
			}
		}
	}
	return page, nil
}

// ExportAuditLog calls each for every event of the actor's account under q's filters, newest
// first; q's cursors are ignored. Events are read ExportBatchSize at a time by keyset, one query
// per batch, so memory stays flat however long the log. Returns ErrForbidden unless the actor may
// view the audit log, FieldErrors for filters that cannot be used, and otherwise the first error
// of a query or of each, which ends the export.
//
// NOTE: the batches are separate reads, not one snapshot (see ExportUsers); the log only grows,
// at its newest end, so every event older than the first batch is listed exactly once.
func (s *Store) ExportAuditLog(ctx context.Context, actor *Actor, q AuditLogQuery, each func(AuditLogEntry) error) error {
	if !actor.Allows(PermViewAudit) {
		return ErrForbidden
	}
	f, err := q.check(s.now())
	if err != nil {
		return err
	}
	var from *auditCursor
	var at time.Time
	for {
		entries, err := s.readAuditLog(ctx, actor.Account.ID, f, from, at, false, ExportBatchSize)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := each(e); err != nil {
				return err
			}
		}
		if len(entries) < ExportBatchSize {
			return nil
		}
		last := entries[len(entries)-1]
		from, at = &auditCursor{ID: last.ID}, last.At
	}
}

// auditRowRead is one event as the log's query reads it.
type auditRowRead struct {
	ID            int64
	CreatedAt     time.Time
	Action        string
	ActorID       *int64
	RealActorID   *int64
	TargetUserID  *int64
	Details       string
	ActorName     *string
	RealActorName *string
	// ProvisioningTokenID and TokenName name the provisioning token that acted, if one did.
	ProvisioningTokenID *int64
	TokenName           *string
	SystemActor         *string
	TargetName          *string
	IP                  *string
}

// readAuditLog reads up to limit events in log order (newest first) from the position from names
// (exclusive), or when backwards the events just newer than it, nearest first, with the names of
// everyone they mention and their client address, in one query.
func (s *Store) readAuditLog(ctx context.Context, accountID int64, f auditFilter, from *auditCursor, at time.Time, backwards bool, limit int) ([]AuditLogEntry, error) {
	op, order := "<", "DESC"
	if backwards {
		op, order = ">", "ASC"
	}
	orderBy := "audit_events.created_at " + order + ", audit_events.id " + order
	// events are the account's events under every filter but the actor's, from the position on.
	events := func() *gorm.DB {
		db := s.filterAuditLog(ctx, s.read(ctx).Table("audit_events").Where("audit_events.account_id = ?", accountID), accountID, f)
		if from != nil {
			db = db.Where("(audit_events.created_at, audit_events.id) "+op+" (?, ?)", at, from.ID)
		}
		return db
	}
	var source *gorm.DB
	switch {
	case f.actor.pattern != "":
		// Who did it or who really did it, by name: "actor IN (…) OR real actor IN (…)" would
		// keep the database from choosing per filter between walking the log in time order
		// (many people match) and looking their few events up by index (one person matches), so
		// each column is read on its own, each side stopping at limit, and the two merged.
		matching := s.read(ctx).Table("users").Select("users.id").
			Where("users.account_id = ?", accountID).Where(searchExpression+` LIKE ? ESCAPE '\'`, f.actor.pattern)
		side := func(column string) *gorm.DB {
			return events().Select(auditEventColumns).Where("audit_events."+column+" IN (?)", matching).Order(orderBy).Limit(limit)
		}
		// A provisioning token is found by the name the log shows: "Provisioning: Okta".
		tokens := s.read(ctx).Table("scim_tokens").Select("scim_tokens.id").Where("scim_tokens.account_id = ?", accountID).
			Where(`lower('provisioning: ' || scim_tokens.name) LIKE ? ESCAPE '\'`, f.actor.pattern)
		byToken := events().Select(auditEventColumns).Where("audit_events.provisioning_token_id IN (?)", tokens).Order(orderBy).Limit(limit)
		// The dormancy policy too, by the name the log shows.
		bySystem := events().Select(auditEventColumns).Where("audit_events.system_actor = ?", SystemDormancy).
			Where(`lower(?) LIKE ? ESCAPE '\'`, SystemActorLabel(SystemDormancy), f.actor.pattern).Order(orderBy).Limit(limit)
		merged := s.read(ctx).Raw("SELECT * FROM (?) AS by_actor UNION SELECT * FROM (?) AS by_real_actor UNION SELECT * FROM (?) AS by_token"+
			" UNION SELECT * FROM (?) AS by_system", side("actor_id"), side("real_actor_id"), byToken, bySystem)
		source = s.read(ctx).Table("(?) AS audit_events", merged)
	case f.actor.id != 0:
		source = events().Where("(audit_events.actor_id = ? OR audit_events.real_actor_id = ?)", f.actor.id, f.actor.id)
	default:
		source = events()
	}
	db := source.Select(auditEventColumns + `, actors.name AS actor_name, real_actors.name AS real_actor_name,
			targets.name AS target_name, audit_event_ips.ip AS ip, scim_tokens.name AS token_name`).
		Joins("LEFT JOIN users actors ON actors.id = audit_events.actor_id").
		Joins("LEFT JOIN users real_actors ON real_actors.id = audit_events.real_actor_id").
		Joins("LEFT JOIN users targets ON targets.id = audit_events.target_user_id").
		Joins("LEFT JOIN audit_event_ips ON audit_event_ips.event_id = audit_events.id").
		Joins("LEFT JOIN scim_tokens ON scim_tokens.id = audit_events.provisioning_token_id")
	var rows []auditRowRead
	if err := db.Order(orderBy).Limit(limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	names, err := s.namesInDetails(ctx, accountID, rows)
	if err != nil {
		return nil, err
	}
	entries := make([]AuditLogEntry, len(rows))
	for i, r := range rows {
		entries[i] = AuditLogEntry{ID: r.ID, At: r.CreatedAt.UTC(), Action: r.Action, ActionLabel: AuditActionLabel(r.Action),
			Actor: auditPerson(r.ActorID, r.ActorName), RealActor: auditPerson(r.RealActorID, r.RealActorName),
			Target: auditPerson(r.TargetUserID, r.TargetName), Details: AuditDetails(r.Action, r.Details, names)}
		if r.IP != nil {
			entries[i].IP = *r.IP
		}
		if r.ProvisioningTokenID != nil && r.TokenName != nil {
			entries[i].Actor = &AuditPerson{ID: *r.ProvisioningTokenID, Name: ProvisioningActorLabel(*r.TokenName), Provisioning: true}
		}
		if r.SystemActor != nil {
			entries[i].Actor = &AuditPerson{Name: SystemActorLabel(*r.SystemActor), System: true}
		}
	}
	return entries, nil
}

// auditEventColumns are the event's own columns the log reads.
const auditEventColumns = `audit_events.id, audit_events.created_at, audit_events.action, audit_events.actor_id,
	audit_events.real_actor_id, audit_events.target_user_id, audit_events.details, audit_events.provisioning_token_id,
	audit_events.system_actor`

// filterAuditLog adds f's conditions except the actor's, which readAuditLog applies. A target by
// text is a subquery over the account's users (PostgreSQL answers it from the trigram index on
// name and e-mail), never a list of IDs built in Go; the database then picks, for the filter at
// hand, between walking the log in time order and looking the few matching events up by index.
func (s *Store) filterAuditLog(ctx context.Context, db *gorm.DB, accountID int64, f auditFilter) *gorm.DB {
	switch {
	case f.target.id != 0:
		db = db.Where("audit_events.target_user_id = ?", f.target.id)
	case f.target.pattern != "":
		db = db.Where("audit_events.target_user_id IN (?)", s.read(ctx).Table("users").Select("users.id").
			Where("users.account_id = ?", accountID).Where(searchExpression+` LIKE ? ESCAPE '\'`, f.target.pattern))
	}
	if f.action != "" {
		db = db.Where("audit_events.action = ?", f.action)
	}
	if f.changesOnly {
		db = db.Where("audit_events.action <> ?", AuditSignedIn)
	}
	if !f.from.IsZero() {
		db = db.Where("audit_events.created_at >= ?", f.from)
	}
	if !f.until.IsZero() {
		db = db.Where("audit_events.created_at < ?", f.until)
	}
	return db
}

func auditPerson(id *int64, name *string) *AuditPerson {
	if id == nil {
		return nil
	}
	if name == nil {
		return &AuditPerson{ID: *id, Removed: true}
	}
	return &AuditPerson{ID: *id, Name: *name}
}

// auditUserIDKeys are the detail keys whose values are user IDs.
var auditUserIDKeys = map[string]bool{"to": true, "records_to": true, "groups_to": true, "manager_to": true,
	"removed_user_id": true, "user_id": true, "from_user_id": true, "to_user_id": true, "records_to_by_kind": true,
	"owner_id": true, "from_owner_id": true, "to_owner_id": true, "fallback_user_id": true}

// auditRoleKeys are the detail keys whose values are roles, shown in words.
var auditRoleKeys = map[string]bool{"role": true, "from": true, "to": true}

// auditKeyLabels name the keys whose words alone read badly.
var auditKeyLabels = map[string]string{
	"to": "To", "from": "From", "records_to": "Records to", "groups_to": "Groups to", "manager_to": "New manager",
	"to_user_id": "To", "from_user_id": "From", "removed_user_id": "Removed user", "user_id": "User",
	"owner_id": "Owner", "from_owner_id": "From owner", "to_owner_id": "To owner", "records_to_by_kind": "Records to, by kind",
	"fallback_user_id": "Fallback", "from_plan_id": "From plan", "to_plan_id": "To plan", "to_plan": "To plan",
}

// maxAuditDetailValue bounds one shown value; a reason typed by an admin can be long.
const maxAuditDetailValue = 500

// AuditNames are the people an event's details name by ID, by ID: what the log and the profile
// show instead of a number.
type AuditNames map[int64]string

// namesInDetails reads, in one statement, the names of everyone the rows' details name by ID.
func (s *Store) namesInDetails(ctx context.Context, accountID int64, rows []auditRowRead) (AuditNames, error) {
	var ids []int64
	for _, r := range rows {
		ids = append(ids, auditDetailUserIDs(r.Details)...)
	}
	names := AuditNames{}
	if len(ids) == 0 {
		return names, nil
	}
	var users []struct {
		ID     int64
		Name   string
		Status UserStatus
	}
	if err := s.read(ctx).Table("users").Select("id, name, status").Where("account_id = ?", accountID).
		Where(s.idIn("id", unique64(ids))).Scan(&users).Error; err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = DisplayNameOf(u.Name, u.Status)
	}
	return names, nil
}

// auditDetailUserIDs are the user IDs an event's details hold.
func auditDetailUserIDs(raw string) []int64 {
	fields := decodeAuditDetails(raw)
	var ids []int64
	var collect func(v any)
	collect = func(v any) {
		switch v := v.(type) {
		case json.Number:
			if id, err := v.Int64(); err == nil && id > 0 {
				ids = append(ids, id)
			}
		case []any:
			for _, item := range v {
				collect(item)
			}
		case map[string]any:
			for _, item := range v {
				collect(item)
			}
		}
	}
	for k, v := range fields {
		if auditUserIDKeys[k] {
			collect(v)
		}
	}
	return ids
}

func decodeAuditDetails(raw string) map[string]any {
	if strings.TrimSpace(raw) == "" || raw == "{}" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return map[string]any{"details": "(unreadable)"}
	}
	return fields
}

// AuditDetails turns an event's JSON details into labelled values, in key order, as the audit
// log and the profile's trail show them: roles in words, people by name (from names; "user #ID"
// when unknown), and empty values (none, zero, nothing listed) left out. Whatever the details
// hold is returned as text for the view to escape, never as markup.
func AuditDetails(action, raw string, names AuditNames) []AuditDetail {
	fields := decodeAuditDetails(raw)
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if !emptyAuditValue(v) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	details := make([]AuditDetail, 0, len(keys))
	for _, k := range keys {
		d := AuditDetail{Label: auditKeyLabel(k)}
		if id, ok := fields[k].(json.Number); ok && auditUserIDKeys[k] && !(action == AuditRoleChanged && auditRoleKeys[k]) {
			if n, err := id.Int64(); err == nil {
				d.Person = &AuditPerson{ID: n, Name: names[n], Removed: names[n] == ""}
			}
		}
		d.Value = auditValue(action, k, fields[k], names)
		if r := []rune(d.Value); len(r) > maxAuditDetailValue {
			d.Value = string(r[:maxAuditDetailValue]) + "…"
		}
		details = append(details, d)
	}
	return details
}

// emptyAuditValue tells a value that says nothing: none, "", zero, an empty list or map.
func emptyAuditValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case json.Number:
		return v.String() == "0"
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// auditKeyLabel turns a key into words: "records_moved" → "Records moved".
func auditKeyLabel(key string) string {
	if label, ok := auditKeyLabels[key]; ok {
		return label
	}
	words := strings.TrimSpace(strings.ReplaceAll(cleanText(key), "_", " "))
	if words == "" {
		return "Detail"
	}
	r, size := utf8.DecodeRuneInString(words)
	return strings.ToUpper(string(r)) + words[size:]
}

func auditValue(action, key string, v any, names AuditNames) string {
	switch v := v.(type) {
	case nil:
		return "none"
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case json.Number:
		if auditUserIDKeys[key] {
			if id, err := v.Int64(); err == nil && names[id] != "" {
				return names[id]
			}
			return "user #" + v.String()
		}
		return v.String()
	case string:
		if auditRoleKeys[key] && (key == "role" || action == AuditRoleChanged) {
			if role := Role(v); slices.Contains(Roles, role) {
				return role.Label()
			}
		}
		return cleanText(v)
	case []any:
		parts := make([]string, len(v))
		for i, item := range v {
			parts[i] = auditValue(action, key, item, names)
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			// A map under a user-ID key maps something (a record kind) to a user.
			parts[i] = cleanText(k) + ": " + auditValue(action, key, v[k], names)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}
