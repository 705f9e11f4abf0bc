-- +goose Up
-- Outgoing webhooks (P2). An endpoint is an account's receiver; it gets every event type or the
-- ones listed in webhook_subscriptions. An event is written in the transaction of the change
-- that causes it, derived from that change's audit events, and fanned out at once to one
-- delivery per subscribed, enabled endpoint: the outbox pattern, as for mail.
--
-- Payloads hold IDs and the names the audit log holds (plans, groups), never a person's name or
-- address, so erasing a user has nothing to chase here.
CREATE TABLE webhook_endpoints (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id            INTEGER NOT NULL REFERENCES accounts(id),
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    all_events            BOOLEAN NOT NULL DEFAULT TRUE,
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    -- The signing secret (whsec_…) is needed in clear to sign; it is shown once when made.
    secret                TEXT NOT NULL,
    -- After a rotation the old secret signs alongside the new one until previous_secret_until.
    previous_secret       TEXT NOT NULL DEFAULT '',
    previous_secret_until DATETIME,
    failing_since         DATETIME,
    last_success_at       DATETIME,
    disabled_at           DATETIME,
    disabled_reason       TEXT NOT NULL DEFAULT '',
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, id);

CREATE TABLE webhook_subscriptions (
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, event_type)
);

CREATE TABLE webhook_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    -- message_id is the webhook-id header: the same on every attempt and every resend.
    message_id TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

-- One event to one endpoint. Deliveries of an endpoint go out in id order, one at a time: only
-- the oldest pending one (its head) may be claimed. A claim is a lease written in a short
-- transaction, so no row lock is held while the receiver answers.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL REFERENCES webhook_events(id),
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME NOT NULL,
    first_attempt_at DATETIME,
    lease_until      DATETIME,
    lease_token      TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    finished_at      DATETIME
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Every attempt, for the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    attempted_at DATETIME NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    latency_ms   INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_subscriptions;
DROP TABLE webhook_endpoints;
