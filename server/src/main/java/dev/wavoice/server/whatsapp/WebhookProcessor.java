package dev.wavoice.server.whatsapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a verified webhook and hands its call events to the listener. Unknown {@code field} values and unknown
 * call events are tolerated and logged once each (Meta sends {@code messages} and more to the same URL).
 */
public final class WebhookProcessor {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);

    private final ObjectMapper json;
    private final CallWebhookListener listener;
    private final EventDeduplicator dedup;
    private final MeterRegistry metrics;
    private final Set<String> reportedUnknown = ConcurrentHashMap.newKeySet();

    public WebhookProcessor(ObjectMapper json, CallWebhookListener listener, EventDeduplicator dedup,
            MeterRegistry metrics) {
        this.json = json;
        this.listener = listener;
        this.dedup = dedup;
        this.metrics = metrics;
    }

    /** Parses the body; the web layer answers 400 when this throws. */
    public WebhookPayload parse(byte[] body) throws MalformedWebhookException {
        try {
            WebhookPayload payload = json.readValue(body, WebhookPayload.class);
            if (payload == null) {
                throw new MalformedWebhookException("body is JSON null");
            }
            return payload;
        } catch (java.io.IOException e) {
            String why = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new MalformedWebhookException(why);
        }
    }

    /** Processes every change of a parsed payload, in order. */
    public void process(WebhookPayload payload) {
        for (WebhookPayload.Entry entry : payload.entries()) {
            for (WebhookPayload.Change change : entry.changeList()) {
                String field = change.field() == null ? "" : change.field();
                if (!field.equals("calls")) {
                    logOnce("field:" + field, "webhook.field_ignored field={} (not a call event)", field);
                    metrics.counter("wavoice.webhook.changes", "field", "other").increment();
                    continue;
                }
                metrics.counter("wavoice.webhook.changes", "field", "calls").increment();
                WebhookPayload.CallsValue value;
                try {
                    value = json.treeToValue(change.value(), WebhookPayload.CallsValue.class);
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    log.warn("webhook.calls_value_malformed error=\"{}\"", e.getMessage());
                    continue;
                }
                if (value == null) {
                    continue;
                }
                processCalls(value);
            }
        }
    }

    private void processCalls(WebhookPayload.CallsValue value) {
        for (WebhookPayload.CallEvent call : value.callList()) {
            if (call.id() == null || call.event() == null) {
                log.warn("webhook.call_event_incomplete id={} event={}", call.id(), call.event());
                continue;
            }
            String event = call.event().toLowerCase(Locale.ROOT);
            if (!dedup.firstTime(EventDeduplicator.key(call.id(), event, call.timestamp()))) {
                metrics.counter("wavoice.webhook.duplicates").increment();
                log.info("webhook.duplicate callId={} event={} timestamp={}", call.id(), event, call.timestamp());
                continue;
            }
            switch (event) {
                case "connect" -> listener.onConnect(call, value);
                case "terminate" -> {
                    if (!value.errorList().isEmpty()) {
                        log.info("webhook.call_errors callId={} errors=\"{}\"", call.id(),
                                value.errorList().stream().map(WebhookPayload.GraphError::describe).toList());
                    }
                    listener.onTerminate(call);
                }
                default -> logOnce("event:" + event, "webhook.call_event_ignored event={}", event);
            }
        }
        for (WebhookPayload.CallStatus status : value.statusList()) {
            if (status.id() == null) {
                continue;
            }
            if (dedup.firstTime(EventDeduplicator.key(status.id(), "status:" + status.status(), status.timestamp()))) {
                listener.onStatus(status);
            } else {
                metrics.counter("wavoice.webhook.duplicates").increment();
            }
        }
    }

    private void logOnce(String key, String format, Object arg) {
        if (reportedUnknown.add(key)) {
            log.info(format, arg);
        }
    }
}
