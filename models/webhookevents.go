package models

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Webhook event types (P2), as sent in a payload's "type" and chosen per endpoint. docs/webhooks.md
// shows each with an example.
const (
	EventUserInvited           = "user.invited"
	EventInvitationRevoked     = "user.invitation_revoked"
	EventUserActivated         = "user.activated"
	EventUserDeactivated       = "user.deactivated"
	EventUserReactivated       = "user.reactivated"
	EventUserDeletionScheduled = "user.deletion_scheduled"
	EventUserDeletionCancelled = "user.deletion_cancelled"
	EventUserDeleted           = "user.deleted"
	EventUserRoleChanged       = "user.role_changed"
	EventUserPlanChanged       = "user.plan_changed"
	EventRecordsHandedOver     = "records.handed_over"
	EventGroupCreated          = "group.created"
	EventGroupDeleted          = "group.deleted"
	EventGroupOwnerChanged     = "group.owner_changed"
	EventGroupMembersChanged   = "group.members_changed"
	EventSeatsQuantityChanged  = "seats.quantity_changed"
	EventImpersonationStarted  = "impersonation.started"
	EventImpersonationEnded    = "impersonation.ended"
	// EventWebhookTest is what "Send test event" sends, to that one endpoint only.
	EventWebhookTest = "webhook.test"
)

// WebhookEventTypes lists the types an endpoint may subscribe to, in the order the form shows them.
var WebhookEventTypes = []string{
	EventUserInvited, EventInvitationRevoked, EventUserActivated, EventUserDeactivated, EventUserReactivated,
	EventUserDeletionScheduled, EventUserDeletionCancelled, EventUserDeleted, EventUserRoleChanged, EventUserPlanChanged,
	EventRecordsHandedOver, EventGroupCreated, EventGroupDeleted, EventGroupOwnerChanged, EventGroupMembersChanged,
	EventSeatsQuantityChanged, EventImpersonationStarted, EventImpersonationEnded,
}

// webhookRule derives one webhook event from an audit event: its type, and the event's data
// beyond the common fields. data may decline (ok false) when the audit event does not amount to
// this webhook event, such as a deactivation that handed over no records.
type webhookRule struct {
	event string
	data  func(details map[string]any) (data map[string]any, ok bool)
}

// webhookRules is the one table from audit action to webhook events. Every change that matters to
// other systems already writes an audit event in its own transaction; deriving the webhook events
// from it where audit rows are inserted (AuditEvent.AfterCreate) puts them in that transaction
// too, and a new feature that audits its changes cannot forget to announce them.
//
// Free-text reasons stay in the audit log: they may say anything about anyone.
var webhookRules = map[string][]webhookRule{
	AuditUserInvited:       {{EventUserInvited, pick("plan", "role", "groups")}},
	AuditInvitationRevoked: {{EventInvitationRevoked, nil}},
	AuditInvitationAccepted: {{EventUserActivated, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"how": stringOr(d["how"], "invitation")}, true
	}}},
	AuditUserDeactivated:   {{EventUserDeactivated, deactivationData}, {EventRecordsHandedOver, deactivationHandOver}},
	AuditUserReactivated:   {{EventUserReactivated, nil}},
	AuditDeletionScheduled: {{EventUserDeletionScheduled, renamed(map[string]string{"mode": "kind", "due_at": "due_at", "erase_now": "erase_now"})}},
	AuditDeletionUndone: {{EventUserDeletionCancelled, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"kind": d["mode"], "why": "undone"}, true
	}}},
	AuditDeletionCancelled: {{EventUserDeletionCancelled, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"kind": d["mode"], "why": "no longer allowed"}, true
	}}},
	AuditUserDeleted:     {{EventUserDeleted, renamed(map[string]string{"mode": "kind"})}},
	AuditRoleChanged:     {{EventUserRoleChanged, pick("from", "to")}},
	AuditUserPlanChanged: {{EventUserPlanChanged, renamed(map[string]string{"from_plan_id": "from_plan_id", "to_plan_id": "to_plan_id", "to_plan": "to_plan"})}},
	AuditAccountTransferred: {{EventRecordsHandedOver, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"via": "transfer", "to_user": idObject(d["to"]), "records": d["records_moved"],
			"groups": d["groups_moved"], "managed_users": d["managed_moved"], "role_given": d["role_given"], "then": d["then"]}, true
	}}},
	AuditOrphanedWorkHandedOver: {{EventRecordsHandedOver, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"via": "orphaned_work", "to_user": idObject(d["to"]), "records": d["records_moved"],
			"groups": d["groups_moved"], "managed_users": d["managed_moved"]}, true
	}}},
	AuditGroupCreated: {{EventGroupCreated, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"group": groupObject(d), "owner": idObject(d["owner_id"])}, true
	}}},
	AuditGroupDeleted: {{EventGroupDeleted, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"group": groupObject(d)}, true
	}}},
	AuditGroupOwnershipTransfer: {{EventGroupOwnerChanged, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"group": groupObject(d), "from_owner": idObject(d["from_owner_id"]), "to_owner": idObject(d["to_owner_id"])}, true
	}}},
	AuditGroupMembersAdded: {{EventGroupMembersChanged, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"group": groupObject(d), "change": "added"}, true
	}}},
	AuditGroupMembersRemoved: {{EventGroupMembersChanged, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"group": groupObject(d), "change": "removed"}, true
	}}},
	AuditPlanSeatsChanged: {{EventSeatsQuantityChanged, func(d map[string]any) (map[string]any, bool) {
		return map[string]any{"plan": map[string]any{"id": d["plan_id"], "name": d["plan"]}, "from": d["old_quantity"], "to": d["new_quantity"]}, true
	}}},
	AuditImpersonationStarted: {{EventImpersonationStarted, pick("mode", "minutes", "target_status")}},
	AuditImpersonationStopped: {{EventImpersonationEnded, pick("mode", "why", "minutes")}},
	AuditImpersonationEnded:   {{EventImpersonationEnded, pick("mode", "why", "minutes")}},
}

// Deactivation's "how": what made the user leave. Callers other than the wizard (the scheduler,
// dormancy, provisioning) put their word in the audit details under "way" (or "how").
const deactivatedByClick = "clicked"

func deactivationData(d map[string]any) (map[string]any, bool) {
	data := map[string]any{"how": stringOr(d["way"], stringOr(d["how"], deactivatedByClick)), "sessions_ended": d["sessions_ended"],
		"handed_over": handOverCounts(d)}
	if v, ok := d["demoted_from"]; ok {
		data["demoted_from"] = v
	}
	if v, ok := d["seat_released"]; ok {
		data["seat_released_plan"] = v
	}
	return data, true
}

// handOverCounts is what a deactivation handed on, by count and recipient ID.
func handOverCounts(d map[string]any) map[string]any {
	records, _ := d["records_moved"].(map[string]any)
	if records == nil {
		records = map[string]any{}
	}
	counts := map[string]any{"records": records, "groups": numberOr(d["groups_moved"]), "managed_users": numberOr(d["managed_moved"])}
	for _, k := range []string{"records_to", "records_to_by_kind", "groups_to", "manager_to"} {
		if v, ok := d[k]; ok {
			counts[k] = v
		}
	}
	return counts
}

// deactivationHandOver announces the records a deactivation moved, when it moved any.
func deactivationHandOver(d map[string]any) (map[string]any, bool) {
	records, _ := d["records_moved"].(map[string]any)
	if len(records) == 0 {
		return nil, false
	}
	data := map[string]any{"via": "deactivation", "records": records}
	for _, k := range []string{"records_to", "records_to_by_kind"} {
		if v, ok := d[k]; ok {
			data[k] = v
		}
	}
	return data, true
}

func pick(keys ...string) func(map[string]any) (map[string]any, bool) {
	return func(d map[string]any) (map[string]any, bool) {
		data := map[string]any{}
		for _, k := range keys {
			if v, ok := d[k]; ok {
				data[k] = v
			}
		}
		return data, true
	}
}

func renamed(names map[string]string) func(map[string]any) (map[string]any, bool) {
	return func(d map[string]any) (map[string]any, bool) {
		data := map[string]any{}
		for from, to := range names {
			if v, ok := d[from]; ok {
				data[to] = v
			}
		}
		return data, true
	}
}

func groupObject(d map[string]any) map[string]any {
	return map[string]any{"id": d["group_id"], "name": d["group"]}
}

func idObject(id any) any {
	if id == nil {
		return nil
	}
	return map[string]any{"id": id}
}

func stringOr(v any, fallback string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return fallback
}

func numberOr(v any) any {
	if v == nil {
		return 0
	}
	return v
}

// WebhookEvent is one event for other systems, written in the transaction of the change.
type WebhookEvent struct {
	ID        int64
	AccountID int64
	// MessageID is the webhook-id header, the same on every attempt and resend.
	MessageID string
	Type      string
	Payload   string
	CreatedAt time.Time
}

// webhookPayload is the one JSON shape of every event.
type webhookPayload struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// newWebhookEvent makes an event of type for account with data; the common fields go in by
// the caller.
func newWebhookEvent(account int64, eventType string, at time.Time, data map[string]any) (WebhookEvent, error) {
	payload, err := json.Marshal(webhookPayload{Type: eventType, Timestamp: at.UTC().Format(time.RFC3339Nano), Data: data})
	if err != nil {
		return WebhookEvent{}, err
	}
	return WebhookEvent{AccountID: account, MessageID: newMessageID(), Type: eventType, Payload: string(payload), CreatedAt: at}, nil
}

func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// webhookEventsFor derives the webhook events of one audit event through webhookRules.
func webhookEventsFor(a *AuditEvent) ([]WebhookEvent, error) {
	rules := webhookRules[a.Action]
	if len(rules) == 0 {
		return nil, nil
	}
	details := map[string]any{}
	if a.Details != "" {
		_ = json.Unmarshal([]byte(a.Details), &details)
	}
	var events []WebhookEvent
	for _, rule := range rules {
		data := map[string]any{}
		if rule.data != nil {
			var ok bool
			if data, ok = rule.data(details); !ok {
				continue
			}
		}
		data["account_id"] = a.AccountID
		data["actor"] = idPtrObject(a.ActorID)
		if a.RealActorID != nil {
			data["real_actor"] = idPtrObject(a.RealActorID)
		}
		switch {
		case a.TargetUserID != nil:
			data["user"] = idPtrObject(a.TargetUserID)
		case details["removed_user_id"] != nil:
			data["user"] = idObject(details["removed_user_id"])
		}
		event, err := newWebhookEvent(a.AccountID, rule.event, a.CreatedAt, data)
		if err != nil {
			return nil, err
		}
		events = append(events, event)
	}
	return events, nil
}

func idPtrObject(id *int64) any {
	if id == nil {
		return nil
	}
	return map[string]any{"id": *id}
}

// fanOutWebhooks writes the webhook events of audit events just inserted, in their transaction,
// and queues one delivery per enabled endpoint of the account subscribed to each: a fixed number
// of statements however many events, so deactivating a thousand users stays one quick
// transaction. Accounts without an enabled endpoint cost one indexed lookup and write nothing.
func fanOutWebhooks(tx *gorm.DB, audit []*AuditEvent) error {
	var events []WebhookEvent
	accounts := map[int64]bool{}
	for _, a := range audit {
		derived, err := webhookEventsFor(a)
		if err != nil {
			return err
		}
		for _, e := range derived {
			accounts[e.AccountID] = true
		}
		events = append(events, derived...)
	}
	if len(events) == 0 {
		return nil
	}
	db := tx.Session(&gorm.Session{NewDB: true})
	ids := make([]int64, 0, len(accounts))
	for id := range accounts {
		ids = append(ids, id)
	}
	var listening []int64
	if err := db.Model(&WebhookEndpoint{}).Where("account_id IN ? AND enabled = ?", ids, true).Distinct("account_id").Pluck("account_id", &listening).Error; err != nil {
		return err
	}
	if len(listening) == 0 {
		return nil
	}
	keep := map[int64]bool{}
	for _, id := range listening {
		keep[id] = true
	}
	kept := events[:0]
	for _, e := range events {
		if keep[e.AccountID] {
			kept = append(kept, e)
		}
	}
	return queueWebhookEvents(db, kept, 0)
}

// queueWebhookEvents inserts events and their deliveries: to the one endpoint onlyEndpoint when
// it is set (a test event), else to every enabled endpoint of the account subscribed to the type.
// Deliveries are numbered in event order, which is the order an endpoint receives them in.
func queueWebhookEvents(db *gorm.DB, events []WebhookEvent, onlyEndpoint int64) error {
	if len(events) == 0 {
		return nil
	}
	if err := db.CreateInBatches(&events, 1000).Error; err != nil {
		return err
	}
	ids := make([]int64, len(events))
	for i := range events {
		ids[i] = events[i].ID
	}
	endpoints := "ep.enabled = ? AND (ep.all_events = ? OR EXISTS (SELECT 1 FROM webhook_subscriptions ws WHERE ws.endpoint_id = ep.id AND ws.event_type = ev.type))"
	vars := []any{true, true}
	if onlyEndpoint != 0 {
		endpoints, vars = "ep.id = ?", []any{onlyEndpoint}
	}
	selection := db.Table("webhook_events ev").
		Select("ev.account_id, ep.id, ev.id, 'pending', 0, ev.created_at, ev.created_at").
		Joins("JOIN webhook_endpoints ep ON ep.account_id = ev.account_id").
		Where(idInFor(db, "ev.id", ids)).Where(endpoints, vars...).
		Order("ev.id, ep.id")
	return db.Exec("INSERT INTO webhook_deliveries (account_id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at) ?", selection).Error
}

// idInFor is Store.idIn for code that has only the transaction.
func idInFor(db *gorm.DB, column string, ids []int64) clause.Expr {
	if db.Dialector.Name() == "postgres" {
		return clause.Expr{SQL: column + " = ANY(CAST(? AS BIGINT[]))", Vars: []any{idArray(ids)}}
	}
	return clause.Expr{SQL: column + " IN ?", Vars: []any{ids}}
}
