package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ErrBadCredentials is the one answer to every failed sign-in, whatever went wrong.
var ErrBadCredentials = errors.New("the e-mail address or password is not right")

// ErrSessionEnded means a session cookie no longer signs anybody in.
var ErrSessionEnded = errors.New("session ended")

// SessionLifetimes bound how long a session lives: Idle since its last request, Absolute since
// sign-in, whatever the activity.
type SessionLifetimes struct {
	Idle     time.Duration
	Absolute time.Duration
}

// DefaultSessionLifetimes suit an admin console used through a working day.
var DefaultSessionLifetimes = SessionLifetimes{Idle: 2 * time.Hour, Absolute: 12 * time.Hour}

// Sign-in throttling: failures counted over the window, per e-mail address and per client address.
const (
	signInFailureWindow   = 15 * time.Minute
	maxFailuresPerEmail   = 5
	maxFailuresPerAddress = 20
	maxEmailLength        = 254
	maxPasswordLength     = 1024
	// lastSeenResolution keeps the idle clock accurate enough without a write on every request.
	lastSeenResolution = time.Minute
)

// NormalizeEmail is the form in which e-mail addresses are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(cleanText(email))) }

// cleanText drops what no text column should hold: invalid UTF-8 and control characters such as
// NUL, which PostgreSQL refuses outright.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// SignIn checks an e-mail address and password and opens a session. Returns ErrBadCredentials
// for any mismatch and SignInThrottledError after too many recent failures.
func (s *Store) SignIn(ctx context.Context, email, password, ip, userAgent string) (*Actor, string, error) {
	email = NormalizeEmail(email)
	now := s.now()
	if err := s.checkSignInThrottle(ctx, email, ip, now); err != nil {
		return nil, "", err
	}
	user, err := s.matchCredentials(ctx, email, password)
	if err != nil {
		if errors.Is(err, ErrBadCredentials) {
			failure := SignInFailure{Email: truncate(email, maxEmailLength), IP: truncate(cleanText(ip), 64), FailedAt: now}
			if recordErr := s.read(ctx).Create(&failure).Error; recordErr != nil {
				return nil, "", recordErr
			}
		}
		return nil, "", err
	}
	token, session := newSession(user, now, ip, userAgent)
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(session).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", user.ID).Update("last_sign_in_at", now).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditEntry{Account: user.AccountID, Actor: &user.ID, Action: AuditSignedIn, Target: &user.ID, IP: ip, At: now})
	})
	if err != nil {
		return nil, "", err
	}
	user.LastSignInAt = &now
	var account Account
	if err := s.read(ctx).Take(&account, user.AccountID).Error; err != nil {
		return nil, "", err
	}
	return &Actor{User: user, Account: &account, Session: session}, token, nil
}

func (s *Store) checkSignInThrottle(ctx context.Context, email, ip string, now time.Time) error {
	since := now.Add(-signInFailureWindow)
	var byEmail, byAddress int64
	if err := s.read(ctx).Model(&SignInFailure{}).Where("email = ? AND failed_at > ?", truncate(email, maxEmailLength), since).Count(&byEmail).Error; err != nil {
		return err
	}
	if err := s.read(ctx).Model(&SignInFailure{}).Where("ip = ? AND failed_at > ?", ip, since).Count(&byAddress).Error; err != nil {
		return err
	}
	if byEmail >= maxFailuresPerEmail || byAddress >= maxFailuresPerAddress {
		return SignInThrottledError{RetryAfterMinutes: int(signInFailureWindow / time.Minute)}
	}
	return nil
}

// matchCredentials finds the active user with this address and password. One address may exist
// in several accounts; the most recently used one that matches wins.
func (s *Store) matchCredentials(ctx context.Context, email, password string) (*User, error) {
	if email == "" || len(email) > maxEmailLength || password == "" || len(password) > maxPasswordLength {
		passwordMatches(password, "")
		return nil, ErrBadCredentials
	}
	var candidates []User
	err := s.read(ctx).Where("email = ? AND status = ?", email, StatusActive).
		Order("last_sign_in_at DESC NULLS LAST, id").Limit(5).Find(&candidates).Error
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 {
		passwordMatches(password, "")
		return nil, ErrBadCredentials
	}
	for i := range candidates {
		if passwordMatches(password, candidates[i].PasswordHash) {
			return &candidates[i], nil
		}
	}
	return nil, ErrBadCredentials
}

// newSession makes a session row and the token that the cookie carries; only the token's hash is
// stored, so a copy of the database signs nobody in.
func newSession(user *User, now time.Time, ip, userAgent string) (string, *UserSession) {
	token := newToken()
	return token, &UserSession{
		ID:         hashToken(token),
		AccountID:  user.AccountID,
		UserID:     user.ID,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(DefaultSessionLifetimes.Absolute),
		IP:         truncate(cleanText(ip), 64),
		UserAgent:  truncate(cleanText(userAgent), 256),
	}
}

// newToken is a random secret for a cookie or a link.
func newToken() string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(buf)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// takeByToken loads into dest the link row (invitation, password reset) whose token hash
// matches token, locking it when asked. A malformed or unknown token is unknown: links never say
// which of the two it was.
func takeByToken(db *gorm.DB, dest any, token string, lock bool, unknown error) error {
	if len(token) != 64 {
		return unknown
	}
	return notFoundAs(lockIf(db, lock).Where("token_hash = ?", hashToken(token)).Take(dest).Error, unknown)
}

// linkedUser loads the user a link was made for, locking them when asked; a user no longer in the
// status the link needs gets noLonger.
func linkedUser(db *gorm.DB, id int64, lock bool, status UserStatus, noLonger error) (*User, error) {
	var user User
	if err := lockIf(db, lock).Take(&user, id).Error; err != nil {
		return nil, err
	}
	if user.Status != status {
		return nil, noLonger
	}
	return &user, nil
}

// Authenticate re-reads the session and its user on every request. Returns ErrSessionEnded when
// the session was signed out, revoked, has expired or idled out, or its user is no longer active.
// The session, its user, their account and any impersonation it runs come in one statement.
func (s *Store) Authenticate(ctx context.Context, token string) (*Actor, error) {
	if token == "" || len(token) > 128 {
		return nil, ErrSessionEnded
	}
	now := s.now()
	var row sessionRow
	found, err := s.takePrepared(ctx, &row, sessionStatement(), hashToken(token))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrSessionEnded
	}
	session, user, account := row.Session, row.User, row.Account
	if session.RevokedAt != nil || !now.Before(session.ExpiresAt) || now.Sub(session.LastSeenAt) > DefaultSessionLifetimes.Idle {
		return nil, ErrSessionEnded
	}
	if user.Status != StatusActive {
		return nil, ErrSessionEnded
	}
	if now.Sub(session.LastSeenAt) >= lastSeenResolution {
		if err := s.read(ctx).Model(&UserSession{}).Where("id = ?", session.ID).Update("last_seen_at", now).Error; err != nil {
			return nil, err
		}
		session.LastSeenAt = now
	}
	actor := &Actor{User: &user, Account: &account, Session: &session}
	if session.ImpersonationID != nil {
		return s.resumeImpersonation(ctx, actor, &row, now)
	}
	return actor, nil
}

// sessionRow is what Authenticate reads: a session with its user and account, and the
// impersonation it runs with its target, when there is one (zero otherwise). TargetInGroups and
// TargetReports say whether the signed-in user reaches the target as a group owner or as their
// manager, which is what a scoped role's reach needs.
type sessionRow struct {
	Session        UserSession   `gorm:"embedded;embeddedPrefix:s__"`
	User           User          `gorm:"embedded;embeddedPrefix:u__"`
	Account        Account       `gorm:"embedded;embeddedPrefix:a__"`
	Impersonation  Impersonation `gorm:"embedded;embeddedPrefix:i__"`
	Target         User          `gorm:"embedded;embeddedPrefix:t__"`
	TargetInGroups bool
	TargetReports  bool
}

// sessionStatement is built once from the models' schemas, so columns added to them later are
// read too.
var sessionStatement = sync.OnceValue(func() string {
	return "SELECT " + strings.Join([]string{
		columnsOf(&UserSession{}, "s", "s__"), columnsOf(&User{}, "u", "u__"), columnsOf(&Account{}, "a", "a__"),
		columnsOf(&Impersonation{}, "i", "i__"), columnsOf(&User{}, "t", "t__"),
	}, ", ") + `,
	CASE WHEN t.id IS NULL THEN 1 = 0 ELSE EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
		WHERE gm.user_id = t.id AND g.owner_id = u.id) END AS target_in_groups,
	CASE WHEN t.id IS NULL THEN 1 = 0 ELSE t.manager_id IS NOT NULL AND t.manager_id = u.id END AS target_reports
FROM user_sessions s
JOIN users u ON u.id = s.user_id
JOIN accounts a ON a.id = u.account_id
LEFT JOIN impersonations i ON i.id = s.impersonation_id AND i.session_id = s.id
LEFT JOIN users t ON t.id = i.user_id AND t.account_id = u.account_id
WHERE s.id = ?`
})

// SignOut ends the session behind token, and the impersonation it ran, if any. Signing out twice
// is not an error.
func (s *Store) SignOut(ctx context.Context, token string) error {
	now := s.now()
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var session UserSession
		if err := tx.Where("id = ? AND revoked_at IS NULL", hashToken(token)).Limit(1).Find(&session).Error; err != nil || session.ID == "" {
			return err
		}
		if session.ImpersonationID != nil {
			var imp Impersonation
			if err := tx.Where("id = ?", *session.ImpersonationID).Limit(1).Find(&imp).Error; err != nil {
				return err
			}
			if imp.ID != 0 {
				if err := s.endImpersonation(tx, &imp, EndSignedOut, now, ""); err != nil {
					return err
				}
			}
		}
		return tx.Model(&UserSession{}).Where("id = ?", session.ID).Update("revoked_at", now).Error
	})
}

// revokeSessions ends every open session of the users, inside the caller's transaction, and
// reports how many it ended.
func (s *Store) revokeSessions(tx *gorm.DB, userIDs []int64, now time.Time) (int64, error) {
	// An impersonation running in one of those sessions ends with it, on the record.
	var running []Impersonation
	if err := tx.Where("ended_at IS NULL").Where(s.idIn("real_user_id", userIDs)).Find(&running).Error; err != nil {
		return 0, err
	}
	for i := range running {
		if err := s.endImpersonation(tx, &running[i], EndSessionClosed, now, ""); err != nil {
			return 0, err
		}
	}
	result := tx.Model(&UserSession{}).Where(s.idIn("user_id", userIDs)).Where("revoked_at IS NULL AND expires_at > ?", now).Update("revoked_at", now)
	return result.RowsAffected, result.Error
}

func notFoundAs(err, replacement error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return replacement
	}
	return err
}

// truncate cuts s to at most max bytes without splitting a character: PostgreSQL refuses
// invalid UTF-8.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
