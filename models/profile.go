package models

import (
	"context"
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
// exist, is deleted, or belongs to another account, so that foreign IDs reveal nothing.
func (s *Store) GetUserProfile(ctx context.Context, actor *Actor, id int64) (*UserProfile, error) {
	var user User
	if err := s.read(ctx).Where("id = ? AND account_id = ?", id, actor.Account.ID).Take(&user).Error; err != nil {
		return nil, notFound(err)
	}
	if err := s.requireReach(s.read(ctx), actor, []User{user}); err != nil {
		return nil, err
	}
	if !actor.CanViewUser(&user) {
		return nil, ErrNotFound
	}
	return s.profileOf(ctx, actor, user)
}

// OwnProfile is the profile of the user the request acts as, for their home page: what they
// own, their groups and their manager. Under an impersonation it is the impersonated user's.
func (s *Store) OwnProfile(ctx context.Context, actor *Actor) (*UserProfile, error) {
	if !actor.Allows(PermSignedIn) {
		return nil, ErrForbidden
	}
	return s.profileOf(ctx, actor, *actor.User)
}

func (s *Store) profileOf(ctx context.Context, actor *Actor, user User) (*UserProfile, error) {
	id := user.ID
	p := &UserProfile{User: user}
	db := s.read(ctx)
	if user.PlanID != nil {
		var plan Plan
		if err := db.Take(&plan, *user.PlanID).Error; err != nil {
			return nil, err
		}
		p.Plan = &plan
	}
	for _, ref := range []struct {
		id   *int64
		dest **User
	}{{user.ManagerID, &p.Manager}, {user.InvitedByID, &p.InvitedBy}} {
		if ref.id == nil {
			continue
		}
		var other User
		if err := db.Take(&other, *ref.id).Error; err != nil {
			return nil, err
		}
		*ref.dest = &other
	}
	var groups []Group
	if err := db.Joins("JOIN group_members ON group_members.group_id = groups.id").
		Where("group_members.user_id = ?", id).Order("groups.name").Find(&groups).Error; err != nil {
		return nil, err
	}
	for _, g := range groups {
		p.Groups = append(p.Groups, GroupMembership{Group: g, Owns: g.OwnerID == id})
	}
	if err := db.Where("owner_id = ?", id).Order("name").Find(&p.OwnedGroups).Error; err != nil {
		return nil, err
	}
	var counts []recordTally
	if err := db.Model(&Record{}).Select("kind, is_open, count(*) AS n").Where("owner_id = ?", id).
		Group("kind, is_open").Scan(&counts).Error; err != nil {
		return nil, err
	}
	p.Records = groupRecordCounts(counts)
	if err := db.Model(&User{}).Where("manager_id = ? AND status <> ?", id, StatusDeleted).Count(&p.ManagedUsers).Error; err != nil {
		return nil, err
	}
	now := s.now()
	if err := db.Model(&UserSession{}).Where("user_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?",
		id, now, now.Add(-DefaultSessionLifetimes.Idle)).Count(&p.OpenSessions).Error; err != nil {
		return nil, err
	}
	if err := db.Table("audit_events").
		Select("audit_events.*, actors.name AS actor_name, targets.name AS target_name, reals.name AS real_actor_name").
		Joins("LEFT JOIN users actors ON actors.id = audit_events.actor_id").
		Joins("LEFT JOIN users reals ON reals.id = audit_events.real_actor_id").
		Joins("LEFT JOIN users targets ON targets.id = audit_events.target_user_id").
		Where("audit_events.account_id = ? AND (audit_events.target_user_id = ? OR audit_events.actor_id = ?)", actor.Account.ID, id, id).
		Order("audit_events.created_at DESC, audit_events.id DESC").Limit(20).Scan(&p.RecentActivity).Error; err != nil {
		return nil, err
	}
	if err := db.Table("record_ownership_changes AS h").
		Select("h.*, records.kind AS record_kind, records.title AS record_title, f.name AS from_name, t.name AS to_name, b.name AS changed_by_name").
		Joins("JOIN records ON records.id = h.record_id").
		Joins("LEFT JOIN users f ON f.id = h.from_user_id").
		Joins("LEFT JOIN users t ON t.id = h.to_user_id").
		Joins("LEFT JOIN users b ON b.id = h.changed_by_id").
		Where("h.account_id = ? AND (h.from_user_id = ? OR (h.to_user_id = ? AND h.from_user_id IS NOT NULL))", actor.Account.ID, id, id).
		Order("h.changed_at DESC, h.id DESC").Limit(20).Scan(&p.Handovers).Error; err != nil {
		return nil, err
	}
	if user.Status == StatusInvited {
		var inv Invitation
		if err := db.Where("user_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Limit(1).Find(&inv).Error; err != nil {
			return nil, err
		}
		if inv.ID != 0 {
			p.OpenInvitation = &inv
		}
	}
	return p, nil
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
