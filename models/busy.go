package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// busySQLStates are the PostgreSQL errors that mean "not now" rather than "never".
var busySQLStates = map[string]bool{
	"53300": true, // too_many_connections: max_connections, or a role's or database's CONNECTION LIMIT
	"57P03": true, // cannot_connect_now: the server is starting up, shutting down or recovering
}

// classifyBusy returns err wrapped in ErrBusy when it says the database cannot take the work now,
// and any other error unchanged. It is the one place that reads driver errors for this.
func classifyBusy(err error) error {
	if err == nil || errors.Is(err, ErrBusy) || !isBusy(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrBusy, err)
}

func isBusy(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return busySQLStates[pgErr.Code]
	}
	// A connection that could not be made at all: nobody listening, or no answer in time. Other
	// failures to connect (a wrong password, an unknown host) are configuration, not load.
	var connectErr *pgconn.ConnectError
	if !errors.As(err, &connectErr) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// busyConnector classifies the errors of every new connection, so that whichever Store method
// (or migration, or ping) needed it sees ErrBusy when PostgreSQL turns it away.
type busyConnector struct{ driver.Connector }

func (c busyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	return conn, classifyBusy(err)
}
