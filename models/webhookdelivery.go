package models

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// Delivery timing.
const (
	// webhookLease is how long a claimed delivery is a worker's alone: far longer than a call can
	// take, so only a worker that died leaves one behind for another to take over.
	webhookLease = 2 * time.Minute
	// webhookRetryFor is how long a failing delivery is retried before it is given up and the
	// endpoint's next one goes ahead.
	webhookRetryFor = 24 * time.Hour
	// webhookDisableAfter turns off an endpoint that has failed this long without a success.
	webhookDisableAfter = 72 * time.Hour
	webhookFirstRetry   = 100 * time.Millisecond
	webhookRetryFactor  = 5
	webhookMaxRetry     = 6 * time.Hour
	// webhookIdlePoll is how often an idle worker looks for work.
	webhookIdlePoll = time.Second
)

// webhookRetryDelay is the pause after the attempt-th failed attempt: exponential (0.1 s, 0.5 s,
// 2.5 s, 12.5 s, 1 min, 5 min, 26 min, 2.2 h, then 6 h) with jitter that keeps it between half and
// all of that, so receivers coming back are not hit by every sender at once. The first retry is
// quick because the endpoint's later deliveries wait behind it.
func webhookRetryDelay(attempt int) time.Duration {
	d := webhookFirstRetry
	for i := 1; i < attempt && d < webhookMaxRetry; i++ {
		d *= webhookRetryFactor
	}
	d = min(d, webhookMaxRetry)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// webhookBatch is how many deliveries of one endpoint a worker takes at a time. It sends them one
// after another, in order, and stops at the first failure; the batch is claimed and recorded in
// one transaction each, so a busy endpoint costs two transactions per batch, not per event.
const webhookBatch = 20

// claimedBatch is the head of an endpoint, leased by a worker, and the deliveries that follow it.
type claimedBatch struct {
	endpoint WebhookEndpoint
	token    string
	// deliveries are in the order they must be sent; the first is the head, which holds the lease.
	deliveries []WebhookDelivery
	events     map[int64]WebhookEvent
}

// headsOf selects the head of every enabled endpoint: its oldest pending delivery. Only a head
// may be claimed, which is what keeps an endpoint's events in order while one of them is retried.
func headsOf(db *gorm.DB) *gorm.DB {
	return db.Table("webhook_endpoints ep").Where("ep.enabled = ?", true).
		Select("(SELECT h.id FROM webhook_deliveries h WHERE h.endpoint_id = ep.id AND h.status = ? ORDER BY h.id LIMIT 1)", DeliveryPending)
}

// claimWebhookBatch leases the head that has been due longest, with the deliveries of its
// endpoint that follow it, or returns nil and when the next head falls due (nil when none waits).
// Workers on every server skip the rows another is claiming (SKIP LOCKED) and the leases others
// hold, so each attempt is made once.
func (s *Store) claimWebhookBatch(ctx context.Context) (*claimedBatch, *time.Time, error) {
	var claimed *claimedBatch
	var nextDue *time.Time
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		claimed, nextDue = nil, nil
		now := s.now()
		var head WebhookDelivery
		err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("id IN (?)", headsOf(tx)).
			Where("status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)", DeliveryPending, now, now).
			Order("next_attempt_at, id").Limit(1).Find(&head).Error
		if err != nil {
			return err
		}
		if head.ID == 0 {
			// Heads being sent are left out: the worker sending one goes on with what follows it.
			var next WebhookDelivery
			if err := tx.Where("id IN (?)", headsOf(tx)).Where("lease_until IS NULL OR lease_until <= ?", now).
				Order("next_attempt_at").Limit(1).Find(&next).Error; err != nil {
				return err
			}
			if next.ID != 0 {
				nextDue = &next.NextAttemptAt
			}
			return nil
		}
		token := make([]byte, 12)
		_, _ = crand.Read(token)
		b := &claimedBatch{token: hex.EncodeToString(token), events: map[int64]WebhookEvent{}}
		if err := tx.Model(&WebhookDelivery{}).Where("id = ?", head.ID).
			Updates(map[string]any{"lease_until": now.Add(webhookLease), "lease_token": b.token}).Error; err != nil {
			return err
		}
		// What follows the head waits behind its lease: no other worker can take it meanwhile.
		var rest []WebhookDelivery
		if err := tx.Where("endpoint_id = ? AND status = ? AND id > ?", head.EndpointID, DeliveryPending, head.ID).
			Order("id").Limit(webhookBatch - 1).Find(&rest).Error; err != nil {
			return err
		}
		b.deliveries = append([]WebhookDelivery{head}, rest...)
		if err := tx.Where("id = ?", head.EndpointID).Take(&b.endpoint).Error; err != nil {
			return err
		}
		ids := make([]int64, len(b.deliveries))
		for i, d := range b.deliveries {
			ids[i] = d.EventID
		}
		var events []WebhookEvent
		if err := tx.Where("id IN ?", ids).Find(&events).Error; err != nil {
			return err
		}
		for _, e := range events {
			b.events[e.ID] = e
		}
		claimed = b
		return nil
	})
	return claimed, nextDue, err
}

// signingSecrets are the secrets that sign a delivery now: the current one, and the one it
// replaced for a day after a rotation.
func (e *WebhookEndpoint) signingSecrets(now time.Time) []string {
	secrets := []string{e.Secret}
	if e.PreviousSecret != "" && e.PreviousSecretUntil != nil && now.Before(*e.PreviousSecretUntil) {
		secrets = append(secrets, e.PreviousSecret)
	}
	return secrets
}

// sentAttempt is one call of a batch and what it came to.
type sentAttempt struct {
	delivery WebhookDelivery
	// attempt counts the delivery's calls, this one included.
	attempt int
	at      time.Time
	result  attemptResult
}

// recordWebhookBatch writes what a batch's calls came to: the log lines, the deliveries' new
// states and the endpoint's health, and hands back the lease of what was not sent. A batch
// whose lease was lost meanwhile (its endpoint deleted, or the worker too slow) is left as it is.
func (s *Store) recordWebhookBatch(ctx context.Context, b *claimedBatch, sent []sentAttempt) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		head := b.deliveries[0]
		result := tx.Model(&WebhookDelivery{}).Where("id = ? AND lease_token = ? AND status = ?", head.ID, b.token, DeliveryPending).
			Updates(map[string]any{"lease_until": nil, "lease_token": ""})
		if result.Error != nil || result.RowsAffected == 0 {
			return result.Error
		}
		now := s.now()
		attempts := make([]WebhookAttempt, len(sent))
		firstAt := map[int64]time.Time{}
		var delivered []int64
		for i, a := range sent {
			d := a.delivery
			attempts[i] = WebhookAttempt{AccountID: d.AccountID, EndpointID: d.EndpointID, DeliveryID: d.ID, Attempt: a.attempt,
				AttemptedAt: a.at, StatusCode: a.result.StatusCode, Error: a.result.Error, LatencyMS: int(a.result.Latency.Milliseconds()),
				Response: a.result.Response}
			if _, seen := firstAt[d.ID]; !seen {
				firstAt[d.ID] = a.at
			}
			if i+1 < len(sent) && sent[i+1].delivery.ID == d.ID {
				continue // retried at once; its last call decides
			}
			first := firstAt[d.ID]
			if d.FirstAttemptAt != nil {
				first = *d.FirstAttemptAt
			}
			if a.result.succeeded() && a.attempt == d.Attempts+1 {
				delivered = append(delivered, d.ID)
				continue
			}
			changes := map[string]any{"attempts": a.attempt, "first_attempt_at": first}
			switch {
			case a.result.succeeded():
				changes["status"], changes["finished_at"] = DeliveryDelivered, now
			case now.Sub(first) >= webhookRetryFor:
				changes["status"], changes["finished_at"] = DeliveryFailed, now
			default:
				changes["next_attempt_at"] = now.Add(webhookRetryDelay(a.attempt)).Truncate(time.Microsecond)
			}
			if err := tx.Model(&WebhookDelivery{}).Where("id = ?", d.ID).Updates(changes).Error; err != nil {
				return err
			}
		}
		if len(delivered) > 0 {
			if err := tx.Model(&WebhookDelivery{}).Where(s.idIn("id", delivered)).Updates(map[string]any{
				"status": DeliveryDelivered, "attempts": gorm.Expr("attempts + 1"), "finished_at": now,
				"first_attempt_at": gorm.Expr("COALESCE(first_attempt_at, ?)", now),
			}).Error; err != nil {
				return err
			}
		}
		if len(attempts) > 0 {
			if err := tx.Create(&attempts).Error; err != nil {
				return err
			}
		}
		var endpoint WebhookEndpoint
		if err := tx.Where("id = ?", b.endpoint.ID).Take(&endpoint).Error; err != nil {
			return notFound(err)
		}
		if len(sent) == 0 {
			return nil
		}
		return s.recordEndpointHealth(tx, &endpoint, sent[len(sent)-1].result, now)
	})
}

// recordEndpointHealth keeps "failing since" and turns off an endpoint that answered 410 Gone
// or has failed for three days, telling the account's owners and admins once.
func (s *Store) recordEndpointHealth(tx *gorm.DB, e *WebhookEndpoint, r attemptResult, now time.Time) error {
	endpoint := tx.Model(&WebhookEndpoint{}).Where("id = ?", e.ID)
	if r.succeeded() {
		if e.FailingSince == nil && e.LastSuccessAt != nil && now.Sub(*e.LastSuccessAt) < time.Minute {
			return nil
		}
		e.FailingSince, e.LastSuccessAt = nil, &now
		return endpoint.Updates(map[string]any{"failing_since": nil, "last_success_at": now}).Error
	}
	since := now
	if e.FailingSince != nil {
		since = *e.FailingSince
	} else if err := tx.Model(&WebhookEndpoint{}).Where("id = ? AND failing_since IS NULL", e.ID).Update("failing_since", now).Error; err != nil {
		return err
	}
	e.FailingSince = &since
	var reason string
	switch {
	case r.StatusCode == 410:
		reason = "the receiver answered 410 Gone"
	case now.Sub(since) >= webhookDisableAfter:
		reason = fmt.Sprintf("every delivery failed for %d days", int(webhookDisableAfter/(24*time.Hour)))
	default:
		return nil
	}
	result := tx.Model(&WebhookEndpoint{}).Where("id = ? AND enabled = ?", e.ID, true).
		Updates(map[string]any{"enabled": false, "disabled_at": now, "disabled_reason": reason, "updated_at": now})
	if result.Error != nil || result.RowsAffected == 0 {
		return result.Error
	}
	e.Enabled = false
	if err := writeAudit(tx, auditEntry{Account: e.AccountID, Action: AuditWebhookEndpointDisabled, At: now,
		Details: map[string]any{"endpoint_id": e.ID, "reason": reason}}.event()); err != nil {
		return err
	}
	return tellAdminsEndpointDisabled(tx, e, reason, now)
}

// tellAdminsEndpointDisabled mails each active owner and admin of the account, through the
// outbox, that an endpoint stopped receiving events.
func tellAdminsEndpointDisabled(tx *gorm.DB, e *WebhookEndpoint, reason string, now time.Time) error {
	var admins []User
	if err := tx.Where("account_id = ? AND status = ? AND role IN ?", e.AccountID, StatusActive, []Role{RoleOwner, RoleAdmin}).
		Order("id").Find(&admins).Error; err != nil {
		return err
	}
	name := e.URL
	if e.Description != "" {
		name = e.Description + " (" + e.URL + ")"
	}
	for _, a := range admins {
		if a.Email == nil {
			continue
		}
		body := fmt.Sprintf("Hello %s,\n\nRoster stopped sending events to the webhook endpoint %s because %s.\n\n"+
			"Events keep waiting for it. Once the receiver works again, enable the endpoint under Settings > Webhooks "+
			"and what waited is delivered in order.\n", a.Name, name, reason)
		if err := queueMail(tx, OutboxMessage{AccountID: e.AccountID, ToAddress: *a.Email, Subject: "A webhook endpoint was disabled",
			Body: body, ActionURL: routes.Path(routes.RouteWebhook, e.ID), CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// DeliverWebhooks makes up to about limit attempts and reports how many it made and, when it ran
// out of work, when the next one falls due (nil if nothing waits).
func (s *Store) DeliverWebhooks(ctx context.Context, sender *WebhookSender, limit int) (int, *time.Time, error) {
	made := 0
	for made < limit {
		b, nextDue, err := s.claimWebhookBatch(ctx)
		if err != nil || b == nil {
			return made, nextDue, err
		}
		sent := s.sendBatch(ctx, sender, b)
		made += len(sent)
		// Recorded even when ctx ended: what was sent must not be sent again.
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = s.recordWebhookBatch(recordCtx, b, sent)
		cancel()
		if err != nil || ctx.Err() != nil {
			return made, nil, errors.Join(err, ctx.Err())
		}
	}
	return made, nil, nil
}

// sendBatch sends a batch's deliveries in order until one fails, the worker is asked to stop,
// or half the lease is spent.
//
// NOTE: the calls are made outside any transaction; the lease on the head keeps the batch this
// worker's. A crash before the batch is recorded sends it again later, with the same webhook-ids.
func (s *Store) sendBatch(ctx context.Context, sender *WebhookSender, b *claimedBatch) []sentAttempt {
	started := time.Now()
	var sent []sentAttempt
	for _, d := range b.deliveries {
		if ctx.Err() != nil || time.Since(started) > webhookLease/2 {
			break
		}
		event := b.events[d.EventID]
		attempt := d.Attempts
		for {
			attempt++
			at := s.now()
			r := sender.send(ctx, b.endpoint.URL, b.endpoint.signingSecrets(at), event.MessageID, []byte(event.Payload))
			if ctx.Err() != nil {
				return sent
			}
			sent = append(sent, sentAttempt{delivery: d, attempt: attempt, at: at, result: r})
			if r.succeeded() {
				break
			}
			// The first retry is a moment later, while the batch is still this worker's: a
			// receiver's passing hiccup then holds up the endpoint's queue for a moment only.
			// Later retries wait their turn in the database.
			if attempt != 1 || r.StatusCode == 410 || sleepCtx(ctx, webhookRetryDelay(1)) != nil {
				return sent
			}
		}
	}
	return sent
}

// RunWebhookDelivery delivers webhooks with workers concurrent workers until ctx ends. Every
// server runs it; claims make each attempt happen once.
func (s *Store) RunWebhookDelivery(ctx context.Context, sender *WebhookSender, workers int, report func(error)) {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				made, nextDue, err := s.DeliverWebhooks(ctx, sender, 100)
				if err != nil && ctx.Err() == nil {
					report(err)
				}
				if made > 0 && err == nil {
					continue
				}
				wait := webhookIdlePoll
				if nextDue != nil {
					wait = min(wait, max(nextDue.Sub(s.now()), 5*time.Millisecond))
				}
				if sleepCtx(ctx, wait) != nil {
					return
				}
			}
		})
	}
	wg.Wait()
}
