package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpTimeout bounds each step of a delivery: the outbox row stays locked while a message is
// sent, so a stalled server must hold it for seconds, not for ever.
const smtpTimeout = 15 * time.Second

type smtpSender struct {
	host string
	opts []gomail.Option
	from mail.Address
}

// NewSMTPSender reads a mail server URL, as given in ROSTER_SMTP_URL:
//
//	smtp://[user:password@]host[:port][?from=addr&from_name=name]   port 587, STARTTLS when offered
//	smtps://[user:password@]host[:port][?from=addr&from_name=name]  port 465, TLS from the start
//
// The From address defaults to roster@localhost. Everything is checked here, without connecting,
// so that a mistyped URL stops the server at startup instead of failing every delivery later.
// Errors never repeat the URL, which may hold a password.
func NewSMTPSender(rawURL string) (MailSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	port := 587
	opts := []gomail.Option{gomail.WithTimeout(smtpTimeout)}
	switch u.Scheme {
	case "smtp":
		// Opportunistic so that a local relay without TLS works. Credentials still travel only over
		// TLS or to a loopback host: go-mail's PLAIN and LOGIN refuse anything else.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("SMTP URL: scheme %q is not smtp:// (STARTTLS) or smtps:// (TLS)", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("SMTP URL: no mail server host, as in smtp://mail.example.com")
	}
	if strings.Contains(host, ":") {
		// go-mail joins host and port without brackets, so an IPv6 literal would fail at every send.
		return nil, errors.New("SMTP URL: IPv6 addresses are not supported; use a host name")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("SMTP URL: port %q is not a number from 1 to 65535", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		password, _ := u.User.Password()
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(password))
	}
	query := u.Query()
	from := query.Get("from")
	if from == "" {
		from = "roster@localhost"
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: from=%q is not an e-mail address", from)
	}
	if name := query.Get("from_name"); name != "" {
		fromAddr.Name = name
	}
	if _, err := gomail.NewClient(host, opts...); err != nil {
		return nil, fmt.Errorf("SMTP URL: %w", err)
	}
	return &smtpSender{host: host, opts: opts, from: *fromAddr}, nil
}

func (s *smtpSender) Send(ctx context.Context, msg OutboxMessage) error {
	m := gomail.NewMsg()
	from := s.from
	m.FromMailAddress(&from)
	if err := m.To(msg.ToAddress); err != nil {
		return err
	}
	m.Subject(msg.Subject)
	m.SetDate()
	// Derived from the outbox row, so that a message sent again after a crash before its commit
	// carries the same Message-ID and mail systems can drop the duplicate.
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	m.SetMessageIDWithValue(fmt.Sprintf("outbox.%d.%d@%s", msg.ID, msg.CreatedAt.UnixNano(), domain))
	m.SetBodyString(gomail.TypeTextPlain, msg.Body)
	// A client per message: go-mail's Client changes its own state while dialling, so one shared
	// by concurrent deliveries would race.
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, m)
}
