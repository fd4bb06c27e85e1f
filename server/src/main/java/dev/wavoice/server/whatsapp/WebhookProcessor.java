package dev.wavoice.server.whatsapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a verified webhook and hands its call events to the listener, once each, on the instance that must handle
 * them ({@link WebhookRouting}: a call's events go where its media is; a peer's events arrive here as a forwarded
 * webhook of that one call). User messages ({@code field: messages}) go to the messages listener (the customer-service
 * window, call permission replies). Other {@code field} values and unknown call events are tolerated and logged
 * once each (Meta sends more to the same URL).
 */
public final class WebhookProcessor {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);

    private final ObjectMapper json;
    private final CallWebhookListener listener;
    private final MessagesWebhookListener messages;
    private final Deliveries dedup;
    private final WebhookRouting routing;
    private final Executor work;
    private final MeterRegistry metrics;
    private final Set<String> reportedUnknown = ConcurrentHashMap.newKeySet();

    public WebhookProcessor(ObjectMapper json, CallWebhookListener listener, Deliveries dedup,
            WebhookRouting routing, Executor work, MeterRegistry metrics) {
        this(json, listener, MessagesWebhookListener.NONE, dedup, routing, work, metrics);
    }

    public WebhookProcessor(ObjectMapper json, CallWebhookListener listener, MessagesWebhookListener messages,
            Deliveries dedup, WebhookRouting routing, Executor work, MeterRegistry metrics) {
        this.json = json;
        this.listener = listener;
        this.messages = messages;
        this.dedup = dedup;
        this.routing = routing;
        this.work = work;
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

    /**
     * Processes every change of a webhook as Meta delivered it, in order: repeats are dropped, and a call handled
     * by a peer is handed to it before this returns.
     *
     * @return false when an event could not be handed to the instance that must handle it; the web layer then
     *     answers 503 so that Meta delivers it again
     */
    public boolean process(WebhookPayload payload) {
        return accept(payload).taken();
    }

    /**
     * What became of one webhook: whether every event was taken, and when the work done here for it has run (the
     * listener's quick part: a new call's answering goes on after it, on its own).
     */
    public record Accepted(boolean taken, CompletableFuture<Void> handled) {}

    /** As {@link #process}, and says when the events handled here have been handed to the listener. */
    public Accepted accept(WebhookPayload payload) {
        return walk(payload, false);
    }

    /**
     * Processes a webhook a peer handed over: de-duplicated and routed there already, so handled here; but a new
     * call is refused (false, nothing done) when this instance has no room either, so the peer tries the next one.
     */
    public boolean processForwarded(WebhookPayload payload) {
        return acceptForwarded(payload).taken();
    }

    /** As {@link #processForwarded}, and says when the events handled here have been handed to the listener. */
    public Accepted acceptForwarded(WebhookPayload payload) {
        return walk(payload, true);
    }

    /**
     * Routing (and any hand-over) happens before this returns; what is handled here runs afterwards on
     * {@code work}, in delivery order, since answering a call takes seconds and Meta wants its 200 at once.
     */
    private Accepted walk(WebhookPayload payload, boolean forwarded) {
        List<Runnable> here = new ArrayList<>();
        boolean taken = true;
        for (WebhookPayload.Entry entry : payload.entries()) {
            for (WebhookPayload.Change change : entry.changeList()) {
                String field = change.field() == null ? "" : change.field();
                if (field.equals("messages") && !forwarded) {
                    metrics.counter("wavoice.webhook.changes", "field", "messages").increment();
                    processMessages(change.value(), here);
                    continue;
                }
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
                taken &= processCalls(entry.id(), value, change.value(), forwarded, here);
            }
        }
        if (here.isEmpty()) {
            return new Accepted(taken, CompletableFuture.completedFuture(null));
        }
        return new Accepted(taken, CompletableFuture.runAsync(() -> here.forEach(task -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("webhook.processing_failed error=\"{}\"", e.toString(), e);
            }
        }), work));
    }

    /** @return false when an event was not taken (not handed over, or no room here for a forwarded new call) */
    private boolean processCalls(String entryId, WebhookPayload.CallsValue value, JsonNode raw, boolean forwarded,
            List<Runnable> here) {
        boolean taken = true;
        List<WebhookPayload.CallEvent> calls = value.callList();
        for (int i = 0; i < calls.size(); i++) {
            WebhookPayload.CallEvent call = calls.get(i);
            if (call == null || call.id() == null || call.event() == null) {
                log.warn("webhook.call_event_incomplete id={} event={}", call == null ? null : call.id(),
                        call == null ? null : call.event());
                continue;
            }
            String event = call.event().toLowerCase(Locale.ROOT);
            // Only a user's call is new here: the connect of a call the business placed answers a call we own.
            boolean newCall = event.equals("connect") && !"BUSINESS_INITIATED".equalsIgnoreCase(call.direction());
            Fate fate = fate(EventDeduplicator.key(call.id(), event, call.timestamp()), forwarded, entryId, raw,
                    "calls", i, call.id(), newCall);
            if (fate == Fate.REPEAT) {
                log.info("webhook.duplicate callId={} event={} timestamp={}", call.id(), event, call.timestamp());
            }
            taken &= fate != Fate.NOT_TAKEN;
            if (fate != Fate.HERE) {
                continue;
            }
            switch (event) {
                case "connect" -> here.add(() -> listener.onConnect(call, value));
                case "terminate" -> {
                    if (!value.errorList().isEmpty()) {
                        log.info("webhook.call_errors callId={} errors=\"{}\"", call.id(),
                                value.errorList().stream().map(WebhookPayload.GraphError::describe).toList());
                    }
                    here.add(() -> listener.onTerminate(call));
                }
                default -> logOnce("event:" + event, "webhook.call_event_ignored event={}", event);
            }
        }
        List<WebhookPayload.CallStatus> statuses = value.statusList();
        for (int i = 0; i < statuses.size(); i++) {
            WebhookPayload.CallStatus status = statuses.get(i);
            if (status == null || status.id() == null) {
                continue;
            }
            Fate fate = fate(EventDeduplicator.key(status.id(), "status:" + status.status(), status.timestamp()),
                    forwarded, entryId, raw, "statuses", i, status.id(), false);
            taken &= fate != Fate.NOT_TAKEN;
            if (fate == Fate.HERE) {
                here.add(() -> listener.onStatus(status));
            }
        }
        return taken;
    }

    /**
     * A {@code messages} change: each user message goes to the messages listener once. Nothing here is routed, since
     * any instance can record it in the shared database; nothing odd in it is ever answered to Meta with an error
     * (it would only redeliver the same body): it is counted and logged instead.
     */
    private void processMessages(JsonNode raw, List<Runnable> here) {
        WebhookPayload.MessagesValue value;
        try {
            value = raw == null || raw.isNull() ? null : json.treeToValue(raw, WebhookPayload.MessagesValue.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            malformedMessage("value", e.getMessage());
            return;
        }
        if (value == null) {
            malformedMessage("value", "no value");
            return;
        }
        String phoneNumberId = value.metadata() == null ? null : value.metadata().phoneNumberId();
        for (WebhookPayload.InboundMessage message : value.messageList()) {
            if (message == null || message.id() == null || (message.from() == null && message.fromUserId() == null)) {
                malformedMessage("message", "message without id or sender");
                continue;
            }
            if (!dedup.firstTime(EventDeduplicator.key(message.id(), "message", message.timestamp()))) {
                metrics.counter("wavoice.webhook.duplicates").increment();
                log.info("webhook.duplicate messageId={} type={}", message.id(), message.type());
                continue;
            }
            here.add(() -> messages.onMessage(phoneNumberId, value, message));
        }
    }

    private void malformedMessage(String part, String why) {
        metrics.counter("wavoice.webhook.messages_malformed", "part", part).increment();
        log.warn("webhook.messages_malformed part={} error=\"{}\"", part, why);
    }

    /** What becomes of one event. */
    private enum Fate {
        /** Handled by this instance. */
        HERE,
        /** A peer has it. */
        HANDED_OVER,
        /** Seen before: dropped. */
        REPEAT,
        /** Nobody took it: Meta must deliver it again (or, for a peer's new call, the peer asks the next one). */
        NOT_TAKEN
    }

    /**
     * Decides one event: a repeat is dropped; a peer's event is handed to it as a webhook of its own (the same entry
     * and change, with only this event). A new call no peer took, or a call whose owner nobody knows, is handled
     * here. An event a peer handed over was de-duplicated and routed there; only a new call needs room here.
     */
    private Fate fate(String key, boolean forwarded, String entryId, JsonNode raw, String array, int index,
            String callId, boolean connect) {
        if (forwarded) {
            return connect && !(routing.route(callId, true) instanceof WebhookRouting.Here) ? Fate.NOT_TAKEN : Fate.HERE;
        }
        if (!dedup.firstTime(key)) {
            metrics.counter("wavoice.webhook.duplicates").increment();
            return Fate.REPEAT;
        }
        if (!(routing.route(callId, connect) instanceof WebhookRouting.ToPeers peers)) {
            return Fate.HERE;
        }
        if (routing.forward(peers, callId, singleEvent(entryId, raw, array, index))) {
            metrics.counter("wavoice.webhook.forwarded").increment();
            return Fate.HANDED_OVER;
        }
        if (connect || peers.all()) {
            return Fate.HERE; // admission falls back to this instance; an unknown call is ignored here
        }
        metrics.counter("wavoice.webhook.forward_failed").increment();
        log.warn("webhook.forward_failed callId={} peers={} (answered 503 so Meta delivers it again)", callId,
                peers.peers());
        dedup.forget(key);
        return Fate.NOT_TAKEN;
    }

    private byte[] singleEvent(String entryId, JsonNode raw, String array, int index) {
        ObjectNode value = raw.deepCopy();
        ArrayNode only = json.createArrayNode().add(raw.path(array).get(index));
        value.remove(List.of("calls", "statuses"));
        value.set(array, only);
        ObjectNode root = json.createObjectNode().put("object", "whatsapp_business_account");
        ObjectNode entry = root.putArray("entry").addObject();
        if (entryId != null) {
            entry.put("id", entryId);
        }
        entry.putArray("changes").addObject().put("field", "calls").set("value", value);
        try {
            return json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a parsed webhook back", e);
        }
    }

    private void logOnce(String key, String format, Object arg) {
        if (reportedUnknown.add(key)) {
            log.info(format, arg);
        }
    }
}
