-- WhatsApp call permissions, one row per business phone number and user (phone number or BSUID): what Meta last
-- said (permission check) or what the user last answered (permission reply webhook), and when the user last wrote
-- to the business (the 24 h customer-service window decides how a permission request may be sent).
-- Portable between H2 and PostgreSQL: only standard types.

CREATE TABLE call_permissions (
    phone_number_id  VARCHAR(64)              NOT NULL,
    user_id          VARCHAR(128)             NOT NULL,
    status           VARCHAR(32)              NOT NULL,
    expires_at       TIMESTAMP(6) WITH TIME ZONE,
    -- Graph's actions[] with their limits, as JSON text, from the last permission check.
    actions          VARCHAR(4000),
    source           VARCHAR(32)              NOT NULL,
    updated_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    -- When Graph was last asked; null when the row only holds a webhook reply or an inbound message.
    checked_at       TIMESTAMP(6) WITH TIME ZONE,
    last_inbound_at  TIMESTAMP(6) WITH TIME ZONE,
    PRIMARY KEY (phone_number_id, user_id)
);
CREATE INDEX call_permissions_updated ON call_permissions (updated_at);
