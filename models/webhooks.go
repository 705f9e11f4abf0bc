package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// WebhookConfig is how this server may reach receivers.
type WebhookConfig struct {
	// AllowPrivate lets endpoints point at loopback, private, link-local and metadata addresses
	// (ROSTER_WEBHOOKS_ALLOW_PRIVATE): for development and tests, never in production, where it
	// would let an admin make Roster call into its own network.
	AllowPrivate bool
}

// Audit actions of Settings > Webhooks.
const (
	AuditWebhookEndpointCreated  = "webhook.endpoint_created"
	AuditWebhookEndpointChanged  = "webhook.endpoint_changed"
	AuditWebhookEndpointDeleted  = "webhook.endpoint_deleted"
	AuditWebhookSecretRotated    = "webhook.secret_rotated"
	AuditWebhookEndpointDisabled = "webhook.endpoint_disabled"
	AuditWebhookTestSent         = "webhook.test_sent"
	AuditWebhookDeliveryResent   = "webhook.delivery_resent"
)

func init() {
	// The audit log names these actions like its own; they are kept here with the feature.
	for action, label := range map[string]string{
		AuditWebhookEndpointCreated: "Webhook endpoint added", AuditWebhookEndpointChanged: "Webhook endpoint changed",
		AuditWebhookEndpointDeleted: "Webhook endpoint deleted", AuditWebhookSecretRotated: "Webhook secret rotated",
		AuditWebhookEndpointDisabled: "Webhook endpoint disabled", AuditWebhookTestSent: "Webhook test sent",
		AuditWebhookDeliveryResent: "Webhook delivery resent",
	} {
		auditActionLabels[action] = label
	}
}

// Bounds of an endpoint's settings.
const (
	MaxWebhookURLLength         = 2000
	MaxWebhookDescriptionLength = 200
	MaxWebhookEndpoints         = 20
	// webhookSecretOverlap is how long a rotated-out secret keeps signing beside the new one, so
	// receivers can switch without losing a delivery.
	webhookSecretOverlap = 24 * time.Hour
	webhookLogPageSize   = 50
)

// WebhookEndpoint is a receiver of an account's events.
type WebhookEndpoint struct {
	ID          int64
	AccountID   int64
	URL         string
	Description string
	AllEvents   bool
	Enabled     bool
	// Secret signs every delivery; it is shown once, when made.
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	// FailingSince is the first failed attempt since the last success.
	FailingSince   *time.Time
	LastSuccessAt  *time.Time
	DisabledAt     *time.Time
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// webhookSubscription is one event type an endpoint receives when it does not receive them all.
type webhookSubscription struct {
	EndpointID int64 `gorm:"primaryKey"`
	EventType  string
}

func (webhookSubscription) TableName() string { return "webhook_subscriptions" }

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID             int64
	AccountID      int64
	EndpointID     int64
	EventID        int64
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	FirstAttemptAt *time.Time
	LeaseUntil     *time.Time
	LeaseToken     string
	CreatedAt      time.Time
	FinishedAt     *time.Time
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookAttempt is one try of a delivery, as the delivery log shows it.
type WebhookAttempt struct {
	ID          int64
	AccountID   int64
	EndpointID  int64
	DeliveryID  int64
	Attempt     int
	AttemptedAt time.Time
	// StatusCode is the receiver's answer, 0 when there was none (Error says why).
	StatusCode int
	Error      string
	LatencyMS  int
	// Response is the first bytes of the receiver's answer.
	Response string
}

// WebhookEndpointInput is the endpoint form as submitted.
type WebhookEndpointInput struct {
	URL         string
	Description string
	// AllEvents sends every type, including those added later; otherwise EventTypes.
	AllEvents  bool
	EventTypes []string
	Enabled    bool
}

// WebhookEndpointSummary is one row of Settings > Webhooks.
type WebhookEndpointSummary struct {
	WebhookEndpoint
	EventTypes []string
	Pending    int64
}

// WebhookEndpointDetail is one endpoint's page: its settings, health and delivery log.
type WebhookEndpointDetail struct {
	WebhookEndpoint
	EventTypes []string
	// Pending deliveries wait to be sent; the oldest is tried next at NextAttemptAt.
	Pending       int64
	NextAttemptAt *time.Time
	Log           []WebhookLogLine
	// Older is the cursor of the next page of the log, 0 when this is the last.
	Older int64
}

// WebhookLogLine is one attempt of the log with what it delivered.
type WebhookLogLine struct {
	WebhookAttempt
	EventType      string
	MessageID      string
	DeliveryStatus string
}

// RefusedTargetError says that an endpoint's address leads into a private network.
type RefusedTargetError struct{ Address string }

func (e RefusedTargetError) Error() string {
	return fmt.Sprintf("refused: %s is a loopback, private, link-local or metadata address", e.Address)
}

// refusedAddress tells whether ip is one Roster never calls unless AllowPrivate: itself, the
// networks behind it and cloud metadata services.
func refusedAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// refusedPrefixes are ranges beyond netip's own tests: carrier-grade NAT (where some clouds put
// their metadata service), IETF protocol assignments, the "this network" block and benchmarking.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// validateWebhookEndpoint checks the form and returns the cleaned values, or FieldErrors for
// "url", "description" and "events".
func (s *Store) validateWebhookEndpoint(in WebhookEndpointInput) (WebhookEndpointInput, error) {
	errs := FieldErrors{}
	in.URL = strings.TrimSpace(in.URL)
	if msg := s.webhookURLProblem(in.URL); msg != "" {
		errs["url"] = msg
	}
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case !utf8.ValidString(in.Description) || strings.ContainsFunc(in.Description, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		errs["description"] = "Use one line of text."
	case utf8.RuneCountInString(in.Description) > MaxWebhookDescriptionLength:
		errs["description"] = fmt.Sprintf("At most %d characters.", MaxWebhookDescriptionLength)
	}
	var types []string
	for _, t := range in.EventTypes {
		if !slices.Contains(WebhookEventTypes, t) {
			errs["events"] = "Choose event types from the list."
			break
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	in.EventTypes = types
	if in.AllEvents {
		in.EventTypes = nil
	} else if len(in.EventTypes) == 0 && errs["events"] == "" {
		errs["events"] = "Choose at least one event type, or all events."
	}
	if len(errs) > 0 {
		return in, errs
	}
	return in, nil
}

// webhookURLProblem says what is wrong with a receiver's address, or "" when nothing is. The
// address is checked again, after DNS, each time Roster connects (webhookclient.go): a name that
// resolves to a public address today may not tomorrow.
func (s *Store) webhookURLProblem(raw string) string {
	if problem := webhookURLTextProblem(raw); problem != "" {
		return problem
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "Enter a whole address, such as https://example.com/hooks/roster."
	}
	if problem := s.webhookSchemeProblem(u.Scheme); problem != "" {
		return problem
	}
	if problem := webhookURLPartsProblem(u); problem != "" {
		return problem
	}
	if s.Webhooks.AllowPrivate {
		return ""
	}
	return privateHostProblem(strings.ToLower(u.Hostname()))
}

// webhookURLTextProblem checks the address as text: there, not too long, one line of printable
// characters.
func webhookURLTextProblem(raw string) string {
	if raw == "" {
		return "Enter the address that receives the events, such as https://example.com/hooks/roster."
	}
	if len(raw) > MaxWebhookURLLength {
		return fmt.Sprintf("At most %d characters.", MaxWebhookURLLength)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r <= 0x20 || r == 0x7f }) || !utf8.ValidString(raw) {
		return "An address has no spaces or control characters."
	}
	return ""
}

// webhookSchemeProblem allows https, and http only where private receivers are allowed too.
func (s *Store) webhookSchemeProblem(scheme string) string {
	switch {
	case scheme == "https":
	case scheme == "http" && s.Webhooks.AllowPrivate:
	case scheme == "http":
		return "Use https://: events must not travel unencrypted."
	default:
		return "Use an https:// address."
	}
	return ""
}

// webhookURLPartsProblem refuses credentials and fragments in the address, and checks its host
// and port.
func webhookURLPartsProblem(u *url.URL) string {
	if u.User != nil {
		return "Leave the user name and password out of the address; receivers check the signature instead."
	}
	if u.Fragment != "" {
		return "An address to send to has no #fragment."
	}
	if u.Hostname() == "" {
		return "Enter a whole address, such as https://example.com/hooks/roster."
	}
	if port := u.Port(); port != "" {
		if p, err := net.LookupPort("tcp", port); err != nil || p < 1 || p > 65535 {
			return "The port must be a number from 1 to 65535."
		}
	}
	return ""
}

// privateHostProblem refuses a host (lower-case) that is a private address or a name that only
// resolves inside a network.
func privateHostProblem(host string) string {
	if ip, err := netip.ParseAddr(host); err == nil && refusedAddress(ip) {
		return "This address is in a private network; Roster only calls public addresses."
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return "This address is in a private network; Roster only calls public addresses."
	}
	return ""
}

// newWebhookSecret makes a signing secret in the Standard Webhooks form: whsec_ and 32 random
// bytes in base64.
func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// ListWebhookEndpoints returns the account's endpoints, oldest first, with how many deliveries
// each has waiting.
func (s *Store) ListWebhookEndpoints(ctx context.Context, actor *Actor) ([]WebhookEndpointSummary, error) {
	if !actor.Allows(PermManageWebhooks) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	var endpoints []WebhookEndpoint
	if err := db.Where("account_id = ?", actor.Account.ID).Order("id").Find(&endpoints).Error; err != nil {
		return nil, err
	}
	if len(endpoints) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(endpoints))
	for i, e := range endpoints {
		ids[i] = e.ID
	}
	types, err := subscriptionsOf(db, ids)
	if err != nil {
		return nil, err
	}
	var pending []struct {
		EndpointID int64
		N          int64
	}
	if err := db.Model(&WebhookDelivery{}).Select("endpoint_id, count(*) AS n").Where("endpoint_id IN ? AND status = ?", ids, DeliveryPending).
		Group("endpoint_id").Scan(&pending).Error; err != nil {
		return nil, err
	}
	waiting := map[int64]int64{}
	for _, p := range pending {
		waiting[p.EndpointID] = p.N
	}
	out := make([]WebhookEndpointSummary, len(endpoints))
	for i, e := range endpoints {
		out[i] = WebhookEndpointSummary{WebhookEndpoint: e, EventTypes: types[e.ID], Pending: waiting[e.ID]}
	}
	return out, nil
}

func subscriptionsOf(db *gorm.DB, ids []int64) (map[int64][]string, error) {
	var subs []webhookSubscription
	if err := db.Where("endpoint_id IN ?", ids).Find(&subs).Error; err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, sub := range subs {
		out[sub.EndpointID] = append(out[sub.EndpointID], sub.EventType)
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b string) int {
			return slices.Index(WebhookEventTypes, a) - slices.Index(WebhookEventTypes, b)
		})
	}
	return out, nil
}

// endpointOf loads one endpoint of the actor's account. Returns ErrNotFound for another
// account's.
func endpointOf(db *gorm.DB, actor *Actor, id int64) (*WebhookEndpoint, error) {
	var e WebhookEndpoint
	if err := db.Where("id = ? AND account_id = ?", id, actor.Account.ID).Take(&e).Error; err != nil {
		return nil, notFound(err)
	}
	return &e, nil
}

// WebhookEndpoint returns one endpoint with its health and the page of its delivery log that
// ends before the attempt older (0 for the newest). Returns ErrNotFound for another account's.
func (s *Store) WebhookEndpoint(ctx context.Context, actor *Actor, id, older int64) (*WebhookEndpointDetail, error) {
	if !actor.Allows(PermManageWebhooks) {
		return nil, ErrForbidden
	}
	db := s.read(ctx)
	e, err := endpointOf(db, actor, id)
	if err != nil {
		return nil, err
	}
	types, err := subscriptionsOf(db, []int64{id})
	if err != nil {
		return nil, err
	}
	detail := &WebhookEndpointDetail{WebhookEndpoint: *e, EventTypes: types[id]}
	if err := db.Model(&WebhookDelivery{}).Where("endpoint_id = ? AND status = ?", id, DeliveryPending).Count(&detail.Pending).Error; err != nil {
		return nil, err
	}
	if detail.Pending > 0 {
		var head WebhookDelivery
		if err := db.Where("endpoint_id = ? AND status = ?", id, DeliveryPending).Order("id").Take(&head).Error; err != nil {
			return nil, err
		}
		detail.NextAttemptAt = &head.NextAttemptAt
	}
	q := db.Table("webhook_attempts wa").
		Select("wa.*, ev.type AS event_type, ev.message_id, d.status AS delivery_status").
		Joins("JOIN webhook_deliveries d ON d.id = wa.delivery_id").
		Joins("JOIN webhook_events ev ON ev.id = d.event_id").
		Where("wa.endpoint_id = ?", id).Order("wa.id DESC").Limit(webhookLogPageSize + 1)
	if older > 0 {
		q = q.Where("wa.id < ?", older)
	}
	if err := q.Scan(&detail.Log).Error; err != nil {
		return nil, err
	}
	if len(detail.Log) > webhookLogPageSize {
		detail.Log = detail.Log[:webhookLogPageSize]
		detail.Older = detail.Log[webhookLogPageSize-1].ID
	}
	return detail, nil
}

// CreateWebhookEndpoint adds a receiver and returns it with its signing secret, which is shown
// this once. Returns ErrForbidden, and FieldErrors for "url", "description" and "events".
func (s *Store) CreateWebhookEndpoint(ctx context.Context, actor *Actor, in WebhookEndpointInput) (*WebhookEndpoint, error) {
	if !actor.Allows(PermManageWebhooks) {
		return nil, ErrForbidden
	}
	in, err := s.validateWebhookEndpoint(in)
	if err != nil {
		return nil, err
	}
	var created *WebhookEndpoint
	err = s.change(ctx, actor, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&WebhookEndpoint{}).Where("account_id = ?", actor.Account.ID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxWebhookEndpoints {
			return FieldErrors{"url": fmt.Sprintf("An account has at most %d endpoints; delete one first.", MaxWebhookEndpoints)}
		}
		now := s.now()
		e := WebhookEndpoint{AccountID: actor.Account.ID, URL: in.URL, Description: in.Description, AllEvents: in.AllEvents,
			Enabled: true, Secret: newWebhookSecret(), CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&e).Error; err != nil {
			return err
		}
		if err := subscribe(tx, e.ID, in.EventTypes); err != nil {
			return err
		}
		created = &e
		return writeAudit(tx, auditRow(actor, AuditWebhookEndpointCreated, nil, now, endpointDetails(&e, in)))
	})
	return created, err
}

func subscribe(tx *gorm.DB, endpoint int64, types []string) error {
	if err := tx.Where("endpoint_id = ?", endpoint).Delete(&webhookSubscription{}).Error; err != nil {
		return err
	}
	if len(types) == 0 {
		return nil
	}
	subs := make([]webhookSubscription, len(types))
	for i, t := range types {
		subs[i] = webhookSubscription{EndpointID: endpoint, EventType: t}
	}
	return tx.Create(&subs).Error
}

// endpointDetails is what the audit log keeps of an endpoint: its host, never its secret nor
// its whole address, whose path may hold a token and the log is open to support staff.
func endpointDetails(e *WebhookEndpoint, in WebhookEndpointInput) map[string]any {
	details := map[string]any{"endpoint_id": e.ID, "host": endpointHost(e.URL), "enabled": e.Enabled}
	if in.AllEvents {
		details["events"] = "all"
	} else {
		details["events"] = in.EventTypes
	}
	return details
}

func endpointHost(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}

// UpdateWebhookEndpoint changes an endpoint's address, description, event types and whether it
// is enabled. Enabling it again clears its failure and resumes the deliveries that waited.
// Returns ErrNotFound, ErrForbidden, and FieldErrors as CreateWebhookEndpoint.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, actor *Actor, id int64, in WebhookEndpointInput) (*WebhookEndpoint, error) {
	if !actor.Allows(PermManageWebhooks) {
		return nil, ErrForbidden
	}
	in, verr := s.validateWebhookEndpoint(in)
	var updated *WebhookEndpoint
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		e, err := endpointOf(tx, actor, id)
		if err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		now := s.now()
		changes := map[string]any{"url": in.URL, "description": in.Description, "all_events": in.AllEvents, "enabled": in.Enabled, "updated_at": now}
		if in.Enabled && !e.Enabled {
			changes["disabled_at"], changes["disabled_reason"], changes["failing_since"] = nil, "", nil
			// Waiting deliveries go out now rather than at the end of a long back-off.
			if err := tx.Model(&WebhookDelivery{}).Where("endpoint_id = ? AND status = ?", id, DeliveryPending).
				Update("next_attempt_at", now).Error; err != nil {
				return err
			}
		}
		if !in.Enabled && e.Enabled {
			changes["disabled_at"], changes["disabled_reason"] = now, "disabled by an admin"
		}
		if err := tx.Model(&WebhookEndpoint{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return err
		}
		if err := subscribe(tx, id, in.EventTypes); err != nil {
			return err
		}
		e.URL, e.Description, e.AllEvents, e.Enabled = in.URL, in.Description, in.AllEvents, in.Enabled
		updated = e
		return writeAudit(tx, auditRow(actor, AuditWebhookEndpointChanged, nil, now, endpointDetails(e, in)))
	})
	return updated, err
}

// DeleteWebhookEndpoint removes an endpoint with its waiting deliveries and its log. Returns
// ErrNotFound and ErrForbidden.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, actor *Actor, id int64) (*WebhookEndpoint, error) {
	if !actor.Allows(PermManageWebhooks) {
		return nil, ErrForbidden
	}
	var deleted *WebhookEndpoint
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		e, err := endpointOf(tx, actor, id)
		if err != nil {
			return err
		}
		// Deliveries before the endpoint: the order in which a delivery worker writes them.
		if err := tx.Where("endpoint_id = ?", id).Delete(&WebhookAttempt{}).Error; err != nil {
			return err
		}
		if err := tx.Where("endpoint_id = ?", id).Delete(&WebhookDelivery{}).Error; err != nil {
			return err
		}
		if err := tx.Where("endpoint_id = ?", id).Delete(&webhookSubscription{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&WebhookEndpoint{}, id).Error; err != nil {
			return err
		}
		deleted = e
		return writeAudit(tx, auditRow(actor, AuditWebhookEndpointDeleted, nil, s.now(), map[string]any{"endpoint_id": id, "host": endpointHost(e.URL)}))
	})
	return deleted, err
}

// RotateWebhookSecret gives an endpoint a new signing secret and returns it, shown this once. The
// old one keeps signing beside it for 24 hours. Returns ErrNotFound and ErrForbidden.
func (s *Store) RotateWebhookSecret(ctx context.Context, actor *Actor, id int64) (string, error) {
	if !actor.Allows(PermManageWebhooks) {
		return "", ErrForbidden
	}
	var secret string
	err := s.change(ctx, actor, func(tx *gorm.DB) error {
		e, err := endpointOf(tx, actor, id)
		if err != nil {
			return err
		}
		now := s.now()
		secret = newWebhookSecret()
		if err := tx.Model(&WebhookEndpoint{}).Where("id = ?", id).Updates(map[string]any{"secret": secret,
			"previous_secret": e.Secret, "previous_secret_until": now.Add(webhookSecretOverlap), "updated_at": now}).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditWebhookSecretRotated, nil, now, map[string]any{"endpoint_id": id}))
	})
	return secret, err
}

// SendWebhookTest queues a webhook.test event for one endpoint only, behind whatever it has
// waiting. Returns ErrNotFound and ErrForbidden.
func (s *Store) SendWebhookTest(ctx context.Context, actor *Actor, id int64) error {
	if !actor.Allows(PermManageWebhooks) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		if _, err := endpointOf(tx, actor, id); err != nil {
			return err
		}
		now := s.now()
		data := map[string]any{"account_id": actor.Account.ID, "actor": idPtrObject(&actor.User.ID), "endpoint_id": id,
			"message": "A test event from Roster: your endpoint receives and verifies events."}
		if actor.Impersonation != nil {
			data["real_actor"] = idPtrObject(&actor.Impersonation.RealUser.ID)
		}
		event, err := newWebhookEvent(actor.Account.ID, EventWebhookTest, now, data)
		if err != nil {
			return err
		}
		if err := queueWebhookEvents(tx, []WebhookEvent{event}, id); err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditWebhookTestSent, nil, now, map[string]any{"endpoint_id": id}))
	})
}

// ResendWebhookDelivery sends a delivery's event to its endpoint once more, with the same
// webhook-id, behind whatever the endpoint has waiting. Returns ErrNotFound for a delivery that is
// not the endpoint's or not the account's, and ErrForbidden.
func (s *Store) ResendWebhookDelivery(ctx context.Context, actor *Actor, endpointID, deliveryID int64) error {
	if !actor.Allows(PermManageWebhooks) {
		return ErrForbidden
	}
	return s.change(ctx, actor, func(tx *gorm.DB) error {
		if _, err := endpointOf(tx, actor, endpointID); err != nil {
			return err
		}
		var d WebhookDelivery
		if err := tx.Where("id = ? AND endpoint_id = ? AND account_id = ?", deliveryID, endpointID, actor.Account.ID).Take(&d).Error; err != nil {
			return notFound(err)
		}
		now := s.now()
		again := WebhookDelivery{AccountID: d.AccountID, EndpointID: d.EndpointID, EventID: d.EventID, Status: DeliveryPending,
			NextAttemptAt: now, CreatedAt: now}
		if err := tx.Create(&again).Error; err != nil {
			return err
		}
		return writeAudit(tx, auditRow(actor, AuditWebhookDeliveryResent, nil, now, map[string]any{"endpoint_id": endpointID, "delivery_id": deliveryID}))
	})
}
