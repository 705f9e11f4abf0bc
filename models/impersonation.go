package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// ImpersonationMode is how far an impersonation may go.
type ImpersonationMode string

const (
	// ImpersonateView shows the console as the user sees it and refuses every change.
	ImpersonateView ImpersonationMode = "view"
	// ImpersonateAct allows changes as the user, with a reason given at the start.
	ImpersonateAct ImpersonationMode = "act"
)

// DefaultImpersonationMinutes is how long an impersonation lasts unless the account says
// otherwise.
const DefaultImpersonationMinutes = 30

// Impersonation audit actions. Events written during an impersonation carry both identities:
// actor_id is whom it looked like, real_actor_id who did it.
const (
	AuditImpersonationStarted = "impersonation.started"
	AuditImpersonationStopped = "impersonation.stopped"
	// AuditImpersonationEnded is an impersonation that ended by itself: timed out, rights
	// revoked, switched off for the account or the user deleted.
	AuditImpersonationEnded = "impersonation.ended"
)

// Why an impersonation ended, as stored and audited.
const (
	EndStopped       = "stopped"
	EndTimedOut      = "timed out"
	EndNotAllowed    = "no longer allowed"
	EndSignedOut     = "signed out"
	EndSessionClosed = "session ended"
)

// Impersonation is a signed-in user viewing or acting as another user of their account.
type Impersonation struct {
	ID        int64
	AccountID int64
	SessionID string
	// RealUserID is who is signed in; UserID is who they appear as.
	RealUserID int64
	UserID     int64
	Mode       ImpersonationMode
	Reason     string
	StartedAt  time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
	EndReason  string

	RealUser *User `gorm:"-"`
}

// StartImpersonation makes the actor's session view or act as the target until they stop, the
// account's time limit passes, or they lose the right to. "Act as" needs a reason, which goes
// into the audit log. Nothing about the target changes: no sign-in is recorded, no seat taken,
// none of their sessions touched.
//
// Returns ErrForbidden, ErrNotFound for users the actor does not reach, FieldErrors for an
// unknown mode ("mode") or a missing or too long reason ("reason"), and
// ImpersonationRefusedError with the reason when the policy refuses.
func (s *Store) StartImpersonation(ctx context.Context, actor *Actor, targetID int64, mode ImpersonationMode, reason string) (*Impersonation, error) {
	if actor.Impersonating() {
		return nil, actor.nestedImpersonation()
	}
	if !actor.Allows(PermImpersonate) {
		return nil, ErrForbidden
	}
	reason, reasonMsg := checkReason(reason)
	errs := FieldErrors{}
	switch mode {
	case ImpersonateView, ImpersonateAct:
	default:
		errs["mode"] = "Choose “View as” or “Act as”."
	}
	if mode == ImpersonateAct && reason == "" {
		errs["reason"] = "Say why you need to act as them; it goes into the audit log."
	}
	if reasonMsg != "" {
		errs["reason"] = reasonMsg
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var started *Impersonation
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		// The session row is the lock: two tabs starting at once cannot stack impersonations.
		var session UserSession
		if err := lockNoKeyUpdate(tx).Where("id = ?", actor.Session.ID).Take(&session).Error; err != nil {
			return notFound(err)
		}
		if session.ImpersonationID != nil {
			return actor.nestedImpersonation()
		}
		target, err := s.impersonationTarget(tx, actor, targetID)
		if err != nil {
			return err
		}
		if err := actor.CanImpersonate(target); err != nil {
			return err
		}
		now := s.now()
		minutes := actor.Account.ImpersonationMinutes
		if minutes <= 0 {
			minutes = DefaultImpersonationMinutes
		}
		started = &Impersonation{AccountID: actor.Account.ID, SessionID: session.ID, RealUserID: actor.User.ID, UserID: target.ID,
			Mode: mode, Reason: reason, StartedAt: now, ExpiresAt: now.Add(time.Duration(minutes) * time.Minute)}
		if err := tx.Create(started).Error; err != nil {
			return err
		}
		if err := tx.Model(&UserSession{}).Where("id = ?", session.ID).Update("impersonation_id", started.ID).Error; err != nil {
			return err
		}
		details := map[string]any{"mode": string(mode), "minutes": minutes, "target_status": string(target.Status)}
		if reason != "" {
			details["reason"] = reason
		}
		return writeAudit(tx, auditRow(actor, AuditImpersonationStarted, &target.ID, now, details))
	})
	if err != nil {
		return nil, err
	}
	return started, nil
}

// impersonationTarget loads a user of the actor's account and what the actor reaches of them.
func (s *Store) impersonationTarget(db *gorm.DB, actor *Actor, id int64) (*User, error) {
	var target User
	if err := db.Where("id = ? AND account_id = ?", id, actor.Account.ID).Take(&target).Error; err != nil {
		return nil, notFound(err)
	}
	if err := s.loadReach(db, actor, []User{target}); err != nil {
		return nil, err
	}
	return &target, nil
}

// ImpersonationCheck tells the profile page whether the actor may impersonate target, and if
// not, why: nil when allowed.
func (s *Store) ImpersonationCheck(ctx context.Context, actor *Actor, target *User) error {
	if err := s.loadReach(s.read(ctx), actor, []User{*target}); err != nil {
		return err
	}
	return actor.CanImpersonate(target)
}

// StopImpersonation ends the impersonation the actor's request runs under, and says whom it was
// of. Stopping when none runs is not an error.
func (s *Store) StopImpersonation(ctx context.Context, actor *Actor) (*User, error) {
	if !actor.Impersonating() {
		return nil, nil
	}
	target := actor.User
	// Not change: stopping is the one thing "View as" must still be able to do.
	err := s.changeAccount(ctx, actor.Account.ID, func(tx *gorm.DB) error {
		return s.endImpersonation(tx, actor.Impersonation, EndStopped, s.now(), actor.IP)
	})
	return target, err
}

// endImpersonation closes imp with why, frees its session and writes the audit event: the real
// user as actor, the impersonated user as target. Ending an impersonation that already ended
// changes nothing.
func (s *Store) endImpersonation(tx *gorm.DB, imp *Impersonation, why string, now time.Time, ip string) error {
	result := tx.Model(&Impersonation{}).Where("id = ? AND ended_at IS NULL", imp.ID).Updates(map[string]any{"ended_at": now, "end_reason": why})
	if result.Error != nil || result.RowsAffected == 0 {
		return result.Error
	}
	if err := tx.Model(&UserSession{}).Where("id = ? AND impersonation_id = ?", imp.SessionID, imp.ID).Update("impersonation_id", nil).Error; err != nil {
		return err
	}
	action := AuditImpersonationEnded
	if why == EndStopped {
		action = AuditImpersonationStopped
	}
	return writeAudit(tx, auditEntry{Account: imp.AccountID, Actor: &imp.RealUserID, Action: action, Target: &imp.UserID, IP: ip, At: now,
		Details: map[string]any{"mode": string(imp.Mode), "why": why, "minutes": int(now.Sub(imp.StartedAt).Minutes())}}.event())
}

// resumeImpersonation turns the real user's actor into the impersonated user's, re-checking
// on every request what StartImpersonation checked: the time limit, the account switch, the real
// user's rights over the target (a role taken away ends it at once) and the target still
// existing. When any fails the impersonation ends, the actor stays the real user and Notice
// says why.
func (s *Store) resumeImpersonation(ctx context.Context, real *Actor, row *sessionRow, now time.Time) (*Actor, error) {
	db := s.read(ctx)
	imp := row.Impersonation
	if imp.ID == 0 || imp.EndedAt != nil {
		return real, db.Model(&UserSession{}).Where("id = ?", real.Session.ID).Update("impersonation_id", nil).Error
	}
	var target *User
	if row.Target.ID != 0 {
		target = &row.Target
		if !real.ReachesAccount() {
			reached := false
			switch reachOfRole(real.User.Role) {
			case reachOwnGroups:
				reached = row.TargetInGroups
			case reachReports:
				reached = row.TargetReports
			}
			real.reach = map[int64]bool{target.ID: reached}
		}
	}
	why := ""
	switch {
	case target == nil:
		why = EndNotAllowed
	case !now.Before(imp.ExpiresAt):
		why = EndTimedOut
	case real.CanImpersonate(target) != nil:
		why = EndNotAllowed
	}
	if why != "" {
		if err := s.transaction(ctx, func(tx *gorm.DB) error { return s.endImpersonation(tx, &imp, why, now, real.IP) }); err != nil {
			return nil, err
		}
		real.Session.ImpersonationID = nil
		name := "the user"
		if target != nil {
			name = target.Name
		}
		if why == EndTimedOut {
			real.Notice = "Your impersonation of " + name + " ended: its time was up. You are yourself again."
		} else {
			real.Notice = "Your impersonation of " + name + " ended: it is no longer allowed. You are yourself again."
		}
		return real, nil
	}
	imp.RealUser = real.User
	return &Actor{User: target, Account: real.Account, Session: real.Session, Impersonation: &imp}, nil
}
