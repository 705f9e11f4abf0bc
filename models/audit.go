package models

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// Audit actions, as stored and filtered on.
const (
	AuditSignedIn       = "user.signed_in"
	AuditAccountCreated = "account.created"
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
