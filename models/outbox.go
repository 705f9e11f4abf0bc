package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"roster/routes"
)

// queueMail writes a message inside the caller's transaction, so that a mail goes out exactly
// when the change that causes it commits.
func queueMail(tx *gorm.DB, msg OutboxMessage) error {
	return tx.Create(&msg).Error
}

// mailLink is the absolute address a mail links to: the console's base URL and the named route's
// path, filled with params, from the route table the console serves it under.
func mailLink(baseURL, route string, params ...any) string {
	return strings.TrimRight(baseURL, "/") + routes.Path(route, params...)
}

// ListOutbox returns the account's newest messages, for the development outbox page.
func (s *Store) ListOutbox(ctx context.Context, actor *Actor, limit int) ([]OutboxMessage, error) {
	if !actor.Allows(PermInviteUsers) {
		return nil, ErrForbidden
	}
	var messages []OutboxMessage
	err := s.read(ctx).Where("account_id = ?", actor.Account.ID).Order("created_at DESC, id DESC").Limit(limit).Find(&messages).Error
	return messages, err
}

// MailSender delivers one message; an SMTP client in production, a recorder in tests.
type MailSender interface {
	Send(ctx context.Context, msg OutboxMessage) error
}

// maxDeliveryAttempts stops retrying a message the mail server keeps refusing.
const maxDeliveryAttempts = 5

// DeliverMail sends up to limit unsent messages and reports how many went out. Each message is
// claimed with a row lock that other servers skip, so several servers deliver it once. A failed
// send ends the pass: the mail server is likely down, and the next pass retries after a pause
// instead of spending every attempt of every message at once.
func (s *Store) DeliverMail(ctx context.Context, sender MailSender, limit int) (int, error) {
	delivered := 0
	for i := 0; i < limit; i++ {
		sent, err := s.deliverOne(ctx, sender)
		if err != nil || !sent {
			return delivered, err
		}
		delivered++
	}
	return delivered, nil
}

// deliverOne sends the oldest unsent message and tells whether one went out.
func (s *Store) deliverOne(ctx context.Context, sender MailSender) (bool, error) {
	sent := false
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var msg OutboxMessage
		err := tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).
			Where("sent_at IS NULL AND attempts < ?", maxDeliveryAttempts).Order("id").Limit(1).Find(&msg).Error
		if err != nil || msg.ID == 0 {
			return err
		}
		// NOTE: the send happens while the row is locked, so no other server sends it meanwhile;
		// a crash after sending and before commit can send it twice, which beats never.
		if sendErr := sender.Send(ctx, msg); sendErr != nil {
			s.observe().MailSendFailed()
			return tx.Model(&msg).Updates(map[string]any{"attempts": msg.Attempts + 1, "last_error": truncate(sendErr.Error(), 500)}).Error
		}
		sent = true
		now := s.now()
		return tx.Model(&msg).Updates(map[string]any{"attempts": msg.Attempts + 1, "sent_at": now, "last_error": ""}).Error
	})
	return sent, err
}

// MailQueue is what the outbox holds that has not gone out.
type MailQueue struct {
	// Waiting messages will be tried (again) on the next pass.
	Waiting int64
	// Failed messages were refused maxDeliveryAttempts times and are no longer tried.
	Failed int64
}

// PendingMail counts the unsent messages of every account, for the metrics endpoint.
func (s *Store) PendingMail(ctx context.Context) (MailQueue, error) {
	var q MailQueue
	err := s.read(ctx).Model(&OutboxMessage{}).Where("sent_at IS NULL").
		Select("COALESCE(SUM(CASE WHEN attempts < ? THEN 1 ELSE 0 END), 0) AS waiting, "+
			"COALESCE(SUM(CASE WHEN attempts >= ? THEN 1 ELSE 0 END), 0) AS failed", maxDeliveryAttempts, maxDeliveryAttempts).
		Scan(&q).Error
	return q, err
}

// RunMailDelivery delivers queued mail until ctx ends: at once when wake fires, else every interval.
func (s *Store) RunMailDelivery(ctx context.Context, sender MailSender, wake <-chan struct{}, interval time.Duration, report func(error)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		_, err := s.DeliverMail(ctx, sender, 100)
		if ctx.Err() != nil {
			return
		}
		s.observe().JobRan(JobMailDelivery, err)
		if err != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-ticker.C:
		}
	}
}
