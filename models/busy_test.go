package models

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestClassifyBusy(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		busy bool
	}{
		{"TooManyConnections", &pgconn.PgError{Code: "53300", Message: "sorry, too many clients already"}, true},
		{"CannotConnectNow", fmt.Errorf("connect: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"PlainError", errors.New("boom"), false},
		{"ContextDeadlineOutsideAConnect", context.DeadlineExceeded, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyBusy(tc.err)
			if errors.Is(got, ErrBusy) != tc.busy {
				t.Fatalf("classifyBusy(%v) = %v; busy %v, want %v", tc.err, got, !tc.busy, tc.busy)
			}
			if !errors.Is(got, tc.err) {
				t.Fatalf("classifyBusy(%v) lost its cause: %v", tc.err, got)
			}
		})
	}
	t.Run("Nil", func(t *testing.T) {
		if classifyBusy(nil) != nil {
			t.Fatal("nil must stay nil")
		}
	})
	t.Run("WrappedOnce", func(t *testing.T) {
		once := classifyBusy(&pgconn.PgError{Code: "53300"})
		if twice := classifyBusy(once); twice != once {
			t.Fatalf("classified twice: %v", twice)
		}
	})
}

// TestOpenWhenNothingListensIsBusy: a PostgreSQL server that refuses connections (restarting,
// not up yet) is ErrBusy, something to retry, not a failure of Roster.
func TestOpenWhenNothingListensIsBusy(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	listener.Close() // the port is now free: connecting to it is refused
	_, err = Open(context.Background(), "postgres://roster@"+addr+"/roster?sslmode=disable&connect_timeout=5")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Open against a closed port: %v, want ErrBusy", err)
	}
}

func TestOpenRefusesNoConnections(t *testing.T) {
	if _, err := Open(context.Background(), "postgres://roster@127.0.0.1:1/roster", MaxConns(0)); err == nil {
		t.Fatal("MaxConns(0) must be refused")
	}
}
