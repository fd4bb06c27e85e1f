-- The call log. Portable between H2 (embedded default) and PostgreSQL: only standard types.

CREATE TABLE calls (
    call_id          VARCHAR(255)             NOT NULL PRIMARY KEY,
    direction        VARCHAR(32)              NOT NULL,
    caller_phone     VARCHAR(64),
    caller_bsuid     VARCHAR(128),
    caller_name      VARCHAR(256),
    business_number  VARCHAR(64),
    phone_number_id  VARCHAR(64),
    state            VARCHAR(32)              NOT NULL,
    agent            VARCHAR(32),
    started_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    connected_at     TIMESTAMP(6) WITH TIME ZONE,
    ended_at         TIMESTAMP(6) WITH TIME ZONE,
    end_reason       VARCHAR(64),
    end_detail       VARCHAR(2000),
    duration_ms      BIGINT
);
CREATE INDEX calls_started_at ON calls (started_at);

CREATE TABLE call_events (
    event_id     UUID                     NOT NULL PRIMARY KEY,
    call_id      VARCHAR(255)             NOT NULL,
    occurred_at  TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    type         VARCHAR(64)              NOT NULL,
    detail       VARCHAR(4000)
);
CREATE INDEX call_events_call ON call_events (call_id, occurred_at);

CREATE TABLE transcripts (
    transcript_id UUID                     NOT NULL PRIMARY KEY,
    call_id       VARCHAR(255)             NOT NULL,
    occurred_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    speaker       VARCHAR(16)              NOT NULL,
    text          VARCHAR(10000)           NOT NULL,
    is_final      BOOLEAN                  NOT NULL,
    interrupted   BOOLEAN                  NOT NULL
);
CREATE INDEX transcripts_call ON transcripts (call_id, occurred_at);

CREATE TABLE call_usage (
    usage_id             UUID                     NOT NULL PRIMARY KEY,
    call_id              VARCHAR(255)             NOT NULL,
    occurred_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    input_tokens         BIGINT                   NOT NULL,
    output_tokens        BIGINT                   NOT NULL,
    input_audio_tokens   BIGINT                   NOT NULL,
    output_audio_tokens  BIGINT                   NOT NULL
);
CREATE INDEX call_usage_call ON call_usage (call_id);
