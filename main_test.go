package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// useDatabase points the commands at a fresh SQLite file for one test.
func useDatabase(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "roster.db")
	t.Setenv("DATABASE_URL", path)
	t.Setenv("ROSTER_SESSION_SECRET", "")
	t.Setenv("ROSTER_SMTP_URL", "")
	t.Setenv("ROSTER_DEMO", "")
	return path
}

func TestCommands(t *testing.T) {
	useDatabase(t)
	ctx := context.Background()
	var out bytes.Buffer

	if err := run(ctx, []string{"migrate"}, &out); err != nil || !strings.Contains(out.String(), "Migrations applied") {
		t.Fatalf("migrate: %v, %q", err, out.String())
	}
	out.Reset()
	err := run(ctx, []string{"create-owner", "--account", "Acme", "--name", "Ada", "--email", "not-an-address"}, &out)
	if err == nil || !strings.Contains(out.String(), "--email:") {
		t.Fatalf("create-owner with a bad address: %v, %q; want the flag named beside its problem", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"create-owner", "--account", "Acme", "--name", "Ada Admin", "--email", "ada@acme.example", "--seats", "5"}, &out); err != nil {
		t.Fatalf("create-owner: %v", err)
	}
	if !regexp.MustCompile(`Owner ada@acme.example created; sign in with password \S{12,}`).MatchString(out.String()) {
		t.Fatalf("create-owner printed %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed", "--users", "0"}, &out); err == nil {
		t.Fatal("seed --users 0 must be refused")
	}
	if err := run(ctx, []string{"seed", "--users", "40"}, &out); err != nil || !strings.Contains(out.String(), "40 users") {
		t.Fatalf("seed: %v, %q", err, out.String())
	}
	if err := run(ctx, []string{"frobnicate"}, &out); err == nil {
		t.Fatal("an unknown command must fail")
	}
}

// TestServeStartsWithADemoAccount runs the console as `go run .` does on an empty database: it
// prints the demo login, serves the sign-in page, and keeps its generated secret across restarts.
func TestServeStartsWithADemoAccount(t *testing.T) {
	useDatabase(t)
	started := time.Now()
	out := serveBriefly(t, nil)
	if !regexp.MustCompile(`Demo account ready: open http://127\.0\.0\.1:\d+/login and sign in as its owner, owner@northwind\.example, with password \S{12,}`).MatchString(out) {
		t.Fatalf("serve printed %q", out)
	}
	if !strings.Contains(out, "applying any pending migrations") || !strings.Contains(out, "Creating the demo account") {
		t.Fatalf("a first start must say what it is doing before it is ready: %q", out)
	}
	t.Logf("first start with demo data took %s", time.Since(started))
	again := serveBriefly(t, nil)
	if strings.Contains(again, "Demo account") {
		t.Fatal("a second start created the demo account again")
	}
	if ms := regexp.MustCompile(`ready in (\d+) ms`).FindStringSubmatch(again); ms == nil || len(ms[1]) > 3 {
		t.Fatalf("start on an existing database must take under a second: %q", again)
	}
}

// serveBriefly starts the server on a free port with the extra flags, fetches the sign-in page,
// runs check (when not nil) with what serve printed, and stops it.
func serveBriefly(t *testing.T, check func(printed string), flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reader, writer := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, flags...)
	go func() { done <- run(ctx, args, writer); writer.Close() }()
	var printed strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(printed.String(), "Roster is serving") {
		n, err := reader.Read(buf)
		if err != nil {
			cancel()
			t.Fatalf("serve stopped early: %v %q", <-done, printed.String())
		}
		printed.Write(buf[:n])
	}
	url := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(printed.String())[1]
	res, err := http.Get(url + "/login")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %v %v", err, res)
	}
	res.Body.Close()
	if check != nil {
		check(printed.String())
	}
	cancel()
	go io.Copy(io.Discard, reader)
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	return printed.String()
}

// TestDatabaseMaxConnsSetting: ROSTER_DB_MAX_CONNS must be a count of connections; anything else
// stops every command with a message that names the setting.
func TestDatabaseMaxConnsSetting(t *testing.T) {
	useDatabase(t)
	ctx := context.Background()
	for _, bad := range []string{"0", "-3", "ten", "2.5"} {
		t.Setenv("ROSTER_DB_MAX_CONNS", bad)
		for _, command := range [][]string{{"migrate"}, {"serve", "--addr", "127.0.0.1:0"}} {
			err := run(ctx, command, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "ROSTER_DB_MAX_CONNS") || !strings.Contains(err.Error(), bad) {
				t.Errorf("%s with ROSTER_DB_MAX_CONNS=%s: %v, want an error naming the setting and the value", command[0], bad, err)
			}
		}
	}
	for value, want := range map[string]int{"": 10, "4": 4, " 25 ": 25} {
		t.Setenv("ROSTER_DB_MAX_CONNS", value)
		if got, err := envPositiveInt("ROSTER_DB_MAX_CONNS", 10); err != nil || got != want {
			t.Errorf("ROSTER_DB_MAX_CONNS=%q: %d, %v; want %d", value, got, err, want)
		}
	}
	t.Setenv("ROSTER_DB_MAX_CONNS", "4")
	if err := run(ctx, []string{"migrate"}, io.Discard); err != nil {
		t.Fatalf("migrate with ROSTER_DB_MAX_CONNS=4: %v", err)
	}
}

// TestServeMetricsListener: metrics and profiles are off unless ROSTER_METRICS_ADDR or
// --metrics-addr (which wins) names an address, and then served there, apart from the console.
func TestServeMetricsListener(t *testing.T) {
	useDatabase(t)
	t.Setenv("ROSTER_DEMO", "false")
	t.Setenv("ROSTER_METRICS_ADDR", "")
	if out := serveBriefly(t, nil); strings.Contains(out, "Metrics on") {
		t.Fatalf("metrics served without being asked for: %q", out)
	}
	checkMetrics := func(printed string) {
		m := regexp.MustCompile(`Metrics on (http://127\.0\.0\.1:\d+)/metrics, profiles on http://127\.0\.0\.1:\d+/debug/pprof/`).FindStringSubmatch(printed)
		if m == nil {
			t.Fatalf("serve printed no metrics address: %q", printed)
		}
		if body := httpGet(t, m[1]+"/metrics"); !strings.Contains(body, `roster_http_requests_total{route="login",status="200"} 1`) {
			t.Errorf("/metrics does not count the sign-in page:\n%s", body)
		}
		if body := httpGet(t, m[1]+"/debug/pprof/"); !strings.Contains(body, "goroutine") {
			t.Errorf("/debug/pprof/ lists no profiles: %.300s", body)
		}
		console := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(printed)[1]
		if res, err := http.Get(console + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("the console's own port serves /metrics: %v %v", err, res)
		} else {
			res.Body.Close()
		}
	}
	t.Setenv("ROSTER_METRICS_ADDR", "127.0.0.1:0")
	serveBriefly(t, checkMetrics)
	t.Setenv("ROSTER_METRICS_ADDR", "not an address")
	serveBriefly(t, checkMetrics, "--metrics-addr", "127.0.0.1:0")
	if err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, io.Discard); err == nil || !strings.Contains(err.Error(), "metrics address") {
		t.Errorf("ROSTER_METRICS_ADDR=%q: %v, want an error about the metrics address", "not an address", err)
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, res.StatusCode)
	}
	return string(body)
}
