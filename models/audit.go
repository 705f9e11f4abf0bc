package models

import (
	"encoding/json"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// Audit actions, as stored and filtered on.
const (
	AuditSignedIn           = "user.signed_in"
	AuditAccountCreated     = "account.created"
	AuditUserInvited        = "user.invited"
	AuditInvitationReminded = "invitation.reminded"
	AuditInvitationRevoked  = "invitation.revoked"
	AuditInvitationAccepted = "invitation.accepted"
	AuditUserDeactivated    = "user.deactivated"
	AuditUserReactivated    = "user.reactivated"
	// AuditPasswordResetRequested is a reset link sent, by an admin or asked for from the sign-in page.
	AuditPasswordResetRequested = "user.password_reset_requested"
	// AuditPasswordReset is a new password chosen through a reset link.
	AuditPasswordReset = "user.password_reset"
	// AuditPrivacyEdited says what a privacy edit changed, never the personal data itself.
	AuditPrivacyEdited = "user.privacy_edited"
	// AuditAccountTransferred says what moved to whom when a user's account was transferred:
	// IDs and counts only.
	AuditAccountTransferred = "user.account_transferred"
	// AuditRecordsHandedOver is a hand-over from the records page: counts per previous owner
	// and kind, and the recipients.
	AuditRecordsHandedOver = "records.handed_over"
	// AuditHandoverUndone is a hand-over given back: the event undone and what went back.
	AuditHandoverUndone = "records.handover_undone"
)

// auditEntry is what an operation says about itself; writeAudit stores it in the operation's
// own transaction so that the log and the change commit together or not at all.
type auditEntry struct {
	Account   int64
	Actor     *int64
	RealActor *int64
	Action    string
	Target    *int64
	Details   map[string]any
	IP        string
	At        time.Time
}

func writeAudit(tx *gorm.DB, e auditEntry) error {
	details := "{}"
	if len(e.Details) > 0 {
		encoded, err := json.Marshal(e.Details)
		if err != nil {
			return err
		}
		details = string(encoded)
	}
	return tx.Create(&AuditEvent{
		AccountID:    e.Account,
		ActorID:      e.Actor,
		RealActorID:  e.RealActor,
		Action:       e.Action,
		TargetUserID: e.Target,
		Details:      details,
		IP:           truncate(cleanText(e.IP), 64),
		CreatedAt:    e.At,
	}).Error
}

// auditRow builds an event for a batch insert, so that an operation on many users writes its
// audit trail with one statement.
func auditRow(actor *Actor, action string, target *int64, at time.Time, details map[string]any) AuditEvent {
	encoded := "{}"
	if len(details) > 0 {
		raw, _ := json.Marshal(details)
		encoded = string(raw)
	}
	event := AuditEvent{AccountID: actor.Account.ID, ActorID: &actor.User.ID, Action: action, TargetUserID: target,
		Details: encoded, IP: truncate(cleanText(actor.IP), 64), CreatedAt: at}
	if actor.Impersonation != nil {
		// Both identities: who it looked like and who really did it.
		event.RealActorID = &actor.Impersonation.RealUser.ID
	}
	if actor.Provisioning != nil {
		// An identity provider is no user: the event names its token.
		event.ActorID, event.ProvisioningTokenID = nil, &actor.Provisioning.ID
	}
	return event
}

// auditEventIP is the client address an event was written from, kept beside the append-only log
// so that erasing a user can delete it (migration 00009).
type auditEventIP struct {
	EventID int64 `gorm:"primaryKey;autoIncrement:false"`
	IP      string
}

func (auditEventIP) TableName() string { return "audit_event_ips" }

// AfterCreate stores the addresses of the events just inserted, and their webhook events,
// whichever way they were written: one event, or a batch from auditRow. GORM calls the hook once per event of a batch; the first
// call writes the whole batch's addresses in one statement and the others do nothing, so an
// operation on many users still takes a fixed number of statements.
func (e *AuditEvent) AfterCreate(tx *gorm.DB) error {
	events := []*AuditEvent{e}
	if v := tx.Statement.ReflectValue; v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		if tx.Statement.CurDestIndex != 0 {
			return nil
		}
		events = events[:0]
		for i := 0; i < v.Len(); i++ {
			if item := reflect.Indirect(v.Index(i)); item.CanAddr() {
				if event, ok := item.Addr().Interface().(*AuditEvent); ok {
					events = append(events, event)
				}
			}
		}
	}
	var ips []auditEventIP
	for _, event := range events {
		if event.IP != "" && event.ID != 0 {
			ips = append(ips, auditEventIP{EventID: event.ID, IP: event.IP})
		}
	}
	if len(ips) > 0 {
		if err := tx.Create(&ips).Error; err != nil {
			return err
		}
	}
	// Every audit row passes here, however it was written: the webhook events it stands for are
	// written in the same transaction (webhookevents.go).
	return fanOutWebhooks(tx, events)
}
