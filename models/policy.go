package models

// Permission names what a route lets its caller do. Every route declares exactly one.
type Permission string

const (
	// PermPublic routes serve anyone, signed in or not (sign-in page, static files).
	PermPublic Permission = "public"
	// PermSignedIn routes serve any signed-in, active user (sign-out, own home).
	PermSignedIn Permission = "signed_in"
	// PermViewUsers opens Settings > User Management: the lists and the profiles. Group
	// administrators and managers see only the users they reach (see Actor.Reach).
	PermViewUsers Permission = "users.view"
	// PermManageUsers allows changing users: deactivate, reactivate, change plan, delete and the
	// like — on the users the actor reaches and outranks.
	PermManageUsers Permission = "users.manage"
	// PermInviteUsers brings new people into the account and handles their invitations: an
	// account-wide act, so owners and admins only.
	PermInviteUsers Permission = "users.invite"
	// PermManageRoles changes users' roles.
	PermManageRoles Permission = "roles.manage"
	// PermViewGroups opens Settings > Groups: every group for owners and admins, their own for
	// group administrators.
	PermViewGroups Permission = "groups.view"
	// PermManageGroups renames groups, removes members and transfers ownership; creating and
	// deleting groups and adding members also need an account-wide reach (Actor.ManagesAllGroups).
	PermManageGroups Permission = "groups.manage"
	// PermImpersonate starts "View as" and "Act as" on users the actor reaches and outranks.
	PermImpersonate Permission = "users.impersonate"
	// PermViewAudit opens Settings > Audit log and its export.
	PermViewAudit Permission = "audit.view"
	// PermManageAccount changes account-wide settings such as switching impersonation off.
	PermManageAccount Permission = "account.manage"
	// PermViewStatistics opens Settings > Team statistics: activity per user and month.
	PermViewStatistics Permission = "statistics.view"
	// PermViewSeats opens Settings > Seats & billing and its exports: what seats cost and which
	// are wasted.
	PermViewSeats Permission = "seats.view"
	// PermManageSeats changes the purchased quantity of a plan: a purchase, so finance and owners.
	PermManageSeats Permission = "seats.manage"
	// PermManageWebhooks opens Settings > Webhooks: which systems hear of changes to the account,
	// and with which secret. Owners and admins.
	PermManageWebhooks Permission = "webhooks.manage"
	// PermStopImpersonation ends the impersonation the request runs under; only an
	// impersonating session holds it, whatever the mode.
	PermStopImpersonation Permission = "impersonation.stop"
	// PermManageProvisioning opens Settings > Account > Provisioning: SCIM tokens and defaults.
	PermManageProvisioning Permission = "provisioning.manage"
	// PermManageDormancy opens Settings > Dormant seats: the account's policy for people who
	// stop signing in, and who is exempt from it. Owners and admins.
	PermManageDormancy Permission = "dormancy.manage"
	// PermProvisioning routes serve an identity provider authenticated by a bearer token
	// (SCIM), never a browser session.
	PermProvisioning Permission = "provisioning.scim"
)

// Permissions lists every permission a route may declare.
var Permissions = []Permission{PermPublic, PermSignedIn, PermViewUsers, PermManageUsers, PermInviteUsers,
	PermManageRoles, PermViewGroups, PermManageGroups, PermImpersonate, PermViewAudit, PermManageAccount,
	PermViewStatistics, PermViewSeats, PermManageSeats, PermStopImpersonation, PermManageWebhooks, PermManageProvisioning, PermManageDormancy, PermProvisioning}

// rolePermissions is the table of roles: admins run user management; group administrators and managers act only
// on the users they reach; support reads and impersonates; finance sees seats and billing;
// members see none of Settings.
var rolePermissions = map[Role][]Permission{
	RoleOwner: {PermViewUsers, PermManageUsers, PermInviteUsers, PermManageRoles, PermViewGroups, PermManageGroups,
		PermImpersonate, PermViewAudit, PermManageAccount, PermViewStatistics, PermViewSeats, PermManageSeats, PermManageWebhooks,
		PermManageProvisioning, PermManageDormancy},
	RoleAdmin: {PermViewUsers, PermManageUsers, PermInviteUsers, PermManageRoles, PermViewGroups, PermManageGroups,
		PermImpersonate, PermViewAudit, PermViewStatistics, PermViewSeats, PermManageWebhooks, PermManageProvisioning,
		PermManageDormancy},
	RoleGroupAdmin: {PermViewUsers, PermManageUsers, PermViewGroups, PermManageGroups, PermImpersonate},
	RoleManager:    {PermViewUsers, PermManageUsers, PermImpersonate},
	RoleSupport:    {PermViewUsers, PermImpersonate, PermViewAudit},
	RoleFinance:    {PermViewSeats, PermManageSeats},
}

func roleAllows(role Role, perm Permission) bool {
	for _, p := range rolePermissions[role] {
		if p == perm {
			return true
		}
	}
	return false
}

// Actor is who is making a request: the user it acts as, their account and the session.
type Actor struct {
	// User is whom the request acts as: the signed-in user or, while impersonating, the
	// impersonated one.
	User    *User
	Account *Account
	Session *UserSession
	// Impersonation is set while the signed-in user views or acts as User; it names the real
	// user.
	Impersonation *Impersonation
	// IP is the client address of the current request, for the audit log.
	IP string
	// Notice is something the person must be told on the next page, such as an impersonation
	// that just ended by itself.
	Notice string
	// Provisioning is set when an identity provider acts through a SCIM token; User is then a
	// stand-in that names the token and is no row (ID 0). See provisioningActor.
	Provisioning *ProvisioningToken
	// System is set when a background rule of the account acts (SystemDormancy); User is then a
	// stand-in with ID 0 ranked like an owner, and the actor holds only PermViewUsers and
	// PermManageUsers. See dormancyActor.
	System string
	// reach holds, for actors whose rights stop at their groups or reports, which of the users an
	// operation asked about they reach; Store.loadReach fills it. Missing means not reached.
	reach map[int64]bool
}

// RealUser is the person signed in: the impersonator while impersonating, else User.
func (a *Actor) RealUser() *User {
	if a.Impersonation != nil {
		return a.Impersonation.RealUser
	}
	return a.User
}

// Impersonating tells whether the request runs under an impersonation.
func (a *Actor) Impersonating() bool { return a != nil && a.Impersonation != nil }

// Allows tells whether the actor may use a route that declares perm. A nil actor is an
// anonymous visitor. While impersonating, the actor holds only what both the impersonated and
// the real user hold, so nobody gains a right by impersonating.
func (a *Actor) Allows(perm Permission) bool {
	switch perm {
	case PermPublic:
		return true
	case PermSignedIn:
		return a.signedIn()
	case PermStopImpersonation:
		return a.signedIn() && a.Impersonation != nil
	case PermProvisioning:
		return a != nil && a.Provisioning != nil
	}
	if a != nil && a.Provisioning != nil {
		return provisioningAllows(perm)
	}
	if a != nil && a.System != "" {
		return perm == PermViewUsers || perm == PermManageUsers
	}
	if !a.signedIn() || !roleAllows(a.User.Role, perm) {
		return false
	}
	return a.Impersonation == nil || roleAllows(a.Impersonation.RealUser.Role, perm)
}

func (a *Actor) signedIn() bool {
	if a == nil || a.Provisioning != nil || a.System != "" {
		// An identity provider's token signs nobody in.
		return false
	}
	if a.Impersonation != nil {
		// Inactive users may be impersonated: the real user is the one who must be active.
		return a.Impersonation.RealUser.Status == StatusActive && a.User.Status != StatusDeleted
	}
	return a.User.Status == StatusActive
}

// RefuseStateChange says why the request may change nothing, or nil when it may: "View as" is
// read-only from start to stop.
func (a *Actor) RefuseStateChange() error {
	if a != nil && a.Impersonating() && a.Impersonation.Mode == ImpersonateView {
		return ViewOnlyError{User: a.User.Name}
	}
	return nil
}

// reachKind says which users of the account an actor's user rights reach.
type reachKind int

const (
	reachNobody reachKind = iota
	reachAccount
	reachOwnGroups
	reachReports
)

func reachOfRole(role Role) reachKind {
	switch role {
	case RoleOwner, RoleAdmin, RoleSupport:
		return reachAccount
	case RoleGroupAdmin:
		return reachOwnGroups
	case RoleManager:
		return reachReports
	}
	return reachNobody
}

// reachConditions are SQL conditions on a users' ID column that keep the users the actor
// reaches: none for account-wide roles, one per scoped identity (the real user's too while
// impersonating, so the reach is never wider than theirs).
func (a *Actor) reachConditions(idColumn string) (conditions []string, args []any) {
	people := []*User{a.User}
	if a.Impersonation != nil {
		people = append(people, a.Impersonation.RealUser)
	}
	for _, u := range people {
		switch reachOfRole(u.Role) {
		case reachAccount:
		case reachOwnGroups:
			conditions = append(conditions, idColumn+" IN (SELECT gm.user_id FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE g.owner_id = ?)")
			args = append(args, u.ID)
		case reachReports:
			conditions = append(conditions, idColumn+" IN (SELECT r.id FROM users r WHERE r.manager_id = ?)")
			args = append(args, u.ID)
		default:
			conditions = append(conditions, idColumn+" IN (SELECT r.id FROM users r WHERE 1 = 0 AND r.id = ?)")
			args = append(args, u.ID)
		}
	}
	return conditions, args
}

// ReachNote says whom a scoped actor's lists are limited to, or "" for account-wide actors.
func (a *Actor) ReachNote() string {
	if a.ReachesAccount() {
		return ""
	}
	switch reachOfRole(a.User.Role) {
	case reachOwnGroups:
		return "The members of the groups you administer: you see and act on them only."
	case reachReports:
		return "The people who report to you: you see and act on them only."
	}
	return "Only the people both you and the person you impersonate may reach."
}

// ReachesAccount tells whether the actor's user rights cover the whole account.
func (a *Actor) ReachesAccount() bool {
	conditions, _ := a.reachConditions("id")
	return len(conditions) == 0
}

// Reaches tells whether target is one of the users the actor's rights cover: anyone in the
// account for account-wide roles, members of their own groups for group administrators, their
// reports for managers. For scoped actors Store.loadReach must have looked target up first;
// until then the answer is no.
func (a *Actor) Reaches(target *User) bool {
	if a == nil || target.AccountID != a.Account.ID {
		return false
	}
	return a.ReachesAccount() || a.reach[target.ID]
}

// CanViewUser tells whether the actor may see target's profile. Users of another account are
// never visible: callers must answer ErrNotFound, not ErrForbidden, so IDs leak nothing.
func (a *Actor) CanViewUser(target *User) bool {
	return a != nil && target.AccountID == a.Account.ID && target.Status != StatusDeleted && a.Allows(PermViewUsers) &&
		(target.ID == a.User.ID || a.Reaches(target))
}

// CanActOn tells whether the actor may change target: they must reach target and outrank them.
// Owners act on everyone, admins on everyone but owners, group administrators and managers on
// the users they reach with fewer rights than their own.
func (a *Actor) CanActOn(target *User) bool {
	return a != nil && a.Allows(PermManageUsers) && a.Reaches(target) && a.outranks(target)
}

// ActRefusal says in a sentence why the actor may not change target, or "" when they may; for
// refusals shown beside a person's name.
func (a *Actor) ActRefusal(target *User) string {
	switch {
	case a.CanActOn(target):
		return ""
	case !a.Allows(PermManageUsers):
		return "Your role does not allow changing users."
	case !a.Reaches(target):
		return "Not in a group you administer or among the people you manage."
	case target.Role == RoleOwner:
		return "Only owners can change an owner."
	}
	return "Has the same or more rights than you."
}

func (a *Actor) outranks(target *User) bool {
	for _, u := range []*User{a.User, a.RealUser()} {
		switch u.Role {
		case RoleOwner:
		case RoleAdmin:
			if target.Role == RoleOwner {
				return false
			}
		default:
			if RoleRank(target.Role) >= RoleRank(u.Role) {
				return false
			}
		}
	}
	return true
}

// OffersLifecycleActions tells whether target's profile offers the actor its lifecycle actions
// (deactivate, reactivate, transfer, delete…): on someone else they may change. Each action
// still applies its own rules when taken.
func (a *Actor) OffersLifecycleActions(target *User) bool {
	return target.ID != a.User.ID && a.CanActOn(target)
}

// UserAction is something that can be done to a user from their profile or their row.
type UserAction string

const (
	ActionResetPassword UserAction = "reset_password"
	ActionTransfer      UserAction = "transfer"
	ActionDeactivate    UserAction = "deactivate"
	ActionReactivate    UserAction = "reactivate"
	ActionUndoDelete    UserAction = "undo_delete"
	ActionPrivacyEdit   UserAction = "privacy"
	ActionDelete        UserAction = "delete"
	ActionRemind        UserAction = "remind"
	ActionRevoke        UserAction = "revoke"
	ActionChangePlan    UserAction = "change_plan"
)

// ActionsFor lists the lifecycle actions that fit target's status, in the order a page offers
// them. Whether the actor may take them at all is OffersLifecycleActions; each action still
// applies its own rules when taken.
func ActionsFor(target *User) []UserAction {
	var actions []UserAction
	switch target.Status {
	case StatusActive:
		actions = []UserAction{ActionResetPassword, ActionTransfer, ActionDeactivate}
	case StatusInactive:
		if target.DeletionDueAt != nil {
			actions = []UserAction{ActionUndoDelete, ActionPrivacyEdit, ActionTransfer}
		} else {
			actions = []UserAction{ActionReactivate, ActionPrivacyEdit, ActionTransfer, ActionDelete}
		}
	case StatusInvited:
		actions = []UserAction{ActionRemind, ActionRevoke}
	default:
		return nil
	}
	return append(actions, ActionChangePlan)
}

// OffersRoleChange tells whether target's profile offers the actor a role change: some role
// can be given to them.
func (a *Actor) OffersRoleChange(target *User) bool {
	for _, role := range a.GrantableRoles() {
		if a.CanChangeRole(target, role) == nil {
			return true
		}
	}
	return false
}

// CanGrantRole tells whether the actor may give someone role: only owners make owners.
func (a *Actor) CanGrantRole(role Role) bool {
	if _, ok := ParseRole(string(role)); !ok || !a.Allows(PermManageUsers) {
		return false
	}
	return role != RoleOwner || a.User.Role == RoleOwner
}

// CanChangeRole says why the actor may not give target the role, or nil when they may. Nobody
// changes their own role; the last-owner rule needs the database and is checked by ChangeRoles.
func (a *Actor) CanChangeRole(target *User, role Role) error {
	switch {
	case !a.Allows(PermManageRoles):
		return ErrForbidden
	case target.ID == a.User.ID || target.ID == a.RealUser().ID:
		return RoleChangeRefusedError{User: target.Name, Reason: "nobody changes their own role"}
	case !a.CanActOn(target):
		return RoleChangeRefusedError{User: target.Name, Reason: "you cannot change users with the same or more rights than yours"}
	case !a.CanGrantRole(role):
		return RoleChangeRefusedError{User: target.Name, Reason: "only owners can make someone an owner"}
	case target.Status == StatusDeleted:
		return ErrNotFound
	}
	return nil
}

// ManagesAllGroups tells whether the actor creates and deletes groups and adds members: an
// account-wide act, since a member added to a group comes into its administrator's reach.
func (a *Actor) ManagesAllGroups() bool {
	return a.Allows(PermManageGroups) && a.ReachesAccount()
}

// CanSeeGroup tells whether the actor sees group on Settings > Groups.
func (a *Actor) CanSeeGroup(g *Group) bool {
	return a != nil && g.AccountID == a.Account.ID && a.Allows(PermViewGroups) && (a.ReachesAccount() || g.OwnerID == a.User.ID)
}

// CanManageGroup tells whether the actor may rename group, remove its members and hand it to
// another owner: owners and admins for every group, group administrators for their own.
func (a *Actor) CanManageGroup(g *Group) bool {
	return a.CanSeeGroup(g) && a.Allows(PermManageGroups)
}

// CanImpersonate says why the actor may not view or act as target, or nil when they may.
// Inactive users may be impersonated; deleted users, oneself, anyone with equal or more rights
// and anyone while already impersonating may not. Returns ErrNotFound for users the actor does
// not reach, as for every other look at them.
func (a *Actor) CanImpersonate(target *User) error {
	refuse := func(reason string) error { return ImpersonationRefusedError{User: target.Name, Reason: reason} }
	switch {
	case a == nil || target.AccountID != a.Account.ID || (target.Status != StatusDeleted && !a.Reaches(target) && target.ID != a.User.ID):
		return ErrNotFound
	case a.Impersonation != nil:
		return a.nestedImpersonation()
	case !a.Allows(PermImpersonate):
		return ErrForbidden
	case !a.Account.ImpersonationEnabled:
		return refuse("impersonation is switched off for this account")
	case target.ID == a.User.ID:
		return refuse("you cannot impersonate yourself")
	case target.Status == StatusDeleted:
		return refuse("deleted users cannot be impersonated")
	case target.Status == StatusInvited:
		return refuse("they have not accepted their invitation yet")
	case target.Role == RoleOwner || RoleRank(target.Role) >= RoleRank(a.User.Role):
		return refuse("they have the same or more rights than you")
	}
	return nil
}

// Refusal is nil when the actor may use a route that declares perm, and otherwise why not:
// ErrForbidden when their role does not carry it, or a refusal that explains itself when the role
// is not the reason (impersonating already, whatever either role allows).
func (a *Actor) Refusal(perm Permission) error {
	switch {
	case perm == PermImpersonate && a.Impersonating():
		return a.nestedImpersonation()
	case a.Allows(perm):
		return nil
	}
	return ErrForbidden
}

// nestedImpersonation refuses starting an impersonation from inside one: each is started from
// the impersonator's own account, so the audit log always names who really acted.
func (a *Actor) nestedImpersonation() error {
	whom := "someone"
	if a.Impersonating() {
		whom = a.User.Name
	}
	return ImpersonationRefusedError{User: "anyone else", Reason: "you are already impersonating " + whom +
		". Stop impersonating first, then start again from your own account"}
}

// RoleRank orders roles by the rights they carry, for hand-overs that must never lose rights:
// owner > admin > group administrator > manager > support, finance > member. Support and finance
// carry different rights of equal weight; unknown roles rank lowest.
func RoleRank(r Role) int {
	switch r {
	case RoleOwner:
		return 5
	case RoleAdmin:
		return 4
	case RoleGroupAdmin:
		return 3
	case RoleManager:
		return 2
	case RoleSupport, RoleFinance:
		return 1
	}
	return 0
}
