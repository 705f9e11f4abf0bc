package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"strings"
	"sync"
	"time"

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

// SignIn checks an e-mail address and password and opens a session. Returns ErrBadCredentials
// for any mismatch, SignInThrottledError after too many recent failures (before any password is
// checked), and PasswordWorkBusyError when the server could not check the password in time.
//
// The attempt is written before the password is checked (reserveSignIn), so parallel guesses
// count against the limits as they arrive rather than after their checks. A wrong password keeps
// its row as a failure; a right one removes it, so people signing in do not use up the allowance
// of their address or of a shared office address; an attempt whose password was never judged
// (busy, cancelled, database error) is given back.
func (s *Store) SignIn(ctx context.Context, email, password, ip, userAgent string) (*Actor, string, error) {
	email, ip = NormalizeEmail(email), truncate(cleanText(ip), 64)
	now := s.now()
	attempt, err := s.reserveSignIn(ctx, truncate(email, maxEmailLength), ip, now)
	if err != nil {
		return nil, "", err
	}
	user, err := s.matchCredentials(ctx, email, password)
	if err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			// NOTE: outside any transaction on purpose: the request may be cancelled, and the
			// attempt must be given back all the same.
			_ = s.read(context.WithoutCancel(ctx)).Delete(&SignInFailure{}, attempt.ID).Error
		}
		return nil, "", err
	}
	token, session := newSession(user, now, ip, userAgent)
	err = s.transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Delete(&SignInFailure{}, attempt.ID).Error; err != nil {
			return err
		}
		if err := tx.Create(session).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", user.ID).Update("last_sign_in_at", now).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditEntry{Account: user.AccountID, Actor: &user.ID, Action: AuditSignedIn, Target: &user.ID, IP: ip, At: now}.event())
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

// Advisory lock classes of the sign-in throttle on PostgreSQL: one lock per address, one per
// client, in separate key spaces.
const (
	lockClassSignInEmail  = 1001
	lockClassSignInClient = 1002
)

// reserveSignIn records an attempt for email from ip, unless the attempts still in the window
// already reach either limit, in which case it returns SignInThrottledError with the time until
// the oldest attempt that matters leaves the window.
//
// Counting and inserting is one transaction that first serialises every attempt for the same
// address and from the same client, so that no two attempts both see room for one more. On
// PostgreSQL that is a transaction-scoped advisory lock per address and one per client; every
// attempt takes the address's lock before the client's, so two attempts never wait on each other
// in a cycle, and the locks are the database's, so several servers sharing it are bound
// together. Each statement of the transaction then sees every attempt committed before the lock
// was granted (READ COMMITTED takes a snapshot per statement). On SQLite the transaction takes
// the database's only write lock at BEGIN (BEGIN IMMEDIATE, see sqliteDSN), which serialises
// the same way.
func (s *Store) reserveSignIn(ctx context.Context, email, ip string, now time.Time) (*SignInFailure, error) {
	attempt := &SignInFailure{Email: email, IP: ip, FailedAt: now}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if s.IsPostgres() {
			for _, lock := range [][2]int32{{lockClassSignInEmail, lockKey(email)}, {lockClassSignInClient, lockKey(ip)}} {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?, ?)", lock[0], lock[1]).Error; err != nil {
					return err
				}
			}
		}
		since := now.Add(-signInFailureWindow)
		byEmail, err := signInWait(tx, "email", email, maxFailuresPerEmail, since)
		if err != nil {
			return err
		}
		byClient, err := signInWait(tx, "ip", ip, maxFailuresPerAddress, since)
		if err != nil {
			return err
		}
		if byClient.After(byEmail) {
			byEmail = byClient
		}
		if !byEmail.IsZero() {
			return SignInThrottledError{Wait: byEmail.Sub(now)}
		}
		return tx.Create(attempt).Error
	})
	return attempt, err
}

// signInWait is when the attempts with this value in column stop reaching limit: when the
// limit-th most recent one leaves the window. It is the zero time while there is room.
func signInWait(tx *gorm.DB, column, value string, limit int, since time.Time) (time.Time, error) {
	var times []time.Time
	err := tx.Model(&SignInFailure{}).Where(column+" = ? AND failed_at > ?", value, since).
		Order("failed_at DESC").Limit(limit).Pluck("failed_at", &times).Error
	if err != nil || len(times) < limit {
		return time.Time{}, err
	}
	return times[limit-1].Add(signInFailureWindow), nil
}

// lockKey folds a text into an advisory lock key; two texts sharing a key only wait for each
// other a little longer.
func lockKey(text string) int32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(text))
	return int32(h.Sum32())
}

// matchCredentials finds the active user with this address and password, unless their leave
// date has come. One address may exist
// in several accounts; the most recently used one that matches wins. Every password is checked
// through the bounded pool (passwordMatches), the dummy one for an unknown address included.
func (s *Store) matchCredentials(ctx context.Context, email, password string) (*User, error) {
	if email == "" || len(email) > maxEmailLength || password == "" || len(password) > maxPasswordLength {
		return nil, noMatch(ctx, password)
	}
	var candidates []User
	// Someone whose leave date has come is as good as inactive, even before the runner gets to them.
	err := s.read(ctx).Where("email = ? AND status = ?", email, StatusActive).
		Where("NOT EXISTS (SELECT 1 FROM scheduled_deactivations sd WHERE sd.user_id = users.id AND sd.due_at <= ?)", s.now()).
		Order("last_sign_in_at DESC NULLS LAST, id").Limit(5).Find(&candidates).Error
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 {
		return nil, noMatch(ctx, password)
	}
	for i := range candidates {
		ok, err := passwordMatches(ctx, password, candidates[i].PasswordHash)
		if err != nil {
			return nil, err
		}
		if ok {
			return &candidates[i], nil
		}
	}
	return nil, ErrBadCredentials
}

// noMatch spends the time of a password check against the dummy hash, so that an unknown
// address answers as slowly as a known one, and returns ErrBadCredentials, or the pool's error.
func noMatch(ctx context.Context, password string) error {
	if _, err := passwordMatches(ctx, truncate(password, maxPasswordLength), ""); err != nil {
		return err
	}
	return ErrBadCredentials
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
// the session was signed out, revoked, has expired or idled out, or its user is no longer active
// or their leave date has come (the runner deactivates them within seconds; access ends on the
// minute).
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
	if user.Status != StatusActive || (row.LeavesAt != nil && !now.Before(*row.LeavesAt)) {
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
	// LeavesAt is the user's leave date, if they have one: from that moment their sessions end,
	// even before the runner has deactivated them.
	LeavesAt *time.Time
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
	CASE WHEN t.id IS NULL THEN 1 = 0 ELSE t.manager_id IS NOT NULL AND t.manager_id = u.id END AS target_reports,
	(SELECT sd.due_at FROM scheduled_deactivations sd WHERE sd.user_id = u.id) AS leaves_at
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
