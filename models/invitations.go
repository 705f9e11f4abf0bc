package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// Invitation rules.
const (
	InvitationLifetime = 7 * 24 * time.Hour
	// ReminderInterval is how long after a sending or reminder the next reminder may go out.
	ReminderInterval = time.Hour
)

// InviteRequest is what an admin asks for: people, and the plan, role and groups they get.
type InviteRequest struct {
	Lines    []InviteLine
	PlanID   int64
	Role     Role
	GroupIDs []int64
	// BaseURL is where links in the e-mail point, e.g. https://roster.example.com.
	BaseURL string
	// OnlyValid invites the lines without a problem and leaves the others out, as the admin chose
	// after seeing each line's status; the form's own fields must still be right, and at least
	// one line must be valid. All of them are invited together or none.
	OnlyValid bool
}

// Invite creates invited users, reserves a seat for each and queues their e-mails, all in one
// transaction. Every address is checked first; if any has a problem, or the plan lacks seats,
// nothing is invited and InviteRejectedError reports each problem.
func (s *Store) Invite(ctx context.Context, actor *Actor, req InviteRequest) ([]User, error) {
	if !actor.Allows(PermInviteUsers) {
		return nil, ErrForbidden
	}
	var invited []User
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		req := req // a retried transaction starts from the request as sent
		req.Lines = slices.Clone(req.Lines)
		plan, groups, rejected, err := s.checkInvite(tx, actor, &req)
		if err != nil {
			return err
		}
		if rejected != nil && req.OnlyValid && len(rejected.Fields) == 0 && rejected.problems() < len(req.Lines) {
			req.Lines = validInviteLines(req.Lines)
			plan, groups, rejected, err = s.checkInvite(tx, actor, &req)
			if err != nil {
				return err
			}
		}
		if rejected != nil {
			return *rejected
		}
		if err := claimSeats(tx, actor.Account.ID, map[int64]int{plan.ID: len(req.Lines)}); err != nil {
			var exhausted SeatsExhaustedError
			if errors.As(err, &exhausted) {
				return seatRejection(req, plan, exhausted)
			}
			return err
		}
		invited, err = s.createInvitations(tx, actor, req, plan, groups)
		return err
	})
	return invited, err
}

// CheckInvite reports, without inviting anyone, each line's problem and what is wrong with the
// form's fields, as an invitation sent now would meet them: the preview of an uploaded list.
// Returns ErrForbidden.
func (s *Store) CheckInvite(ctx context.Context, actor *Actor, req InviteRequest) ([]InviteLine, FieldErrors, error) {
	if !actor.Allows(PermInviteUsers) {
		return nil, nil, ErrForbidden
	}
	req.Lines = slices.Clone(req.Lines)
	_, _, rejected, err := s.checkInvite(s.read(ctx), actor, &req)
	if err != nil || rejected == nil {
		return req.Lines, nil, err
	}
	if len(rejected.Fields) == 0 {
		rejected.Fields = nil
	}
	return rejected.Lines, rejected.Fields, nil
}

func validInviteLines(lines []InviteLine) []InviteLine {
	var valid []InviteLine
	for _, l := range lines {
		if l.Problem == "" {
			valid = append(valid, l)
		}
	}
	return valid
}

// checkInvite validates the request inside the transaction that will act on it.
func (s *Store) checkInvite(tx *gorm.DB, actor *Actor, req *InviteRequest) (*Plan, []Group, *InviteRejectedError, error) {
	fields := FieldErrors{}
	if len(req.Lines) == 0 {
		fields["addresses"] = "Enter at least one e-mail address."
	} else if len(req.Lines) > MaxInvitesPerRequest {
		fields["addresses"] = fmt.Sprintf("Invite at most %d people at a time; this lists %d.", MaxInvitesPerRequest, len(req.Lines))
	}
	if !actor.CanGrantRole(req.Role) {
		fields["role"] = "Choose a role you are allowed to give."
	}
	var plan Plan
	if err := tx.Where("id = ? AND account_id = ?", req.PlanID, actor.Account.ID).Take(&plan).Error; err != nil {
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, nil, err
		}
		fields["plan"] = "Choose the plan whose seats they get."
	}
	var groups []Group
	if len(req.GroupIDs) > 0 {
		if err := tx.Where("id IN ? AND account_id = ?", req.GroupIDs, actor.Account.ID).Find(&groups).Error; err != nil {
			return nil, nil, nil, err
		}
		if len(groups) != len(unique64(req.GroupIDs)) {
			fields["groups"] = "One of the groups does not exist any more."
		}
	}
	if err := s.markInviteProblems(tx, actor.Account.ID, req.Lines); err != nil {
		return nil, nil, nil, err
	}
	rejected := InviteRejectedError{Fields: fields, Lines: req.Lines}
	if len(fields) > 0 || rejected.problems() > 0 {
		return nil, nil, &rejected, nil
	}
	return &plan, groups, nil, nil
}

// markInviteProblems finds addresses listed twice or already in the account, with one query.
func (s *Store) markInviteProblems(tx *gorm.DB, accountID int64, lines []InviteLine) error {
	seen := map[string]bool{}
	var emails []string
	for i := range lines {
		if lines[i].Problem != "" {
			continue
		}
		if seen[lines[i].Email] {
			lines[i].Problem = "Listed twice."
			continue
		}
		seen[lines[i].Email] = true
		emails = append(emails, lines[i].Email)
	}
	if len(emails) == 0 {
		return nil
	}
	var existing []User
	if err := tx.Select("email, status").Where("account_id = ? AND email IN ? AND status <> ?", accountID, emails, StatusDeleted).
		Find(&existing).Error; err != nil {
		return err
	}
	statusOf := map[string]UserStatus{}
	for _, u := range existing {
		statusOf[u.EmailAddress()] = u.Status
	}
	for i := range lines {
		if st, ok := statusOf[lines[i].Email]; ok && lines[i].Problem == "" {
			switch st {
			case StatusInvited:
				lines[i].Problem = "Already invited: remind them from the Invited tab."
			case StatusInactive:
				lines[i].Problem = "Already a user, deactivated: reactivate them instead."
			default:
				lines[i].Problem = "Already a user in this account."
			}
		}
	}
	return nil
}

// seatRejection marks the addresses beyond the free seats, so the admin sees who would not fit.
func seatRejection(req InviteRequest, plan *Plan, exhausted SeatsExhaustedError) InviteRejectedError {
	free := exhausted.Shortfalls[0].Free
	for i := range req.Lines {
		if i >= free {
			req.Lines[i].Problem = "No seat left on " + plan.Name + "."
		}
	}
	return InviteRejectedError{Fields: FieldErrors{"plan": exhausted.Shortfalls[0].String() +
		" Buy more seats, pick another plan or invite fewer people."}, Lines: req.Lines}
}

func (s *Store) createInvitations(tx *gorm.DB, actor *Actor, req InviteRequest, plan *Plan, groups []Group) ([]User, error) {
	now := s.now()
	users := make([]User, len(req.Lines))
	for i, line := range req.Lines {
		email := line.Email
		name := line.Name
		if name == "" {
			name = email[:strings.Index(email, "@")]
		}
		users[i] = User{AccountID: actor.Account.ID, Email: &email, Name: name, Role: req.Role, Status: StatusInvited,
			PlanID: &plan.ID, InvitedByID: &actor.User.ID, CreatedAt: now, UpdatedAt: now}
	}
	if err := tx.Create(&users).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, ErrConflict
		}
		return nil, err
	}
	var memberships []GroupMember
	invitations := make([]Invitation, len(users))
	ledger := make([]SeatLedgerEntry, len(users))
	audit := make([]AuditEvent, len(users))
	mails := make([]OutboxMessage, len(users))
	for i := range users {
		u := &users[i]
		for _, g := range groups {
			memberships = append(memberships, GroupMember{GroupID: g.ID, UserID: u.ID, AccountID: u.AccountID, CreatedAt: now})
		}
		token := newToken()
		invitations[i] = Invitation{AccountID: u.AccountID, UserID: u.ID, TokenHash: hashToken(token), InvitedByID: &actor.User.ID,
			SentAt: now, ExpiresAt: now.Add(InvitationLifetime)}
		ledger[i] = seatEntry(u, 0, 1, SeatReasonInvited, &actor.User.ID, now)
		audit[i] = auditRow(actor, AuditUserInvited, &u.ID, now, map[string]any{"plan": plan.Name, "role": string(u.Role), "groups": len(groups)})
		mails[i] = invitationMail(actor, u, req.BaseURL, token, now, false)
	}
	for _, batch := range []any{&invitations, &ledger, &audit, &mails} {
		if err := tx.CreateInBatches(batch, 500).Error; err != nil {
			return nil, err
		}
	}
	if len(memberships) > 0 {
		if err := tx.CreateInBatches(&memberships, 500).Error; err != nil {
			return nil, err
		}
	}
	return users, nil
}

func invitationMail(actor *Actor, u *User, baseURL, token string, now time.Time, reminder bool) OutboxMessage {
	expires := now.Add(InvitationLifetime)
	link := mailLink(baseURL, routes.RouteInvitation, token)
	subject := fmt.Sprintf("%s invited you to %s on Roster", actor.User.Name, actor.Account.Name)
	opening := fmt.Sprintf("%s invited you to join %s on Roster.", actor.User.Name, actor.Account.Name)
	if reminder {
		subject = "Reminder: " + subject
		opening = fmt.Sprintf("A reminder: %s invited you to join %s on Roster.", actor.User.Name, actor.Account.Name)
	}
	body := fmt.Sprintf("Hello,\n\n%s\n\nAccept the invitation and choose your password here:\n%s\n\n"+
		"The link works once and expires on %s. Earlier links from this invitation no longer work.\n\n"+
		"If you did not expect this, ignore this e-mail.\n", opening, link, expires.UTC().Format("2 January 2006 at 15:04 UTC"))
	return OutboxMessage{AccountID: u.AccountID, ToAddress: u.EmailAddress(), Subject: subject, Body: body, ActionURL: link, CreatedAt: now}
}

// RemindResult says whom Remind reached and whom it left out.
type RemindResult struct {
	// Reminded are the people sent a new link, by ID.
	Reminded []int64
	// Skipped are the people whose last link went out within ReminderInterval, by name, each with
	// why ("invited 20 min ago").
	Skipped []SkippedUser
}

// SkippedUser is someone a bulk action passed over on purpose, with why.
type SkippedUser struct {
	ID     int64
	Name   string
	Reason string
}

// Remind sends every selected invited user a new link and pushes their expiry out again. People
// whose last link went out within ReminderInterval are skipped and listed, so that one fresh
// invitation does not hold back the rest; when everyone selected was sent a link too recently,
// nothing happens and BulkRefusal says why for each.
func (s *Store) Remind(ctx context.Context, actor *Actor, ids []int64, baseURL string) (*RemindResult, error) {
	if !actor.Allows(PermInviteUsers) {
		return nil, ErrForbidden
	}
	result := &RemindResult{}
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		*result = RemindResult{} // a retried transaction starts again
		users, invitations, err := s.lockInvitations(tx, actor, ids)
		if err != nil {
			return err
		}
		now := s.now()
		refusal := BulkRefusal{Action: "Remind", Reasons: map[int64]string{}, Names: map[int64]string{}}
		due := invitations[:0:0]
		var dueUsers []User
		for i, inv := range invitations {
			if reason := reminderTooSoon(inv, now); reason != "" {
				refusal.Reasons[users[i].ID], refusal.Names[users[i].ID] = reason, users[i].Name
				result.Skipped = append(result.Skipped, SkippedUser{ID: users[i].ID, Name: users[i].Name, Reason: reason})
				continue
			}
			due, dueUsers = append(due, inv), append(dueUsers, users[i])
		}
		if len(due) == 0 {
			return refusal
		}
		invitations, users = due, dueUsers
		for _, u := range users {
			result.Reminded = append(result.Reminded, u.ID)
		}
		var audit []AuditEvent
		for i := range invitations {
			token := newToken()
			inv := &invitations[i]
			expires := now.Add(InvitationLifetime)
			if err := tx.Model(inv).Updates(map[string]any{"token_hash": hashToken(token), "reminded_at": now,
				"reminders": inv.Reminders + 1, "expires_at": expires}).Error; err != nil {
				return err
			}
			mail := invitationMail(actor, &users[i], baseURL, token, now, true)
			if err := queueMail(tx, mail); err != nil {
				return err
			}
			audit = append(audit, auditRow(actor, AuditInvitationReminded, &users[i].ID, now, map[string]any{"reminders": inv.Reminders + 1}))
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// reminderTooSoon says why inv may not be reminded yet, or "": the last link, first or reminder,
// went out less than ReminderInterval ago.
func reminderTooSoon(inv Invitation, now time.Time) string {
	last, what := inv.SentAt, "Invited"
	if inv.RemindedAt != nil {
		last, what = *inv.RemindedAt, "Reminded"
	}
	wait := last.Add(ReminderInterval).Sub(now)
	if wait <= 0 {
		return ""
	}
	// The wait rounds up, so that "possible in 40 min" is never a minute early.
	return fmt.Sprintf("%s %s ago; a reminder is possible in %s.", what, roundDuration(now.Sub(last)), roundDuration(wait+time.Minute-1))
}

// Revoke withdraws the selected invitations: their links stop working and their seats are free.
func (s *Store) Revoke(ctx context.Context, actor *Actor, ids []int64) (int, error) {
	if !actor.Allows(PermInviteUsers) {
		return 0, ErrForbidden
	}
	revoked := 0
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		users, invitations, err := s.lockInvitations(tx, actor, ids)
		if err != nil {
			return err
		}
		revoked = len(users)
		now := s.now()
		invIDs := make([]int64, len(invitations))
		ledger := make([]SeatLedgerEntry, 0, len(users))
		audit := make([]AuditEvent, len(users))
		for i := range invitations {
			invIDs[i] = invitations[i].ID
			if users[i].PlanID != nil {
				ledger = append(ledger, seatEntry(&users[i], 0, -1, SeatReasonRevoked, &actor.User.ID, now))
			}
			audit[i] = auditRow(actor, AuditInvitationRevoked, &users[i].ID, now, nil)
		}
		if err := tx.Model(&Invitation{}).Where(s.idIn("id", invIDs)).Update("revoked_at", now).Error; err != nil {
			return err
		}
		revokedIDs := make([]int64, len(users))
		for i := range users {
			revokedIDs[i] = users[i].ID
		}
		if err := tx.Model(&User{}).Where(s.idIn("id", revokedIDs)).Updates(map[string]any{"status": StatusDeleted, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Where(s.idIn("user_id", revokedIDs)).Delete(&GroupMember{}).Error; err != nil {
			return err
		}
		if err := recordSeatChanges(tx, ledger); err != nil {
			return err
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return revoked, nil
}

// lockInvitations loads the selected users and their open invitations, locking both, and refuses
// unless every one is an invited user of the actor's account.
func (s *Store) lockInvitations(tx *gorm.DB, actor *Actor, ids []int64) ([]User, []Invitation, error) {
	ids, err := selection(ids)
	if err != nil {
		return nil, nil, err
	}
	users, err := s.lockSelectedUsers(tx, actor, ids)
	if err != nil {
		return nil, nil, err
	}
	if err := refuseEach("This action", users, func(u *User) string {
		if u.Status != StatusInvited || !actor.CanActOn(u) {
			return "Not an open invitation (" + string(u.Status) + ")."
		}
		return ""
	}); err != nil {
		return nil, nil, err
	}
	var invitations []Invitation
	if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where(s.idIn("user_id", ids)).Where("accepted_at IS NULL AND revoked_at IS NULL").
		Find(&invitations).Error; err != nil {
		return nil, nil, err
	}
	byUser := map[int64]Invitation{}
	for _, inv := range invitations {
		byUser[inv.UserID] = inv
	}
	ordered := make([]Invitation, len(users))
	for i, u := range users {
		inv, ok := byUser[u.ID]
		if !ok {
			return nil, nil, ErrConflict
		}
		ordered[i] = inv
	}
	return users, ordered, nil
}

// InvitationView is what the acceptance page shows before anyone signs in.
type InvitationView struct {
	AccountName string
	Email       string
	Name        string
	InviterName string
	ExpiresAt   time.Time
}

// OpenInvitation reads the invitation behind a link. Returns ErrInvitationUnknown for a tampered
// or replaced link, ErrInvitationExpired, ErrInvitationUsed or ErrInvitationRevoked.
func (s *Store) OpenInvitation(ctx context.Context, token string) (*InvitationView, error) {
	inv, user, err := findInvitation(s.read(ctx), token, s.now(), false)
	if err != nil {
		return nil, err
	}
	var account Account
	if err := s.read(ctx).Take(&account, inv.AccountID).Error; err != nil {
		return nil, err
	}
	view := &InvitationView{AccountName: account.Name, Email: user.EmailAddress(), Name: user.Name, ExpiresAt: inv.ExpiresAt}
	if inv.InvitedByID != nil {
		var inviter User
		if err := s.read(ctx).Select("name").Take(&inviter, *inv.InvitedByID).Error; err == nil {
			view.InviterName = inviter.Name
		}
	}
	return view, nil
}

func findInvitation(db *gorm.DB, token string, now time.Time, lock bool) (*Invitation, *User, error) {
	var inv Invitation
	if err := takeByToken(db, &inv, token, lock, ErrInvitationUnknown); err != nil {
		return nil, nil, err
	}
	switch {
	case inv.RevokedAt != nil:
		return nil, nil, ErrInvitationRevoked
	case inv.AcceptedAt != nil:
		return nil, nil, ErrInvitationUsed
	case !now.Before(inv.ExpiresAt):
		return nil, nil, ErrInvitationExpired
	}
	user, err := linkedUser(db, inv.UserID, lock, StatusInvited, ErrInvitationNoLonger)
	return &inv, user, err
}

// AcceptInvitation turns the invited user into an active one with the name and password they
// chose, converts their reserved seat into a used one and signs them in. Returns FieldErrors for
// an unacceptable name or password, or one of the invitation link errors.
func (s *Store) AcceptInvitation(ctx context.Context, token, name, password, ip, userAgent string) (*Actor, string, error) {
	name = strings.TrimSpace(name)
	fields := FieldErrors{}
	if msg := validateName(name); msg != "" {
		fields["name"] = msg
	}
	if msg := ValidatePassword(password); msg != "" {
		fields["password"] = msg
	}
	if len(fields) > 0 {
		return nil, "", fields
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	var user *User
	var sessionToken string
	var session *UserSession
	// A first unlocked look says which account the link belongs to: its lock comes first.
	link, _, err := findInvitation(s.read(ctx), token, s.now(), false)
	if err != nil {
		return nil, "", err
	}
	err = s.changeAccount(ctx, link.AccountID, func(tx *gorm.DB) error {
		now := s.now()
		inv, u, err := findInvitation(tx, token, now, true)
		if err != nil {
			return err
		}
		user = u
		if err := tx.Model(inv).Update("accepted_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(u).Updates(map[string]any{"status": StatusActive, "name": name, "password_hash": hash,
			"last_sign_in_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		u.Status, u.Name, u.LastSignInAt = StatusActive, name, &now
		if u.PlanID != nil {
			if err := recordSeatChanges(tx, []SeatLedgerEntry{seatEntry(u, 1, -1, SeatReasonAccepted, &u.ID, now)}); err != nil {
				return err
			}
		}
		sessionToken, session = newSession(u, now, ip, userAgent)
		if err := tx.Create(session).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditEntry{Account: u.AccountID, Actor: &u.ID, Action: AuditInvitationAccepted, Target: &u.ID, IP: ip, At: now}.event())
	})
	if err != nil {
		return nil, "", err
	}
	var account Account
	if err := s.read(ctx).Take(&account, user.AccountID).Error; err != nil {
		return nil, "", err
	}
	return &Actor{User: user, Account: &account, Session: session}, sessionToken, nil
}

// ValidatePassword returns what is wrong with a new password, or "".
func ValidatePassword(password string) string {
	switch n := len([]rune(password)); {
	case n < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(password) > maxPasswordLength:
		return "Use at most 1024 characters."
	}
	return ""
}

func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	if d < time.Hour {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h"
}

func itoa(n int) string { return strconv.Itoa(n) }
