-- Business-initiated calls: wavoice names such a call before WhatsApp does (it may wait for the user's call
-- permission first), so the WhatsApp call id is a column of its own, filled once Graph `connect` answers. For a
-- call the user placed, call_id is WhatsApp's id and wa_call_id stays empty.
ALTER TABLE calls ADD COLUMN wa_call_id VARCHAR(255);
-- What the business passed when it dialled (biz_opaque_callback_data), echoed by WhatsApp's webhooks.
ALTER TABLE calls ADD COLUMN callback_data VARCHAR(512);
-- Meta's error code when a Graph action ended or refused the call (e.g. no call permission).
ALTER TABLE calls ADD COLUMN graph_error_code INTEGER;
CREATE INDEX calls_wa_call_id ON calls (wa_call_id);
