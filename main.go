// Command roster is the Settings > User Management console: `roster [serve]` runs it, `migrate`,
// `create-owner` and `seed` prepare its database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	// Account time zones must resolve on any host, including containers without a zone database.
	_ "time/tzdata"

	"roster/handlers"
	"roster/metrics"
	"roster/models"
)

const defaultSQLiteFile = "roster.db"

// webhookWorkers is how many webhook calls one server makes at once.
const webhookWorkers = 4

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	command := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	switch command {
	case "serve":
		return serve(ctx, args, out)
	case "migrate":
		return migrate(ctx, args, out)
	case "create-owner":
		return createOwner(ctx, args, out)
	case "seed":
		return seed(ctx, args, out)
	case "scim-token":
		return scimToken(ctx, args, out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", command, usage)
}

const usage = `Usage: roster [command] [flags]

Commands:
  serve         run the console (default)
  migrate       apply database migrations and exit
  create-owner  create an account and its owner, for a production start without demo data
  seed          create an account filled with realistic bulk data (--users N)
  scim-token    create a SCIM provisioning token (--account-id ID --name NAME) and print it

Environment:
  DATABASE_URL           postgres://… selects PostgreSQL; unset uses the SQLite file roster.db
  ROSTER_DB_MAX_CONNS    connections to PostgreSQL this process opens at most, default 10
  ROSTER_ADDR            address to listen on (flag --addr), default 127.0.0.1:8080
  ROSTER_METRICS_ADDR    address for Prometheus metrics (/metrics) and profiles (/debug/pprof/) (flag --metrics-addr); unset: off
  ROSTER_SESSION_SECRET  secret for session cookies, 32+ characters (generated and kept in the database when unset)
  ROSTER_SECURE_COOKIES  "true" behind TLS (flag --secure-cookies)
  ROSTER_TRUST_PROXY     "true" to take client addresses from X-Forwarded-For
  ROSTER_DEMO            "true" or "false": create the demo account on an empty database (default: only on SQLite)
  ROSTER_SMTP_URL        smtp://user:password@host:587?from=roster@example.com delivers mail; unset keeps it in the console's outbox
  ROSTER_WEBHOOKS_ALLOW_PRIVATE  "true" lets webhooks call loopback and private addresses (development only)
  ROSTER_BASE_URL        where links in e-mails point, e.g. https://roster.example.com (default: the address the admin used)
`

// databaseURL is DATABASE_URL, or the SQLite file in the working directory.
func databaseURL() string {
	if url := os.Getenv("DATABASE_URL"); url != "" {
		return url
	}
	return defaultSQLiteFile
}

// openStore opens DATABASE_URL with at most ROSTER_DB_MAX_CONNS connections.
func openStore(ctx context.Context) (*models.Store, error) {
	maxConns, err := envPositiveInt("ROSTER_DB_MAX_CONNS", models.DefaultMaxConns)
	if err != nil {
		return nil, err
	}
	return models.Open(ctx, databaseURL(), models.MaxConns(maxConns))
}

// envPositiveInt reads a count of at least one; unset is fallback, anything else is an error.
func envPositiveInt(name string, fallback int) (int, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a whole number of at least 1, not %q", name, raw)
	}
	return n, nil
}

func envBool(name string, fallback bool) bool {
	value, err := strconv.ParseBool(os.Getenv(name))
	if err != nil {
		return fallback
	}
	return value
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := flags.String("addr", envOr("ROSTER_ADDR", "127.0.0.1:8080"), "address to listen on")
	secureCookies := flags.Bool("secure-cookies", envBool("ROSTER_SECURE_COOKIES", false), "mark cookies Secure and send HSTS (behind TLS)")
	metricsAddr := flags.String("metrics-addr", os.Getenv("ROSTER_METRICS_ADDR"),
		"address for Prometheus metrics and profiles, reachable only by operators (off when empty)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	started := time.Now()
	dbURL := databaseURL()
	// A first start applies every migration and may build the demo account: say so, so that a
	// newcomer does not take the pause for a hang.
	fmt.Fprintf(out, "Opening %s and applying any pending migrations…\n", describeDatabase(dbURL))
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()

	secret := os.Getenv("ROSTER_SESSION_SECRET")
	if secret == "" {
		// Kept in the database, so restarts keep people signed in and every server of a deployment
		// agrees on one secret.
		if secret, err = store.SessionSecret(ctx); err != nil {
			return err
		}
	}
	config := handlers.Config{
		SessionSecret:     secret,
		SecureCookies:     *secureCookies,
		TrustProxyHeaders: envBool("ROSTER_TRUST_PROXY", false),
		BaseURL:           os.Getenv("ROSTER_BASE_URL"),
	}
	var metricsServer *http.Server
	var metricsListener net.Listener
	if *metricsAddr != "" {
		registry, err := metrics.New(store)
		if err != nil {
			return err
		}
		store.Metrics, config.Metrics = registry, registry
		if metricsListener, err = net.Listen("tcp", *metricsAddr); err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
		defer metricsListener.Close()
		// No write timeout: a CPU profile or trace streams for as long as it was asked to.
		metricsServer = &http.Server{Handler: registry.Handler(), ReadHeaderTimeout: 10 * time.Second}
	}
	if smtpURL := os.Getenv("ROSTER_SMTP_URL"); smtpURL != "" {
		sender, err := models.NewSMTPSender(smtpURL)
		if err != nil {
			return err
		}
		wake := make(chan struct{}, 1)
		config.MailDelivering = true
		config.MailQueued = func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
		go store.RunMailDelivery(ctx, sender, wake, 30*time.Second, func(err error) { slog.Error("mail delivery", "err", err) })
	}
	// Webhooks go out from every server, a few at a time; leases make each attempt happen once.
	store.Webhooks.AllowPrivate = envBool("ROSTER_WEBHOOKS_ALLOW_PRIVATE", false)
	go store.RunWebhookDelivery(ctx, store.NewWebhookSender(), webhookWorkers, func(err error) { slog.Error("webhook delivery", "err", err) })
	// Deletions whose grace period ended are carried out by every server; row locks make each
	// happen once.
	go store.RunDeletions(ctx, time.Minute, func(err error) { slog.Error("carrying out deletions", "err", err) })
	// Leave dates run in their minute, on every server; the account lock and row locks make each
	// happen once.
	go store.RunScheduledDeactivations(ctx, 10*time.Second, func(err error) { slog.Error("carrying out leave dates", "err", err) })
	// The dormancy policy runs on every server too; each account gets one pass a day, taken
	// under its account lock, so warnings, deactivations and summaries happen once.
	go store.RunDormancy(ctx, 15*time.Minute, func(err error) { slog.Error("dormancy policy", "err", err) })
	app, err := handlers.New(store, config)
	if err != nil {
		return err
	}
	handlers.TuneGarbageCollector()
	server := &http.Server{Addr: *addr, Handler: app, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + listener.Addr().String()
	if err := createDemoIfEmpty(ctx, store, baseURL, out); err != nil {
		return err
	}
	if metricsServer != nil {
		fmt.Fprintf(out, "Metrics on http://%s/metrics, profiles on http://%[1]s/debug/pprof/\n", metricsListener.Addr())
	}
	fmt.Fprintf(out, "Roster is serving %s (%s, ready in %d ms)\n", baseURL, describeDatabase(dbURL), time.Since(started).Milliseconds())

	errs := make(chan error, 2)
	go func() { errs <- server.Serve(listener) }()
	if metricsServer != nil {
		go func() { errs <- metricsServer.Serve(metricsListener) }()
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if metricsServer != nil {
		// Metrics stay up while requests drain, then stop without waiting for a profile in progress.
		defer metricsServer.Close()
	}
	return server.Shutdown(shutdown)
}

// createDemoIfEmpty fills a brand-new database with the demo account, so that a first `go run .`
// has something to click through, and prints how to sign in.
func createDemoIfEmpty(ctx context.Context, store *models.Store, baseURL string, out io.Writer) error {
	if !envBool("ROSTER_DEMO", !store.IsPostgres()) {
		return nil
	}
	accounts, err := store.CountAccounts(ctx)
	if err != nil || accounts > 0 {
		return err
	}
	fmt.Fprintln(out, "Creating the demo account (first start only, a few seconds)…")
	demo, err := store.Seed(ctx, models.DemoSpec)
	if err != nil {
		return fmt.Errorf("create demo account: %w", err)
	}
	fmt.Fprintf(out, "Demo account ready: open %s/login and sign in as its owner, %s, with password %s\n", baseURL, demo.OwnerEmail, demo.OwnerPassword)
	return nil
}

func describeDatabase(url string) string {
	if models.IsPostgresURL(url) {
		return "PostgreSQL"
	}
	return "SQLite file " + url
}

func migrate(ctx context.Context, args []string, out io.Writer) error {
	if err := flag.NewFlagSet("migrate", flag.ContinueOnError).Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(out, "Migrations applied to %s\n", describeDatabase(databaseURL()))
	return nil
}

func createOwner(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("create-owner", flag.ContinueOnError)
	account := flags.String("account", "", "name of the new account (required)")
	name := flags.String("name", "", "the owner's full name (required)")
	email := flags.String("email", "", "the owner's e-mail address (required)")
	plan := flags.String("plan", "Standard", "name of the account's first plan")
	seats := flags.Int("seats", 10, "seats purchased on that plan")
	price := flags.Int64("price-cents", 0, "price per seat and month, in cents")
	if err := flags.Parse(args); err != nil {
		return err
	}
	password := os.Getenv("ROSTER_OWNER_PASSWORD")
	generated := password == ""
	if generated {
		password = models.RandomPassword()
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	_, owner, err := store.CreateAccount(ctx, models.NewAccount{AccountName: *account, OwnerName: *name, OwnerEmail: *email,
		OwnerPassword: password, PlanName: *plan, Seats: *seats, PriceCents: *price})
	var fieldErrs models.FieldErrors
	if errors.As(err, &fieldErrs) {
		for field, msg := range fieldErrs {
			fmt.Fprintf(out, "  --%s: %s\n", flagForField(field), msg)
		}
		return errors.New("the owner was not created")
	}
	if err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(out, "Owner %s created; sign in with password %s and change it\n", owner.EmailAddress(), password)
	} else {
		fmt.Fprintf(out, "Owner %s created with the password from ROSTER_OWNER_PASSWORD\n", owner.EmailAddress())
	}
	return nil
}

func flagForField(field string) string {
	switch field {
	case "price":
		return "price-cents"
	case "password":
		return "(ROSTER_OWNER_PASSWORD)"
	}
	return field
}

func seed(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("seed", flag.ContinueOnError)
	users := flags.Int("users", 1000, "number of users in the new account")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *users < 1 || *users > 2_000_000 {
		return errors.New("--users must be between 1 and 2,000,000")
	}
	store, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	started := time.Now()
	result, err := store.Seed(ctx, models.BulkSpec(*users))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Seeded %q: %d users and %d records in %.1f s; sign in as %s with password %s\n",
		result.Account.Name, result.Users, result.Records, time.Since(started).Seconds(), result.OwnerEmail, result.OwnerPassword)
	return nil
}

// scimToken makes a provisioning token for an account and prints it alone on its line, so that a
// script can read it; it is shown this once.
func scimToken(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("scim-token", flag.ContinueOnError)
	accountID := flags.Int64("account-id", 0, "ID of the account the token provisions (required)")
	name := flags.String("name", "", "name of the token, as the audit log shows it: \"Provisioning: NAME\" (required)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *accountID <= 0 {
		return errors.New("--account-id is required")
	}
	store, err := models.Open(ctx, databaseURL())
	if err != nil {
		return err
	}
	defer store.Close()
	secret, _, err := store.CreateProvisioningTokenForAccount(ctx, *accountID, *name)
	var fieldErrs models.FieldErrors
	switch {
	case errors.As(err, &fieldErrs):
		return fmt.Errorf("--name: %s", fieldErrs["name"])
	case errors.Is(err, models.ErrNotFound):
		return fmt.Errorf("no account with ID %d", *accountID)
	case err != nil:
		return err
	}
	fmt.Fprintln(out, secret)
	return nil
}
