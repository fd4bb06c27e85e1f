-- Call backs an agent promised (its schedule_callback tool): due at a time, then claimed by one instance and dialled.
CREATE TABLE callbacks (
    callback_id      VARCHAR(64)              NOT NULL PRIMARY KEY,
    origin_call_id   VARCHAR(255)             NOT NULL,
    phone_number_id  VARCHAR(64)              NOT NULL,
    user_handle      VARCHAR(128)             NOT NULL,
    reason           VARCHAR(1000),
    requested_at     TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    due_at           TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    -- pending, dialling (claimed), dialled, failed
    state            VARCHAR(16)              NOT NULL,
    claimed_by       VARCHAR(64),
    placed_call_id   VARCHAR(255),
    outcome          VARCHAR(2000)
);
CREATE INDEX callbacks_state_due ON callbacks (state, due_at);
