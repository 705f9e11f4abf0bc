package models

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Bounds of one outgoing call.
const (
	webhookTimeout = 10 * time.Second
	// webhookResponseLimit is how much of a receiver's answer is read: enough for the log, never
	// so much that a hostile receiver can fill memory.
	webhookResponseLimit = 1024
	// webhookLogResponse is how much of it the log keeps.
	webhookLogResponse = 256
)

// WebhookSender makes the calls to receivers: signed, bounded in time and size, never
// following redirects, and never into a private network unless the configuration allows it.
type WebhookSender struct {
	client *http.Client
	// Now stamps webhook-timestamp; it is the store's clock.
	now func() time.Time
}

// NewWebhookSender is the sender for the store's configuration.
func (s *Store) NewWebhookSender() *WebhookSender {
	return &WebhookSender{client: newWebhookClient(s.Webhooks.AllowPrivate), now: s.Now}
}

// newWebhookClient is an HTTP client whose every connection is checked where it is made: the
// dialer's Control runs on the address DNS resolved to, so a name that points (or is re-pointed)
// at an internal address is refused too, not only a literal one in the saved URL.
func newWebhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			if allowPrivate {
				return nil
			}
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || refusedAddress(ip) {
				return RefusedTargetError{Address: host}
			}
			return nil
		}}
	transport := &http.Transport{
		// No proxy from the environment: the dialer must see the receiver's own address.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: webhookTimeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Timeout: webhookTimeout, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// webhookSignature is the Standard Webhooks signature of one message: "v1," and the base64
// HMAC-SHA256, keyed with the base64-decoded part of the whsec_ secret, of "id.timestamp.body".
func webhookSignature(secret, msgID string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", msgID, timestamp)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// attemptResult is what one call came to.
type attemptResult struct {
	StatusCode int
	Error      string
	Latency    time.Duration
	Response   string
}

func (r attemptResult) succeeded() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// send makes one signed call. Every secret that may still sign adds a signature, so receivers
// that hold either one during a rotation accept it.
func (w *WebhookSender) send(ctx context.Context, target string, secrets []string, msgID string, body []byte) attemptResult {
	now := w.now()
	timestamp := now.Unix()
	signatures := make([]string, 0, len(secrets))
	for _, secret := range secrets {
		sig, err := webhookSignature(secret, msgID, timestamp, body)
		if err != nil {
			return attemptResult{Error: err.Error()}
		}
		signatures = append(signatures, sig)
	}
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return attemptResult{Error: "invalid address"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Roster-Webhooks/1.0")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(timestamp, 10))
	req.Header.Set("webhook-signature", strings.Join(signatures, " "))
	started := time.Now()
	res, err := w.client.Do(req)
	if err != nil {
		return attemptResult{Error: describeSendError(err), Latency: time.Since(started)}
	}
	defer res.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(res.Body, webhookResponseLimit))
	return attemptResult{StatusCode: res.StatusCode, Latency: time.Since(started), Response: logText(head)}
}

// describeSendError says why a call got no answer, in words for the delivery log and without
// Go's wrapping of the whole URL.
func describeSendError(err error) string {
	var refused RefusedTargetError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "no answer within 10 seconds"
	}
	var urlErr interface{ Unwrap() error }
	if errors.As(err, &urlErr) && urlErr.Unwrap() != nil {
		err = urlErr.Unwrap()
	}
	return truncate(cleanText(err.Error()), 300)
}

// logText is the start of a response as the log shows it: valid text, no control characters.
func logText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > webhookLogResponse {
		s = string([]rune(s)[:webhookLogResponse])
	}
	return s
}
