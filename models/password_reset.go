package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// Password reset rules.
const (
	// PasswordResetLifetime is short: the link is as good as the password it replaces.
	PasswordResetLifetime = time.Hour
	// passwordResetWindow is what the self-service limits count over.
	passwordResetWindow = time.Hour
	// maxSelfResetsPerUser stops anyone from flooding a person's inbox through the sign-in page.
	maxSelfResetsPerUser = 3
	// maxSelfResetsPerClient stops one client from mailing many people.
	maxSelfResetsPerClient = 10
	// maxAccountsPerAddress bounds the work of one self-service request; one person is rarely in
	// more than a few accounts.
	maxAccountsPerAddress = 20
)

// PasswordReset is a link to choose a new password; only the token's hash is stored.
// RequestedByID is the admin who sent it, nil when the user asked for it from the sign-in page.
type PasswordReset struct {
	ID            int64
	AccountID     int64
	UserID        int64
	TokenHash     string
	RequestedByID *int64
	RequestedIP   string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time
	ReplacedAt    *time.Time
}

// PasswordResetView is what the reset page shows before anyone signs in.
type PasswordResetView struct {
	AccountName string
	Email       string
	Name        string
	ExpiresAt   time.Time
}

// RequestPasswordResets e-mails each selected user a reset link and ends every session of theirs
// at once, in one transaction; the admin never sees or sets the password. Their old password stops
// working too: an admin resets a password because it may be known to someone else, who would
// otherwise sign straight back in. Only active users of the actor's account qualify — an inactive
// user cannot sign in anyway — and never the actor: if any selected user does not qualify, nothing
// happens and BulkRefusal says why for each. Returns ErrNotFound when an ID is not a user of the
// actor's account.
func (s *Store) RequestPasswordResets(ctx context.Context, actor *Actor, ids []int64, baseURL string) (int, error) {
	if !actor.Allows(PermManageUsers) {
		return 0, ErrForbidden
	}
	ids, err := selection(ids)
	if err != nil {
		return 0, err
	}
	// The hash of a secret nobody keeps: no password matches it, and a sign-in attempt still
	// takes as long as against a real password, so it does not show that a reset is pending.
	locked, err := HashPassword(newToken())
	if err != nil {
		return 0, err
	}
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		users, err := s.lockSelectedUsers(tx, actor, ids)
		if err != nil {
			return err
		}
		if err := refuseEach("Reset password", users, func(u *User) string {
			switch {
			case u.ID == actor.User.ID:
				return "That is you: sign out and use “Forgot your password?” instead."
			case u.Status != StatusActive:
				return "Not active (" + string(u.Status) + "): they cannot sign in, so there is nothing to reset."
			case !actor.CanActOn(u):
				return actor.ActRefusal(u)
			case u.EmailAddress() == "":
				return "Has no e-mail address to send the link to."
			}
			return ""
		}); err != nil {
			return err
		}
		now := s.now()
		ended, err := s.openSessionsPerUser(tx, ids, now)
		if err != nil {
			return err
		}
		if err := s.issuePasswordResets(tx, actor.Account, users, &actor.User.ID, "", baseURL, now); err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where(s.idIn("id", ids)).Updates(map[string]any{"password_hash": locked, "updated_at": now}).Error; err != nil {
			return err
		}
		if _, err := s.revokeSessions(tx, ids, now); err != nil {
			return err
		}
		audit := make([]AuditEvent, len(users))
		for i := range users {
			audit[i] = auditRow(actor, AuditPasswordResetRequested, &users[i].ID, now, map[string]any{"sessions_ended": ended[users[i].ID]})
		}
		return writeAudit(tx, audit...)
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// openSessionsPerUser counts the sessions that revoking would end, for the audit trail.
func (s *Store) openSessionsPerUser(tx *gorm.DB, ids []int64, now time.Time) (map[int64]int64, error) {
	var rows []struct {
		UserID int64
		N      int64
	}
	if err := tx.Model(&UserSession{}).Select("user_id, COUNT(*) AS n").Where(s.idIn("user_id", ids)).
		Where("revoked_at IS NULL AND expires_at > ?", now).Group("user_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	counts := make(map[int64]int64, len(rows))
	for _, r := range rows {
		counts[r.UserID] = r.N
	}
	return counts, nil
}

// RequestOwnPasswordReset is "Forgot your password?": every active user with this address, in
// whichever account, gets a reset link by e-mail. The answer never tells whether the address
// exists: an unknown address, an inactive user and a request over the limits (three links per
// user, ten per client address, each per hour) all return nil and send nothing. Sessions stay
// open, since anybody can ask; choosing the new password ends them. An empty baseURL also sends
// nothing: the caller has no origin it trusts for the link. Returns FieldErrors only when email is
// not an e-mail address at all.
func (s *Store) RequestOwnPasswordReset(ctx context.Context, email, baseURL, ip string) error {
	email = NormalizeEmail(email)
	if msg := ValidateEmail(email); msg != "" {
		return FieldErrors{"email": msg}
	}
	if baseURL == "" {
		return nil
	}
	ip = truncate(cleanText(ip), 64)
	return s.transaction(ctx, func(tx *gorm.DB) error {
		now := s.now()
		since := now.Add(-passwordResetWindow)
		var byClient int64
		if err := tx.Model(&PasswordReset{}).Where("requested_by_id IS NULL AND requested_ip = ? AND created_at > ?", ip, since).
			Count(&byClient).Error; err != nil {
			return err
		}
		if byClient >= maxSelfResetsPerClient {
			return nil
		}
		var users []User
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Where("email = ? AND status = ?", email, StatusActive).
			Order("id").Limit(maxAccountsPerAddress).Find(&users).Error; err != nil {
			return err
		}
		if len(users) == 0 {
			return nil
		}
		recent, err := s.selfResetsPerUser(tx, users, since)
		if err != nil {
			return err
		}
		byAccount := map[int64][]User{}
		var accountIDs []int64
		for _, u := range users {
			if recent[u.ID] >= maxSelfResetsPerUser || byClient >= maxSelfResetsPerClient {
				continue
			}
			byClient++
			if byAccount[u.AccountID] == nil {
				accountIDs = append(accountIDs, u.AccountID)
			}
			byAccount[u.AccountID] = append(byAccount[u.AccountID], u)
		}
		if len(accountIDs) == 0 {
			return nil
		}
		var accounts []Account
		if err := tx.Where("id IN ?", accountIDs).Find(&accounts).Error; err != nil {
			return err
		}
		for i := range accounts {
			a := &accounts[i]
			if err := s.issuePasswordResets(tx, a, byAccount[a.ID], nil, ip, baseURL, now); err != nil {
				return err
			}
			for _, u := range byAccount[a.ID] {
				if err := writeAudit(tx, auditEntry{Account: a.ID, Action: AuditPasswordResetRequested, Target: &u.ID, IP: ip, At: now,
					Details: map[string]any{"self_service": true}}.event()); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// selfResetsPerUser counts the links each user asked for within the window.
func (s *Store) selfResetsPerUser(tx *gorm.DB, users []User, since time.Time) (map[int64]int64, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	var rows []struct {
		UserID int64
		N      int64
	}
	if err := tx.Model(&PasswordReset{}).Select("user_id, COUNT(*) AS n").Where(s.idIn("user_id", ids)).
		Where("requested_by_id IS NULL AND created_at > ?", since).Group("user_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	counts := make(map[int64]int64, len(rows))
	for _, r := range rows {
		counts[r.UserID] = r.N
	}
	return counts, nil
}

// issuePasswordResets replaces the users' open links with a new one each and queues its e-mail,
// inside the caller's transaction. requestedBy is nil for a link asked for from the sign-in page.
func (s *Store) issuePasswordResets(tx *gorm.DB, account *Account, users []User, requestedBy *int64, ip, baseURL string, now time.Time) error {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	if err := tx.Model(&PasswordReset{}).Where(s.idIn("user_id", ids)).Where("used_at IS NULL AND replaced_at IS NULL").
		Update("replaced_at", now).Error; err != nil {
		return err
	}
	var requester string
	if requestedBy != nil {
		var admin User
		if err := tx.Select("name").Take(&admin, *requestedBy).Error; err != nil {
			return err
		}
		requester = admin.Name
	}
	resets := make([]PasswordReset, len(users))
	mails := make([]OutboxMessage, len(users))
	for i := range users {
		token := newToken()
		resets[i] = PasswordReset{AccountID: account.ID, UserID: users[i].ID, TokenHash: hashToken(token), RequestedByID: requestedBy,
			RequestedIP: ip, CreatedAt: now, ExpiresAt: now.Add(PasswordResetLifetime)}
		mails[i] = passwordResetMail(account, &users[i], requester, baseURL, token, now)
	}
	for _, batch := range []any{&resets, &mails} {
		if err := tx.CreateInBatches(batch, 500).Error; err != nil {
			return err
		}
	}
	return nil
}

// passwordResetMail tells the user why they got a link: from an admin, who also signed them out,
// or from the sign-in page, which anyone can use — so it says what to do if it was not them.
func passwordResetMail(account *Account, u *User, requester, baseURL, token string, now time.Time) OutboxMessage {
	link := mailLink(baseURL, routes.RoutePasswordReset, token)
	expires := now.Add(PasswordResetLifetime).UTC().Format("2 January 2006 at 15:04 UTC")
	var opening, closing string
	if requester != "" {
		opening = fmt.Sprintf("%s, an administrator of %s on Roster, reset your password and signed you out everywhere.", requester, account.Name)
		closing = "Your old password no longer matters: choose a new one to sign in again."
	} else {
		opening = fmt.Sprintf("Someone asked to reset your password for %s on Roster.", account.Name)
		closing = "If that was not you, ignore this e-mail: your password stays as it is."
	}
	body := fmt.Sprintf("Hello %s,\n\n%s\n\nChoose a new password here:\n%s\n\n"+
		"The link works once and expires on %s. Earlier reset links no longer work.\n\n%s\n",
		u.Name, opening, link, expires, closing)
	return OutboxMessage{AccountID: u.AccountID, ToAddress: u.EmailAddress(), Subject: "Reset your Roster password for " + account.Name,
		Body: body, ActionURL: link, CreatedAt: now}
}

// OpenPasswordReset reads the reset behind a link. Returns ErrPasswordResetUnknown for a tampered
// link, ErrPasswordResetReplaced when a newer link was sent, ErrPasswordResetUsed,
// ErrPasswordResetExpired, or ErrPasswordResetNoLonger when the user is no longer active.
func (s *Store) OpenPasswordReset(ctx context.Context, token string) (*PasswordResetView, error) {
	reset, user, err := findPasswordReset(s.read(ctx), token, s.now(), false)
	if err != nil {
		return nil, err
	}
	var account Account
	if err := s.read(ctx).Take(&account, reset.AccountID).Error; err != nil {
		return nil, err
	}
	return &PasswordResetView{AccountName: account.Name, Email: user.EmailAddress(), Name: user.Name, ExpiresAt: reset.ExpiresAt}, nil
}

func findPasswordReset(db *gorm.DB, token string, now time.Time, lock bool) (*PasswordReset, *User, error) {
	var reset PasswordReset
	if err := takeByToken(db, &reset, token, lock, ErrPasswordResetUnknown); err != nil {
		return nil, nil, err
	}
	switch {
	case reset.UsedAt != nil:
		return nil, nil, ErrPasswordResetUsed
	case reset.ReplacedAt != nil:
		return nil, nil, ErrPasswordResetReplaced
	case !now.Before(reset.ExpiresAt):
		return nil, nil, ErrPasswordResetExpired
	}
	user, err := linkedUser(db, reset.UserID, lock, StatusActive, ErrPasswordResetNoLonger)
	return &reset, user, err
}

// CompletePasswordReset sets the password chosen through a reset link, uses up the link and any
// other open one, ends every session of the user — a stolen one included — and signs them in
// afresh. Returns FieldErrors for an unacceptable password, or one of the reset link errors.
func (s *Store) CompletePasswordReset(ctx context.Context, token, password, ip, userAgent string) (*Actor, string, error) {
	if msg := ValidatePassword(password); msg != "" {
		return nil, "", FieldErrors{"password": msg}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	var user *User
	var sessionToken string
	var session *UserSession
	// A first unlocked look says which account the link belongs to: its lock comes first.
	link, _, err := findPasswordReset(s.read(ctx), token, s.now(), false)
	if err != nil {
		return nil, "", err
	}
	err = s.changeAccount(ctx, link.AccountID, func(tx *gorm.DB) error {
		now := s.now()
		reset, u, err := findPasswordReset(tx, token, now, true)
		if err != nil {
			return err
		}
		user = u
		if err := tx.Model(reset).Update("used_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(&PasswordReset{}).Where("user_id = ? AND id <> ? AND used_at IS NULL AND replaced_at IS NULL", u.ID, reset.ID).
			Update("replaced_at", now).Error; err != nil {
			return err
		}
		if err := tx.Model(u).Updates(map[string]any{"password_hash": hash, "last_sign_in_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		u.LastSignInAt = &now
		ended, err := s.revokeSessions(tx, []int64{u.ID}, now)
		if err != nil {
			return err
		}
		sessionToken, session = newSession(u, now, ip, userAgent)
		if err := tx.Create(session).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditEntry{Account: u.AccountID, Actor: &u.ID, Action: AuditPasswordReset, Target: &u.ID, IP: ip, At: now,
			Details: map[string]any{"sessions_ended": ended}}.event())
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
