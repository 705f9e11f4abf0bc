package models

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// claimedDelivery is a delivery a worker holds the lease of, with what it needs to send it.
type claimedDelivery struct {
	WebhookDelivery
	endpoint WebhookEndpoint
	event    WebhookEvent
}

// headsOf selects the head of every enabled endpoint: its oldest pending delivery. Only a head
// may be sent, which is what keeps an endpoint's events in order while one of them is retried.
func headsOf(db *gorm.DB) *gorm.DB {
	return db.Table("webhook_endpoints ep").Where("ep.enabled = ?", true).
		Select("(SELECT h.id FROM webhook_deliveries h WHERE h.endpoint_id = ep.id AND h.status = ? ORDER BY h.id LIMIT 1)", DeliveryPending)
}

// claimWebhookDelivery leases the head that has been due longest, or returns nil and when the
// next head falls due (nil when none waits). Workers on every server skip the rows another is
// claiming (SKIP LOCKED) and the leases others hold, so each attempt is made once.
func (s *Store) claimWebhookDelivery(ctx context.Context) (*claimedDelivery, *time.Time, error) {
	var claimed *claimedDelivery
	var nextDue *time.Time
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		claimed, nextDue = nil, nil
		now := s.now()
		var d WebhookDelivery
		err = tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("id IN (?)", headsOf(tx)).
			Where("status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)", DeliveryPending, now, now).
			Order("next_attempt_at, id").Limit(1).Find(&d).Error
		if err != nil {
			return err
		}
		if d.ID == 0 {
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
		claimed, err = s.leaseDelivery(tx, d, nil, now)
		return err
	})
	return claimed, nextDue, err
}

// leaseDelivery makes a delivery the calling worker's for webhookLease and loads what sending it
// needs.
// endpoint is the delivery's endpoint when the caller has it already.
func (s *Store) leaseDelivery(tx *gorm.DB, d WebhookDelivery, endpoint *WebhookEndpoint, now time.Time) (*claimedDelivery, error) {
	token := make([]byte, 12)
	_, _ = crand.Read(token)
	d.LeaseToken, d.LeaseUntil = hex.EncodeToString(token), ptr(now.Add(webhookLease))
	if err := tx.Model(&WebhookDelivery{}).Where("id = ?", d.ID).
		Updates(map[string]any{"lease_until": d.LeaseUntil, "lease_token": d.LeaseToken}).Error; err != nil {
		return nil, err
	}
	c := &claimedDelivery{WebhookDelivery: d}
	if endpoint != nil {
		c.endpoint = *endpoint
	} else if err := tx.Where("id = ?", d.EndpointID).Take(&c.endpoint).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("id = ?", d.EventID).Take(&c.event).Error; err != nil {
		return nil, err
	}
	return c, nil
}

// releaseDelivery gives a lease back unused, when the worker stops before sending.
func (s *Store) releaseDelivery(c *claimedDelivery) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.transaction(ctx, func(tx *gorm.DB) error {
		return tx.Model(&WebhookDelivery{}).Where("id = ? AND lease_token = ?", c.ID, c.LeaseToken).
			Updates(map[string]any{"lease_until": nil, "lease_token": ""}).Error
	})
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

// recordWebhookAttempt writes what an attempt came to: the log line, the delivery's new state and
// the endpoint's health. A delivery whose lease was lost meanwhile (its endpoint deleted, or
// the worker too slow) is left as it is. When the delivery is done and takeNext is set, the
// endpoint's next delivery, if due, is leased in the same transaction and returned: a busy
// endpoint keeps its worker and costs one transaction per event.
func (s *Store) recordWebhookAttempt(ctx context.Context, c *claimedDelivery, r attemptResult, takeNext bool) (*claimedDelivery, error) {
	var next *claimedDelivery
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		next = nil
		now := s.now()
		attempt := c.Attempts + 1
		first := now
		if c.FirstAttemptAt != nil {
			first = *c.FirstAttemptAt
		}
		changes := map[string]any{"attempts": attempt, "first_attempt_at": first, "lease_until": nil, "lease_token": ""}
		done := true
		switch {
		case r.succeeded():
			changes["status"], changes["finished_at"] = DeliveryDelivered, now
		case now.Sub(first) >= webhookRetryFor:
			changes["status"], changes["finished_at"] = DeliveryFailed, now
		default:
			done = false
			changes["next_attempt_at"] = now.Add(webhookRetryDelay(attempt)).Truncate(time.Microsecond)
		}
		result := tx.Model(&WebhookDelivery{}).Where("id = ? AND lease_token = ? AND status = ?", c.ID, c.LeaseToken, DeliveryPending).Updates(changes)
		if result.Error != nil || result.RowsAffected == 0 {
			return result.Error
		}
		if err := tx.Create(&WebhookAttempt{AccountID: c.AccountID, EndpointID: c.EndpointID, DeliveryID: c.ID, Attempt: attempt,
			AttemptedAt: now, StatusCode: r.StatusCode, Error: r.Error, LatencyMS: int(r.Latency.Milliseconds()), Response: r.Response}).Error; err != nil {
			return err
		}
		var endpoint WebhookEndpoint
		if err := tx.Where("id = ?", c.EndpointID).Take(&endpoint).Error; err != nil {
			return notFound(err)
		}
		if err := s.recordEndpointHealth(tx, &endpoint, r, now); err != nil {
			return err
		}
		if !done || !takeNext || !endpoint.Enabled {
			return nil
		}
		var head WebhookDelivery
		err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("endpoint_id = ? AND status = ?", c.EndpointID, DeliveryPending).Order("id").Limit(1).Find(&head).Error
		if err != nil || head.ID == 0 || head.NextAttemptAt.After(now) || (head.LeaseUntil != nil && head.LeaseUntil.After(now)) {
			return err
		}
		next, err = s.leaseDelivery(tx, head, &endpoint, now)
		return err
	})
	return next, err
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
		Details: map[string]any{"endpoint_id": e.ID, "reason": reason}}); err != nil {
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
			Body: body, ActionURL: fmt.Sprintf("/settings/webhooks/%d", e.ID), CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// DeliverWebhooks makes up to limit attempts, one after another, and reports how many it made
// and, when it ran out of work, when the next one falls due (nil if nothing waits).
func (s *Store) DeliverWebhooks(ctx context.Context, sender *WebhookSender, limit int) (int, *time.Time, error) {
	made := 0
	for made < limit {
		c, nextDue, err := s.claimWebhookDelivery(ctx)
		if err != nil || c == nil {
			return made, nextDue, err
		}
		for c != nil {
			if ctx.Err() != nil {
				s.releaseDelivery(c)
				return made, nil, ctx.Err()
			}
			// NOTE: the call is made outside any transaction; the lease keeps the delivery this
			// worker's. A crash before recording it sends it again later, with the same webhook-id.
			r := sender.send(ctx, c.endpoint.URL, c.endpoint.signingSecrets(s.now()), c.event.MessageID, []byte(c.event.Payload))
			if ctx.Err() != nil {
				s.releaseDelivery(c)
				return made, nil, ctx.Err()
			}
			made++
			if c, err = s.recordWebhookAttempt(ctx, c, r, made < limit); err != nil {
				return made, nil, err
			}
		}
	}
	return made, nil, nil
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
