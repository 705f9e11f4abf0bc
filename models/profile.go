package models

import (
	"context"
	"strings"
	"sync"
)

// RecordCount is how many records of one kind a user owns, open and closed.
type RecordCount struct {
	Kind   string
	Open   int64
	Closed int64
}

// GroupMembership is a group a user belongs to, and whether they own it.
type GroupMembership struct {
	Group Group
	Owns  bool
}

// UserProfile is everything the profile page shows about one user.
type UserProfile struct {
	User           User
	Plan           *Plan
	Manager        *User
	InvitedBy      *User
	Groups         []GroupMembership
	OwnedGroups    []Group
	Records        []RecordCount
	ManagedUsers   int64
	OpenSessions   int64
	RecentActivity []AuditEventView
	// Handovers are the latest ownership changes of records this user gave or received.
	Handovers []OwnershipChangeView
	// OpenInvitation is set for an invited user.
	OpenInvitation *Invitation
	// Leaving is the user's leave date, if they have one (ScheduleDeactivation).
	Leaving *ScheduledDeactivationView
}

// OwnershipChangeView is one line of ownership history with the names involved.
type OwnershipChangeView struct {
	RecordOwnershipChange
	RecordKind    string
	RecordTitle   string
	FromName      string
	ToName        string
	ChangedByName string
}

// AuditEventView is an audit event with the names of the people it mentions.
type AuditEventView struct {
	AuditEvent
	ActorName  string
	TargetName string
	// RealActorName is who really acted when the event happened during an impersonation.
	RealActorName string
}

// TotalRecords counts all records the user owns.
func (p *UserProfile) TotalRecords() (open, closed int64) {
	for _, r := range p.Records {
		open += r.Open
		closed += r.Closed
	}
	return open, closed
}

// GetUserProfile loads the profile of user id. Returns ErrNotFound when the user does not
// exist, is deleted, or belongs to another account, so that foreign IDs reveal nothing. One
// statement, reach included.
func (s *Store) GetUserProfile(ctx context.Context, actor *Actor, id int64) (*UserProfile, error) {
	if actor == nil {
		return nil, ErrNotFound
	}
	p, reached, err := s.profileOf(ctx, actor, id, actor.reachConditions)
	if err != nil {
		return nil, err
	}
	if !actor.ReachesAccount() {
		if actor.reach == nil {
			actor.reach = map[int64]bool{}
		}
		actor.reach[id] = reached
	}
	if (p.User.ID != actor.User.ID && !actor.Reaches(&p.User)) || !actor.CanViewUser(&p.User) {
		return nil, ErrNotFound
	}
	return p, nil
}

// OwnProfile is the profile of the user the request acts as, for their home page: what they
// own, their groups and their manager. Under an impersonation it is the impersonated user's.
func (s *Store) OwnProfile(ctx context.Context, actor *Actor) (*UserProfile, error) {
	if !actor.Allows(PermSignedIn) {
		return nil, ErrForbidden
	}
	p, _, err := s.profileOf(ctx, actor, actor.User.ID, nil)
	if err != nil {
		return nil, err
	}
	p.User = *actor.User
	return p, nil
}

// profileRow is the one row profileOf reads: the user, what they point at (zero where they do
// not), counts, and each list as a JSON array.
type profileRow struct {
	User         User       `gorm:"embedded;embeddedPrefix:u__"`
	Plan         Plan       `gorm:"embedded;embeddedPrefix:p__"`
	Manager      User       `gorm:"embedded;embeddedPrefix:m__"`
	InvitedBy    User       `gorm:"embedded;embeddedPrefix:v__"`
	Invitation   Invitation `gorm:"embedded;embeddedPrefix:n__"`
	Reached      bool
	ManagedUsers int64
	OpenSessions int64
	Groups       string
	OwnedGroups  string
	Records      string
	Activity     string
	Handovers    string
	Leaving      string
}

// profileOf reads the profile of the user id of the actor's account in one statement: the user,
// plan, manager, inviter and open invitation joined, the counts and the lists as columns. reach,
// when given, adds whether the actor reaches the user. Returns ErrNotFound for no such user.
func (s *Store) profileOf(ctx context.Context, actor *Actor, id int64, reach func(string) ([]string, []any)) (*UserProfile, bool, error) {
	now := s.now()
	reachedSQL, args := "1 = 1", []any{}
	if reach != nil {
		if conditions, reachArgs := reach("u.id"); len(conditions) > 0 {
			reachedSQL, args = "("+strings.Join(conditions, " AND ")+")", reachArgs
		}
	}
	args = append(args, StatusDeleted, now, now.Add(-DefaultSessionLifetimes.Idle), StatusInvited, id, actor.Account.ID)
	var row profileRow
	found, err := s.takePrepared(ctx, &row, s.profileStatement(reachedSQL), args...)
	if err != nil {
		return nil, false, err
	}
	if !found {
		return nil, false, ErrNotFound
	}
	p := &UserProfile{User: row.User, ManagedUsers: row.ManagedUsers, OpenSessions: row.OpenSessions}
	if row.Plan.ID != 0 {
		p.Plan = &row.Plan
	}
	if row.Manager.ID != 0 {
		p.Manager = &row.Manager
	}
	if row.InvitedBy.ID != 0 {
		p.InvitedBy = &row.InvitedBy
	}
	if row.Invitation.ID != 0 {
		p.OpenInvitation = &row.Invitation
	}
	var groups []Group
	var counts []recordTally
	var leaving []ScheduledDeactivationView
	for _, list := range []struct {
		json string
		dest any
	}{{row.Groups, &groups}, {row.OwnedGroups, &p.OwnedGroups}, {row.Records, &counts}, {row.Activity, &p.RecentActivity}, {row.Handovers, &p.Handovers},
		{row.Leaving, &leaving}} {
		if err := decodeJSONList(ctx, list.json, list.dest); err != nil {
			return nil, false, err
		}
	}
	for _, g := range groups {
		p.Groups = append(p.Groups, GroupMembership{Group: g, Owns: g.OwnerID == id})
	}
	p.Records = groupRecordCounts(counts)
	if len(leaving) == 1 {
		p.Leaving = &leaving[0]
	}
	return p, row.Reached, nil
}

// profileStatement is profileOf's statement, its select lists built from the models' schemas.
// Its parameters: the reach condition's, then deleted, now, the idle limit, invited, the user
// and the account.
func (s *Store) profileStatement(reached string) string {
	key := [2]string{string(s.dialect), reached}
	if sql, ok := profileStatements.Load(key); ok {
		return sql.(string)
	}
	sql := s.buildProfileStatement(reached)
	profileStatements.Store(key, sql)
	return sql
}

// profileStatements caches profileStatement per dialect and reach condition.
var profileStatements sync.Map

func (s *Store) buildProfileStatement(reached string) string {
	groupColumns := jsonColumnsOf(&Group{}, "g")
	activity := append(jsonColumnsOf(&AuditEvent{}, "e"),
		jsonColumn{"actor_name", "actors.name"}, jsonColumn{"target_name", "targets.name"}, jsonColumn{"real_actor_name", "reals.name"})
	handovers := append(jsonColumnsOf(&RecordOwnershipChange{}, "h"),
		jsonColumn{"record_kind", "records.kind"}, jsonColumn{"record_title", "records.title"},
		jsonColumn{"from_name", "f.name"}, jsonColumn{"to_name", "t.name"}, jsonColumn{"changed_by_name", "b.name"})
	leaving := append(jsonColumnsOf(&ScheduledDeactivation{}, "sd"), jsonColumn{"scheduled_by_name", "sb.name"})
	return "SELECT " + strings.Join([]string{
		columnsOf(&User{}, "u", "u__"), columnsOf(&Plan{}, "p", "p__"), columnsOf(&User{}, "m", "m__"),
		columnsOf(&User{}, "v", "v__"), columnsOf(&Invitation{}, "n", "n__"),
	}, ", ") + ",\n" + reached + ` AS reached,
	(SELECT count(*) FROM users r WHERE r.manager_id = u.id AND r.status <> ?) AS managed_users,
	(SELECT count(*) FROM user_sessions us WHERE us.user_id = u.id AND us.revoked_at IS NULL AND us.expires_at > ? AND us.last_seen_at > ?) AS open_sessions,
	` + s.jsonList(groupColumns, "groups g JOIN group_members gm ON gm.group_id = g.id WHERE gm.user_id = u.id", "g.name, g.id", 0) + ` AS groups,
	` + s.jsonList(groupColumns, "groups g WHERE g.owner_id = u.id", "g.name, g.id", 0) + ` AS owned_groups,
	` + s.jsonList([]jsonColumn{{"kind", "rc.kind"}, {"is_open", "rc.is_open"}, {"n", "count(*)"}},
		"records rc WHERE rc.owner_id = u.id GROUP BY rc.kind, rc.is_open", "rc.kind, rc.is_open", 0) + ` AS records,
	` + s.jsonList(activity, `audit_events e
		LEFT JOIN users actors ON actors.id = e.actor_id
		LEFT JOIN users reals ON reals.id = e.real_actor_id
		LEFT JOIN users targets ON targets.id = e.target_user_id
		WHERE e.account_id = u.account_id AND (e.target_user_id = u.id OR e.actor_id = u.id)`, "e.created_at DESC, e.id DESC", 20) + ` AS activity,
	` + s.jsonList(handovers, `record_ownership_changes h
		JOIN records ON records.id = h.record_id
		LEFT JOIN users f ON f.id = h.from_user_id
		LEFT JOIN users t ON t.id = h.to_user_id
		LEFT JOIN users b ON b.id = h.changed_by_id
		WHERE h.account_id = u.account_id AND (h.from_user_id = u.id OR (h.to_user_id = u.id AND h.from_user_id IS NOT NULL))`, "h.changed_at DESC, h.id DESC", 20) + ` AS handovers,
	` + s.jsonList(leaving, `scheduled_deactivations sd
		LEFT JOIN users sb ON sb.id = sd.scheduled_by_id
		WHERE sd.user_id = u.id`, "sd.id", 1) + ` AS leaving
FROM users u
LEFT JOIN plans p ON p.id = u.plan_id
LEFT JOIN users m ON m.id = u.manager_id
LEFT JOIN users v ON v.id = u.invited_by_id
LEFT JOIN invitations n ON u.status = ? AND n.id = (SELECT min(o.id) FROM invitations o WHERE o.user_id = u.id AND o.accepted_at IS NULL AND o.revoked_at IS NULL)
WHERE u.id = ? AND u.account_id = ?`
}

// groupRecordCounts folds (kind, open?, n) rows into one line per kind, in the product's order
// of kinds, leaving out kinds the user owns none of.
// recordTally is one count of records by owner, kind and open or closed, as a GROUP BY gives it.
type recordTally struct {
	OwnerID int64
	Kind    string
	IsOpen  bool
	N       int64
}

func groupRecordCounts(rows []recordTally) []RecordCount {
	byKind := map[string]*RecordCount{}
	for _, r := range rows {
		c, ok := byKind[r.Kind]
		if !ok {
			c = &RecordCount{Kind: r.Kind}
			byKind[r.Kind] = c
		}
		if r.IsOpen {
			c.Open += r.N
		} else {
			c.Closed += r.N
		}
	}
	var result []RecordCount
	for _, kind := range RecordKinds {
		if c, ok := byKind[kind]; ok {
			result = append(result, *c)
			delete(byKind, kind)
		}
	}
	for _, c := range byKind {
		result = append(result, *c)
	}
	return result
}

// ReadableDetails are the event's details as the audit log shows them, naming the people the
// event itself names; anyone else shows by ID.
func (e AuditEventView) ReadableDetails() []AuditDetail {
	names := AuditNames{}
	if e.ActorID != nil && e.ActorName != "" {
		names[*e.ActorID] = e.ActorName
	}
	if e.TargetUserID != nil && e.TargetName != "" {
		names[*e.TargetUserID] = e.TargetName
	}
	return AuditDetails(e.Action, e.Details, names)
}
