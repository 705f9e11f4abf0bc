package models_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"roster/models"
	"roster/models/modelstest"
)

// received is one message as the test SMTP server got it.
type received struct {
	User    string // the SMTP AUTH user, if the client signed in
	From    string // the envelope sender
	To      []string
	Header  mail.Header
	Subject string
	Body    string
}

// smtpServer is an in-process mail server that keeps what it is sent.
type smtpServer struct {
	Addr string
	mu   sync.Mutex
	msgs []received
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpServer{Addr: ln.Addr().String()}
	server := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: srv}, nil }))
	server.Domain = "localhost"
	server.AllowInsecureAuth = true // plain text on loopback, as a local relay would run
	go func() { _ = server.Serve(ln) }()
	t.Cleanup(func() { _ = server.Close() })
	return srv
}

// to returns the messages addressed to rcpt; other tests' mail may arrive too.
func (s *smtpServer) to(rcpt string) []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []received
	for _, m := range s.msgs {
		for _, r := range m.To {
			if strings.EqualFold(r, rcpt) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

type smtpSession struct {
	srv  *smtpServer
	user string
	msg  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != "roster" || password != "s3cret" {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg = received{User: s.user, From: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	parsed, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	var body io.Reader = parsed.Body
	if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil {
		return err
	}
	s.msg.Header, s.msg.Subject, s.msg.Body = parsed.Header, subject, string(text)
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.msg = received{User: s.user} }
func (s *smtpSession) Logout() error { return nil }

func TestNewSMTPSenderReadsURLs(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"smtp://mail.example.com", true},
		{"smtp://mail.example.com:2525?from=roster@example.com", true},
		{"smtp://roster:p%40ss@mail.example.com?from=roster@example.com&from_name=Roster+Console", true},
		{"smtps://mail.example.com", true},
		{"smtps://roster:secret@mail.example.com:4650?from=Roster%20%3Croster@example.com%3E", true},
		{"http://x", false},
		{"mail.example.com", false},
		{"smtp://", false},
		{"smtp:///path", false},
		{"smtp://host:notaport", false},
		{"smtp://host:0", false},
		{"smtp://host:70000", false},
		{"smtp://[::1]:25", false},
		{"smtp://host?from=not-an-address", false},
		{"smtp://host?from=", true}, // empty means the default
	} {
		_, err := models.NewSMTPSender(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("NewSMTPSender(%q): error %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
	_, err := models.NewSMTPSender("smtp://roster:hunter2@host:bad")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("a bad URL must fail without repeating its password: %v", err)
	}
}

// drainOutbox delivers what earlier tests left queued: DeliverMail takes the oldest message first,
// so a test's own mail is only within reach once the backlog is gone.
func drainOutbox(t *testing.T, store *models.Store, sender models.MailSender) {
	t.Helper()
	for {
		n, err := store.DeliverMail(context.Background(), sender, 100)
		if err != nil {
			t.Fatal(err)
		}
		if n < 100 {
			return
		}
	}
}

func outboxTo(t *testing.T, store *models.Store, accountID int64, address string) models.OutboxMessage {
	t.Helper()
	var msg models.OutboxMessage
	if err := store.DB().Where("account_id = ? AND to_address = ?", accountID, address).Take(&msg).Error; err != nil {
		t.Fatalf("outbox row to %s: %v", address, err)
	}
	return msg
}

func TestSMTPDeliversInvitations(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		srv := startSMTP(t)
		sender, err := models.NewSMTPSender("smtp://" + srv.Addr + "?from=roster@example.com")
		if err != nil {
			t.Fatal(err)
		}
		drainOutbox(t, store, sender)
		acc := modelstest.NewAccount(t, store)
		plan := planOf(t, store, acc)
		ada := fmt.Sprintf("ada-%d@example.com", acc.Account.ID)
		bob := fmt.Sprintf("bob-%d@example.com", acc.Account.ID)
		if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(ada + ", " + bob),
			PlanID: plan.ID, Role: models.RoleMember, BaseURL: "https://roster.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.DeliverMail(ctx, sender, 10); err != nil {
			t.Fatal(err)
		}
		for _, rcpt := range []string{ada, bob} {
			got := srv.to(rcpt)
			if len(got) != 1 {
				t.Fatalf("%d messages to %s, want 1", len(got), rcpt)
			}
			m, row := got[0], outboxTo(t, store, acc.Account.ID, rcpt)
			if m.From != "roster@example.com" || !strings.Contains(m.Header.Get("From"), "<roster@example.com>") {
				t.Errorf("to %s: envelope from %q, From header %q", rcpt, m.From, m.Header.Get("From"))
			}
			if to := m.Header.Get("To"); !strings.Contains(to, rcpt) {
				t.Errorf("To header %q, want %s", to, rcpt)
			}
			if !strings.Contains(m.Subject, acc.Account.Name) {
				t.Errorf("subject %q lacks the account name %q", m.Subject, acc.Account.Name)
			}
			wantTokenLink(t, row.ActionURL, "https://roster.example/invitations/")
			if !strings.Contains(m.Body, row.ActionURL) {
				t.Errorf("body lacks the invitation link %q:\n%s", row.ActionURL, m.Body)
			}
			if m.Header.Get("Date") == "" || m.Header.Get("Message-Id") == "" || !strings.Contains(m.Header.Get("Content-Type"), "charset=UTF-8") {
				t.Errorf("headers lack Date, Message-ID or UTF-8: %v", m.Header)
			}
			if row.SentAt == nil || row.Attempts != 1 || row.LastError != "" {
				t.Errorf("outbox row after sending: sent %v, attempts %d, error %q", row.SentAt, row.Attempts, row.LastError)
			}
		}
		if _, err := store.DeliverMail(ctx, sender, 10); err != nil {
			t.Fatal(err)
		}
		if a, b := len(srv.to(ada)), len(srv.to(bob)); a != 1 || b != 1 {
			t.Fatalf("after a second delivery run: %d messages to ada, %d to bob; each is sent once", a, b)
		}
	})
}

func TestSMTPSenderSignsIn(t *testing.T) {
	srv := startSMTP(t)
	for _, tc := range []struct {
		password string
		ok       bool
	}{{"s3cret", true}, {"wrong", false}} {
		sender, err := models.NewSMTPSender("smtp://roster:" + tc.password + "@" + srv.Addr + "?from=roster@example.com&from_name=Roster")
		if err != nil {
			t.Fatal(err)
		}
		rcpt := "auth-" + tc.password + "@example.com"
		err = sender.Send(context.Background(), models.OutboxMessage{ID: 1, ToAddress: rcpt, Subject: "Grüße", Body: "Hallo ✓\n"})
		if (err == nil) != tc.ok {
			t.Fatalf("password %q: error %v, want ok=%v", tc.password, err, tc.ok)
		}
		got := srv.to(rcpt)
		if !tc.ok {
			if len(got) != 0 {
				t.Fatalf("a refused sign-in still delivered %d messages", len(got))
			}
			continue
		}
		if len(got) != 1 || got[0].User != "roster" || got[0].Subject != "Grüße" || strings.TrimSpace(got[0].Body) != "Hallo ✓" ||
			!strings.HasPrefix(got[0].Header.Get("From"), `"Roster" <`) {
			t.Fatalf("received %+v", got)
		}
	}
}

func TestSMTPFailureKeepsMessageQueued(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		srv := startSMTP(t)
		working, err := models.NewSMTPSender("smtp://" + srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		drainOutbox(t, store, working)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()
		broken, err := models.NewSMTPSender("smtp://" + closed)
		if err != nil {
			t.Fatal(err)
		}
		acc := modelstest.NewAccount(t, store)
		cleo := fmt.Sprintf("cleo-%d@example.com", acc.Account.ID)
		if _, err := store.Invite(ctx, acc.Actor, models.InviteRequest{Lines: models.ParseInviteList(cleo),
			PlanID: planOf(t, store, acc).ID, Role: models.RoleMember, BaseURL: "https://roster.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.DeliverMail(ctx, broken, 1); err != nil {
			t.Fatalf("a refused delivery is the message's problem, not the run's: %v", err)
		}
		row := outboxTo(t, store, acc.Account.ID, cleo)
		if row.SentAt != nil || row.Attempts != 1 || row.LastError == "" {
			t.Fatalf("after a failed delivery: sent %v, attempts %d, error %q", row.SentAt, row.Attempts, row.LastError)
		}
		if _, err := store.DeliverMail(ctx, working, 10); err != nil {
			t.Fatal(err)
		}
		row = outboxTo(t, store, acc.Account.ID, cleo)
		if n := len(srv.to(cleo)); n != 1 || row.SentAt == nil || row.Attempts != 2 || row.LastError != "" {
			t.Fatalf("the retry: %d received, sent %v, attempts %d, error %q", n, row.SentAt, row.Attempts, row.LastError)
		}
	})
}
