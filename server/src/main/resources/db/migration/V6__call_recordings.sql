-- A recorded call's Ogg/Opus file (caller and agent on separate channels): where it is, how long, how big. Set once
-- the recording is closed; recording_deleted_at when the retention (WAVOICE_RECORDING_DAYS) removed the file.
ALTER TABLE calls ADD COLUMN recording_path VARCHAR(1024);
ALTER TABLE calls ADD COLUMN recording_ms BIGINT;
ALTER TABLE calls ADD COLUMN recording_bytes BIGINT;
ALTER TABLE calls ADD COLUMN recording_deleted_at TIMESTAMP(6) WITH TIME ZONE;
CREATE INDEX calls_recording ON calls (recording_path, ended_at);
