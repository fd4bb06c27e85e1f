-- Many instances on one database: which instance owns each live call, webhook deliveries seen by any instance,
-- and each instance's heartbeat. Portable between H2 and PostgreSQL.

ALTER TABLE calls ADD COLUMN owner_instance VARCHAR(64);
CREATE INDEX calls_owner_state ON calls (owner_instance, state);

-- One row per webhook event key (call id, event, timestamp): the primary key makes a redelivery that lands on
-- another instance a duplicate too.
CREATE TABLE webhook_events (
    event_key    VARCHAR(512)             NOT NULL PRIMARY KEY,
    received_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

CREATE TABLE instances (
    instance_id    VARCHAR(64)              NOT NULL PRIMARY KEY,
    internal_url   VARCHAR(512),
    live_calls     INTEGER                  NOT NULL,
    max_calls      INTEGER                  NOT NULL,
    draining       BOOLEAN                  NOT NULL,
    started_at     TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    heartbeat_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    -- Set once, by the one survivor that ends a lost instance's calls.
    taken_over_by  VARCHAR(64)
);
