package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Audit actions of Settings > Groups. Their details hold the group's ID and name, IDs and
// counts, never a person's name or address.
const (
	AuditGroupCreated           = "group.created"
	AuditGroupRenamed           = "group.renamed"
	AuditGroupMembersAdded      = "group.members_added"
	AuditGroupMembersRemoved    = "group.members_removed"
	AuditGroupOwnershipTransfer = "group.ownership_transferred"
	AuditGroupDeleted           = "group.deleted"
)

// Bounds of Settings > Groups.
const (
	MaxGroupNameLength   = 100
	GroupListPageSize    = 50
	GroupMembersPageSize = 50
	// maxGroupEmailsLookupPerQuery keeps each look-up of pasted addresses under every database's
	// limit on bound parameters.
	maxGroupEmailsLookupPerQuery = 1000
)

// NewGroup is what a create form asks for. OwnerEmail names the owner; empty means the actor.
type NewGroup struct {
	Name       string
	OwnerEmail string
}

// GroupRow is one line of the group list.
type GroupRow struct {
	ID          int64
	Name        string
	OwnerID     int64
	OwnerName   string
	OwnerStatus UserStatus
	MemberCount int64
	CreatedAt   time.Time
	SortKey     string `gorm:"column:sort_key"`
}

// GroupListQuery is a search and a position in the group list; After and Before are cursors of a
// previous page, at most one set.
type GroupListQuery struct {
	Search string
	After  string
	Before string
}

// GroupListPage is one page of the groups the actor sees, with how many match in all.
type GroupListPage struct {
	Rows       []GroupRow
	Total      int64
	NextCursor string
	PrevCursor string
}

// GroupMemberRow is one member on a group's page.
type GroupMemberRow struct {
	ID      int64
	Name    string
	Email   string
	Role    Role
	Status  UserStatus
	SortKey string `gorm:"column:sort_key"`
}

// GroupDetail is a group's page: the group, its owner, its member count and one page of members
// by name.
type GroupDetail struct {
	Group       Group
	OwnerName   string
	OwnerEmail  string
	OwnerStatus UserStatus
	// OwnerIsMember tells whether the owner is also one of the members.
	OwnerIsMember bool
	MemberCount   int64
	Members       []GroupMemberRow
	NextCursor    string
	PrevCursor    string
}

// ValidateGroupName returns the trimmed name and a message when it cannot be a group's name, or "".
func ValidateGroupName(name string) (string, string) {
	name, msg := checkText(name, MaxGroupNameLength, false)
	if msg == "" && name == "" {
		return name, "Enter a name for the group."
	}
	return name, msg
}

// duplicateGroupName is the message beside the name of a group that already exists.
func duplicateGroupName(name string) FieldErrors {
	return FieldErrors{"name": fmt.Sprintf("A group named %q already exists. Choose another name.", name)}
}

// groupNameTaken tells whether another group of the account has name in any letter case.
// Groups whose names fold to each other have as many characters, which the query narrows on.
func groupNameTaken(tx *gorm.DB, accountID int64, name string, except int64) (bool, error) {
	var names []string
	if err := tx.Model(&Group{}).Where("account_id = ? AND id <> ? AND length(name) = ?", accountID, except, utf8.RuneCountInString(name)).
		Pluck("name", &names).Error; err != nil {
		return false, err
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true, nil
		}
	}
	return false, nil
}

// lockActiveUserByEmail finds an active user of the account by address and holds them, so that
// they stay active until the transaction ends. Returns nil when there is none.
func lockActiveUserByEmail(tx *gorm.DB, accountID int64, email string) (*User, error) {
	var users []User
	if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).
		Where("account_id = ? AND email = ? AND status = ?", accountID, NormalizeEmail(email), StatusActive).Find(&users).Error; err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, nil
	}
	return &users[0], nil
}

// lockGroup reads a group of the actor's account for a change and holds it until the
// transaction ends. Returns ErrNotFound for unknown groups, groups of other accounts and groups
// the actor does not see.
func lockGroup(tx *gorm.DB, actor *Actor, id int64) (*Group, error) {
	var groups []Group
	if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where("id = ? AND account_id = ?", id, actor.Account.ID).
		Find(&groups).Error; err != nil {
		return nil, err
	}
	if len(groups) != 1 || !actor.CanSeeGroup(&groups[0]) {
		return nil, ErrNotFound
	}
	return &groups[0], nil
}

func groupDetails(g *Group, extra map[string]any) map[string]any {
	details := map[string]any{"group_id": g.ID, "group": g.Name}
	for k, v := range extra {
		details[k] = v
	}
	return details
}

// CreateGroup creates a group of the actor's account. The name is trimmed, 1–100 characters
// on one line and unique in the account in any letter case; the owner is the active user whose
// address is given, or the actor. Creating is account-wide, so group administrators may not.
//
// Returns ErrForbidden, and FieldErrors for "name" and "owner".
func (s *Store) CreateGroup(ctx context.Context, actor *Actor, req NewGroup) (*Group, error) {
	if !actor.ManagesAllGroups() {
		return nil, ErrForbidden
	}
	name, msg := ValidateGroupName(req.Name)
	fields := FieldErrors{}
	if msg != "" {
		fields["name"] = msg
	}
	ownerEmail := NormalizeEmail(req.OwnerEmail)
	if ownerEmail != "" && ValidateEmail(ownerEmail) != "" {
		fields["owner"] = "Enter the e-mail address of an active user, or leave it empty to own the group yourself."
	}
	if len(fields) > 0 {
		return nil, fields
	}
	var group Group
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		if ownerEmail == "" {
			ownerEmail = actor.User.EmailAddress()
		}
		owner, err := lockActiveUserByEmail(tx, actor.Account.ID, ownerEmail)
		if err != nil {
			return err
		}
		if owner == nil {
			if req.OwnerEmail == "" {
				return FieldErrors{"owner": "You are not active, so you cannot own a group: enter the address of an active user."}
			}
			return FieldErrors{"owner": "Nobody active in this account has this address. The owner must be an active user."}
		}
		taken, err := groupNameTaken(tx, actor.Account.ID, name, 0)
		if err != nil {
			return err
		}
		if taken {
			return duplicateGroupName(name)
		}
		now := s.now()
		group = Group{AccountID: actor.Account.ID, Name: name, OwnerID: owner.ID, CreatedAt: now}
		if err := tx.Create(&group).Error; err != nil {
			return err
		}
		event := auditRow(actor, AuditGroupCreated, &owner.ID, now, groupDetails(&group, map[string]any{"owner_id": owner.ID}))
		return writeAudit(tx, event)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, duplicateGroupName(name)
	}
	if err != nil {
		return nil, err
	}
	return &group, nil
}

// RenameGroup gives a group a new name under the same rules as CreateGroup. Group
// administrators rename their own groups.
//
// Returns ErrForbidden, ErrNotFound for groups the actor does not see, and FieldErrors for "name".
func (s *Store) RenameGroup(ctx context.Context, actor *Actor, id int64, newName string) (*Group, error) {
	if !actor.Allows(PermManageGroups) {
		return nil, ErrForbidden
	}
	name, msg := ValidateGroupName(newName)
	var group *Group
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		var err error
		if group, err = lockGroup(tx, actor, id); err != nil {
			return err
		}
		if !actor.CanManageGroup(group) {
			return ErrForbidden
		}
		if msg != "" {
			return FieldErrors{"name": msg}
		}
		if group.Name == name {
			return FieldErrors{"name": "That is already the group's name."}
		}
		taken, err := groupNameTaken(tx, actor.Account.ID, name, group.ID)
		if err != nil {
			return err
		}
		if taken {
			return duplicateGroupName(name)
		}
		now := s.now()
		if err := tx.Model(&Group{}).Where("id = ?", group.ID).Update("name", name).Error; err != nil {
			return err
		}
		event := auditRow(actor, AuditGroupRenamed, nil, now, groupDetails(group, map[string]any{"group": name, "from": group.Name}))
		group.Name = name
		return writeAudit(tx, event)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, duplicateGroupName(name)
	}
	if err != nil {
		return nil, err
	}
	return group, nil
}

// AddGroupMembers adds the people whose addresses are listed, all or nothing, at most
// MaxUsersPerAction at a time. Active, inactive and invited users may join; deleted ones and
// addresses nobody in the account has may not, nor may anyone listed twice or already a member.
// Adding brings people into the group administrator's reach, so only actors who manage every
// group add members.
//
// Returns ErrNotFound for groups the actor does not see, ErrForbidden, and
// AddMembersRejectedError with each address's problem.
func (s *Store) AddGroupMembers(ctx context.Context, actor *Actor, id int64, lines []InviteLine) (int, error) {
	if !actor.Allows(PermManageGroups) {
		return 0, ErrForbidden
	}
	switch {
	case len(lines) == 0:
		return 0, AddMembersRejectedError{Field: "Enter at least one e-mail address."}
	case len(lines) > MaxUsersPerAction:
		return 0, AddMembersRejectedError{Field: fmt.Sprintf("Add at most %d people at a time; this lists %d.", MaxUsersPerAction, len(lines))}
	}
	added := 0
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		// Seen first, without a lock, so that nothing is said about the addresses of a group the
		// actor may not see; the users are then locked before the group, as deactivation does.
		if err := canAddMembers(tx, actor, id); err != nil {
			return err
		}
		byEmail, err := s.lockUsersByEmail(tx, actor.Account.ID, lines)
		if err != nil {
			return err
		}
		group, err := lockGroup(tx, actor, id)
		if err != nil {
			return err
		}
		members, err := s.membersAmong(tx, group.ID, byEmail)
		if err != nil {
			return err
		}
		joining := joiningMembers(lines, byEmail, members)
		rejected := AddMembersRejectedError{Lines: lines}
		if rejected.Problems() > 0 {
			return rejected
		}
		now := s.now()
		rows := make([]GroupMember, len(joining))
		audit := make([]AuditEvent, len(joining))
		for i, uid := range joining {
			rows[i] = GroupMember{GroupID: group.ID, UserID: uid, AccountID: actor.Account.ID, CreatedAt: now}
			audit[i] = auditRow(actor, AuditGroupMembersAdded, &joining[i], now, groupDetails(group, map[string]any{"count": len(joining)}))
		}
		if err := tx.CreateInBatches(rows, 1000).Error; err != nil {
			return err
		}
		added = len(joining)
		return writeAudit(tx, audit...)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return 0, ErrConflict
	}
	if err != nil {
		return 0, err
	}
	return added, nil
}

// canAddMembers refuses a group the actor does not see (ErrNotFound), and adding to any group
// when the actor does not manage every group (ErrForbidden).
func canAddMembers(tx *gorm.DB, actor *Actor, id int64) error {
	var groups []Group
	if err := tx.Where("id = ? AND account_id = ?", id, actor.Account.ID).Find(&groups).Error; err != nil {
		return err
	}
	if len(groups) != 1 || !actor.CanSeeGroup(&groups[0]) {
		return ErrNotFound
	}
	if !actor.ManagesAllGroups() {
		return ErrForbidden
	}
	return nil
}

// membersAmong are those of the users who are already members of the group.
func (s *Store) membersAmong(tx *gorm.DB, groupID int64, byEmail map[string]User) (map[int64]bool, error) {
	members := map[int64]bool{}
	if len(byEmail) == 0 {
		return members, nil
	}
	ids := make([]int64, 0, len(byEmail))
	for _, u := range byEmail {
		ids = append(ids, u.ID)
	}
	var found []int64
	if err := tx.Model(&GroupMember{}).Where("group_id = ?", groupID).Where(s.idIn("user_id", ids)).
		Pluck("user_id", &found).Error; err != nil {
		return nil, err
	}
	for _, m := range found {
		members[m] = true
	}
	return members, nil
}

// joiningMembers are the users the lines add, in their order; each line that adds nobody gets
// its problem: listed twice, nobody's address or a member already.
func joiningMembers(lines []InviteLine, byEmail map[string]User, members map[int64]bool) []int64 {
	seen := map[string]bool{}
	var joining []int64
	for i := range lines {
		l := &lines[i]
		if l.Problem != "" {
			continue
		}
		u, ok := byEmail[l.Email]
		switch {
		case seen[l.Email]:
			l.Problem = "Listed twice."
		case !ok:
			l.Problem = "Nobody in this account has this address."
		case members[u.ID]:
			l.Problem = "Already a member."
		default:
			joining = append(joining, u.ID)
		}
		seen[l.Email] = true
	}
	return joining
}

// lockUsersByEmail finds the users of the account, deleted ones aside, with the lines' valid
// addresses, and holds them so that none is deleted before the transaction ends.
func (s *Store) lockUsersByEmail(tx *gorm.DB, accountID int64, lines []InviteLine) (map[string]User, error) {
	var emails []string
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Problem == "" && !seen[l.Email] {
			seen[l.Email] = true
			emails = append(emails, l.Email)
		}
	}
	byEmail := make(map[string]User, len(emails))
	for start := 0; start < len(emails); start += maxGroupEmailsLookupPerQuery {
		var users []User
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id, email, status").
			Where("account_id = ? AND status <> ? AND email IN ?", accountID, StatusDeleted, emails[start:min(start+maxGroupEmailsLookupPerQuery, len(emails))]).
			Order("id").Find(&users).Error; err != nil {
			return nil, err
		}
		for _, u := range users {
			byEmail[u.EmailAddress()] = u
		}
	}
	return byEmail, nil
}

// RemoveGroupMembers takes the selected users out of a group, all or nothing. Group
// administrators remove members of their own groups. The owner need not be a member, so removing
// them as a member leaves them the owner.
//
// Returns ErrForbidden, ErrNotFound for groups the actor does not see and for users who are not
// of the account, and FieldErrors for "ids" when the selection is empty, too large or names
// people who are not members (any more).
func (s *Store) RemoveGroupMembers(ctx context.Context, actor *Actor, id int64, userIDs []int64) (int, error) {
	if !actor.Allows(PermManageGroups) {
		return 0, ErrForbidden
	}
	ids := unique64(userIDs)
	removed := 0
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		group, err := lockGroup(tx, actor, id)
		if err != nil {
			return err
		}
		if !actor.CanManageGroup(group) {
			return ErrForbidden
		}
		switch {
		case len(ids) == 0:
			return FieldErrors{"ids": "Select at least one member to remove."}
		case len(ids) > MaxUsersPerAction:
			return FieldErrors{"ids": fmt.Sprintf("Remove at most %d members at a time.", MaxUsersPerAction)}
		}
		var known int64
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Where("account_id = ? AND status <> ?", actor.Account.ID, StatusDeleted).
			Count(&known).Error; err != nil {
			return err
		}
		if int(known) != len(ids) {
			return ErrNotFound
		}
		var members []int64
		if err := tx.Model(&GroupMember{}).Where("group_id = ?", group.ID).Where(s.idIn("user_id", ids)).
			Order("user_id").Pluck("user_id", &members).Error; err != nil {
			return err
		}
		if missing := len(ids) - len(members); missing > 0 {
			verb := "are"
			if missing == 1 {
				verb = "is"
			}
			return FieldErrors{"ids": fmt.Sprintf("%d of the selected people %s not a member any more, so nothing was removed. Reload the page and select again.",
				missing, verb)}
		}
		if err := tx.Where("group_id = ?", group.ID).Where(s.idIn("user_id", members)).Delete(&GroupMember{}).Error; err != nil {
			return err
		}
		now := s.now()
		audit := make([]AuditEvent, len(members))
		for i := range members {
			audit[i] = auditRow(actor, AuditGroupMembersRemoved, &members[i], now, groupDetails(group, map[string]any{"count": len(members)}))
		}
		removed = len(members)
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return removed, nil
}

// TransferGroupOwnership hands a group to another owner, who must be an active member of it. The
// old owner stays a member if they were one. A group administrator who hands their own group on
// no longer sees it afterwards: the returned group tells, through Actor.CanSeeGroup.
//
// Returns ErrForbidden, ErrNotFound for groups the actor does not see and users not of the
// account, and FieldErrors for "owner_id" when the new owner is not an active member or already
// owns the group.
func (s *Store) TransferGroupOwnership(ctx context.Context, actor *Actor, id, newOwnerID int64) (*Group, error) {
	if !actor.Allows(PermManageGroups) {
		return nil, ErrForbidden
	}
	var group *Group
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		// The new owner before the group, as deactivation locks users before their groups; they
		// stay active until this commits.
		var owners []User
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Where("id = ? AND account_id = ? AND status <> ?", newOwnerID, actor.Account.ID, StatusDeleted).
			Find(&owners).Error; err != nil {
			return err
		}
		var err error
		if group, err = lockGroup(tx, actor, id); err != nil {
			return err
		}
		if !actor.CanManageGroup(group) {
			return ErrForbidden
		}
		if len(owners) != 1 {
			return ErrNotFound
		}
		owner := owners[0]
		var member int64
		if err := tx.Model(&GroupMember{}).Where("group_id = ? AND user_id = ?", group.ID, owner.ID).Count(&member).Error; err != nil {
			return err
		}
		switch {
		case group.OwnerID == owner.ID:
			return FieldErrors{"owner_id": "They already own this group."}
		case member == 0:
			return FieldErrors{"owner_id": "Only a member of the group can become its owner: add them first."}
		case owner.Status != StatusActive:
			return FieldErrors{"owner_id": "Only an active member can own the group; this member is " + string(owner.Status) + "."}
		}
		now := s.now()
		if err := tx.Model(&Group{}).Where("id = ?", group.ID).Update("owner_id", owner.ID).Error; err != nil {
			return err
		}
		event := auditRow(actor, AuditGroupOwnershipTransfer, &owner.ID, now, groupDetails(group, map[string]any{"from_owner_id": group.OwnerID, "to_owner_id": owner.ID}))
		group.OwnerID = owner.ID
		return writeAudit(tx, event)
	})
	if err != nil {
		return nil, err
	}
	return group, nil
}

// DeleteGroup deletes an empty group. Memberships of deleted users, which no page shows, go with
// it. Deleting is account-wide, so group administrators may not.
//
// Returns ErrNotFound for groups the actor does not see, ErrForbidden, and FieldErrors for
// "delete" saying how many members must be removed first.
func (s *Store) DeleteGroup(ctx context.Context, actor *Actor, id int64) (*Group, error) {
	if !actor.Allows(PermManageGroups) {
		return nil, ErrForbidden
	}
	var group *Group
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		var err error
		if group, err = lockGroup(tx, actor, id); err != nil {
			return err
		}
		if !actor.ManagesAllGroups() {
			return ErrForbidden
		}
		members, err := countMembers(tx, actor.Account.ID, group.ID)
		if err != nil {
			return err
		}
		if members > 0 {
			return FieldErrors{"delete": fmt.Sprintf("Only an empty group can be deleted: remove its %s first.", Count(members, "member", "members"))}
		}
		if err := tx.Where("group_id = ?", group.ID).Delete(&GroupMember{}).Error; err != nil {
			return err
		}
		if err := tx.Where("id = ?", group.ID).Delete(&Group{}).Error; err != nil {
			return err
		}
		event := auditRow(actor, AuditGroupDeleted, nil, s.now(), groupDetails(group, nil))
		return writeAudit(tx, event)
	})
	if err != nil {
		return nil, err
	}
	return group, nil
}

// liveMembers are a group's memberships of users who are not deleted: the members every page and
// rule counts. Deleted users keep their membership rows, which no page shows.
const liveMembers = "group_members gm JOIN users mu ON mu.id = gm.user_id AND mu.status <> 'deleted'"

// memberCounts counts the members of each group in one statement: every membership, read from
// the primary key alone, less those of the account's deleted users, who are few and looked up
// once for all the groups. Joining each membership to its user instead costs a lookup per member,
// which for a page of large groups is tens of thousands.
func memberCounts(db *gorm.DB, accountID int64, groupIDs []int64) (map[int64]int64, error) {
	counts := make(map[int64]int64, len(groupIDs))
	if len(groupIDs) == 0 {
		return counts, nil
	}
	var rows []struct {
		GroupID int64
		N       int64
	}
	err := db.Raw(`SELECT group_id, SUM(n) AS n FROM (
			SELECT group_id, count(*) AS n FROM group_members WHERE group_id IN ? GROUP BY group_id
			UNION ALL
			SELECT gm.group_id, -count(*) AS n FROM users d JOIN group_members gm ON gm.user_id = d.id
			WHERE d.account_id = ? AND d.status = ? AND gm.group_id IN ? GROUP BY gm.group_id
		) counted GROUP BY group_id`, groupIDs, accountID, StatusDeleted, groupIDs).Scan(&rows).Error
	for _, r := range rows {
		counts[r.GroupID] = r.N
	}
	return counts, err
}

func countMembers(db *gorm.DB, accountID, groupID int64) (int64, error) {
	counts, err := memberCounts(db, accountID, []int64{groupID})
	return counts[groupID], err
}

// visibleGroups limits a groups query to what Actor.CanSeeGroup lets the actor see: every group
// of the account for account-wide actors, their own for group administrators.
func visibleGroups(db *gorm.DB, actor *Actor) *gorm.DB {
	condition, args := visibleGroupsCondition(actor)
	return db.Where(condition, args...)
}

// visibleGroupsCondition is visibleGroups as SQL, for statements written out whole.
func visibleGroupsCondition(actor *Actor) (string, []any) {
	if actor.ReachesAccount() {
		return "groups.account_id = ?", []any{actor.Account.ID}
	}
	return "groups.account_id = ? AND groups.owner_id = ?", []any{actor.Account.ID, actor.User.ID}
}

// ListGroupPage returns one page of the groups the actor sees by name, each with its owner's name
// and member count, in three queries whatever the page size: the rows with their owners, their
// member counts, and how many groups match.
//
// Returns ErrForbidden.
func (s *Store) ListGroupPage(ctx context.Context, actor *Actor, q GroupListQuery) (*GroupListPage, error) {
	if !actor.Allows(PermViewGroups) {
		return nil, ErrForbidden
	}
	search, _ := CleanSearch(q.Search)
	filtered := func() *gorm.DB {
		db := visibleGroups(s.read(ctx).Table("groups"), actor)
		if search != "" {
			db = db.Where(`lower(groups.name) LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(search))+"%")
		}
		return db
	}
	start := keysetStartOf(q.After, q.Before)
	op, order := start.direction()
	// The page is chosen from the groups alone and only its rows are joined to their owners.
	inner := filtered().Select("groups.id, groups.name, groups.owner_id, groups.created_at, lower(groups.name) AS sort_key")
	if start.from != nil {
		inner = inner.Where("(lower(groups.name), groups.id) "+op+" (?, ?)", start.from.Key, start.from.ID)
	}
	inner = inner.Order("lower(groups.name) " + order + ", groups.id " + order).Limit(GroupListPageSize + 1)
	var rows []GroupRow
	if err := s.read(ctx).Table("(?) AS page", inner).Joins("JOIN users owners ON owners.id = page.owner_id").
		Select("page.*, owners.name AS owner_name, owners.status AS owner_status").
		Order("page.sort_key " + order + ", page.id " + order).Scan(&rows).Error; err != nil {
		return nil, err
	}
	page := &GroupListPage{}
	rows, hasMore := keysetPage(rows, GroupListPageSize, start.backwards)
	page.Rows = rows
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	counts, err := memberCounts(s.read(ctx), actor.Account.ID, ids)
	if err != nil {
		return nil, err
	}
	for i := range page.Rows {
		page.Rows[i].MemberCount = counts[page.Rows[i].ID]
	}
	page.NextCursor, page.PrevCursor = keysetCursors(rows, hasMore, start.backwards, start.from != nil,
		func(r GroupRow) string { return encodeCursor(r.SortKey, r.ID) })
	if err := filtered().Count(&page.Total).Error; err != nil {
		return nil, err
	}
	return page, nil
}

// GetGroup returns a group's page: the group with its owner, its member count and the page of
// members after or before the given cursor, by name.
//
// Returns ErrForbidden, and ErrNotFound for groups the actor does not see.
func (s *Store) GetGroup(ctx context.Context, actor *Actor, id int64, after, before string) (*GroupDetail, error) {
	if !actor.Allows(PermViewGroups) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	var rows []struct {
		Group
		OwnerName     string
		OwnerEmail    string
		OwnerStatus   UserStatus
		OwnerIsMember bool
	}
	if err := db.Table("groups").Joins("JOIN users owners ON owners.id = groups.owner_id").
		Select(`groups.*, owners.name AS owner_name, coalesce(owners.email, '') AS owner_email, owners.status AS owner_status,
			EXISTS (SELECT 1 FROM group_members om WHERE om.group_id = groups.id AND om.user_id = groups.owner_id) AS owner_is_member`).
		Where("groups.id = ? AND groups.account_id = ?", id, actor.Account.ID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) != 1 || !actor.CanSeeGroup(&rows[0].Group) {
		return nil, ErrNotFound
	}
	r := rows[0]
	detail := &GroupDetail{Group: r.Group, OwnerName: r.OwnerName, OwnerEmail: r.OwnerEmail, OwnerStatus: r.OwnerStatus, OwnerIsMember: r.OwnerIsMember}
	var err error
	if detail.MemberCount, err = countMembers(db, actor.Account.ID, id); err != nil {
		return nil, err
	}
	start := keysetStartOf(after, before)
	op, order := start.direction()
	q := db.Table(liveMembers).Where("gm.group_id = ?", id).
		Select("mu.id, mu.name, coalesce(mu.email, '') AS email, mu.role, mu.status, lower(mu.name) AS sort_key")
	if start.from != nil {
		q = q.Where("(lower(mu.name), mu.id) "+op+" (?, ?)", start.from.Key, start.from.ID)
	}
	var members []GroupMemberRow
	if err := q.Order("lower(mu.name) " + order + ", mu.id " + order).Limit(GroupMembersPageSize + 1).Scan(&members).Error; err != nil {
		return nil, err
	}
	members, hasMore := keysetPage(members, GroupMembersPageSize, start.backwards)
	detail.Members = members
	detail.NextCursor, detail.PrevCursor = keysetCursors(members, hasMore, start.backwards, start.from != nil,
		func(m GroupMemberRow) string { return encodeCursor(m.SortKey, m.ID) })
	return detail, nil
}
