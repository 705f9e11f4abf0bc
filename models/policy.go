package models

// Permission names what a route lets its caller do. Every route declares exactly one.
type Permission string

const (
	// PermPublic routes serve anyone, signed in or not (sign-in page, static files).
	PermPublic Permission = "public"
	// PermSignedIn routes serve any signed-in, active user (sign-out, own home).
	PermSignedIn Permission = "signed_in"
	// PermViewUsers opens Settings > User Management: the lists and the profiles.
	PermViewUsers Permission = "users.view"
	// PermManageUsers allows changing users: invite, deactivate, reactivate and the like.
	PermManageUsers Permission = "users.manage"
	// PermViewStatistics opens Settings > Team statistics: activity per user and month.
	PermViewStatistics Permission = "statistics.view"
	// PermViewSeats opens Settings > Seats & billing and its exports: what seats cost and which
	// are wasted.
	PermViewSeats Permission = "seats.view"
	// PermManageSeats changes the purchased quantity of a plan: a purchase, so finance and owners.
	PermManageSeats Permission = "seats.manage"
)

// Permissions lists every permission a route may declare.
var Permissions = []Permission{PermPublic, PermSignedIn, PermViewUsers, PermManageUsers, PermViewStatistics, PermViewSeats, PermManageSeats}

var rolePermissions = map[Role][]Permission{
	RoleOwner:   {PermViewUsers, PermManageUsers, PermViewStatistics, PermViewSeats, PermManageSeats},
	RoleAdmin:   {PermViewUsers, PermManageUsers, PermViewStatistics, PermViewSeats},
	RoleFinance: {PermViewSeats, PermManageSeats},
}

// Actor is who is making a request: the signed-in user, their account and their session.
type Actor struct {
	User    *User
	Account *Account
	Session *UserSession
	// IP is the client address of the current request, for the audit log.
	IP string
}

// Allows tells whether the actor may use a route that declares perm. A nil actor is an
// anonymous visitor.
func (a *Actor) Allows(perm Permission) bool {
	switch perm {
	case PermPublic:
		return true
	case PermSignedIn:
		return a != nil && a.User.Status == StatusActive
	}
	if a == nil || a.User.Status != StatusActive {
		return false
	}
	for _, p := range rolePermissions[a.User.Role] {
		if p == perm {
			return true
		}
	}
	return false
}

// CanViewUser tells whether the actor may see target's profile. Users of another account are
// never visible: callers must answer ErrNotFound, not ErrForbidden, so IDs leak nothing.
func (a *Actor) CanViewUser(target *User) bool {
	return a != nil && target.AccountID == a.User.AccountID && target.Status != StatusDeleted && a.Allows(PermViewUsers)
}

// CanActOn tells whether the actor may change target. Owners and admins act on everyone in their
// account.
func (a *Actor) CanActOn(target *User) bool {
	return a != nil && target.AccountID == a.User.AccountID && a.Allows(PermManageUsers)
}

// CanGrantRole tells whether the actor may give someone role: only owners make owners.
func (a *Actor) CanGrantRole(role Role) bool {
	if _, ok := ParseRole(string(role)); !ok || !a.Allows(PermManageUsers) {
		return false
	}
	return role != RoleOwner || a.User.Role == RoleOwner
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
