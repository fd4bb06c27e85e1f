package dev.wavoice.server.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the server's text frames for one session (across its sockets): JSON, type, {@link RealtimeServerEvents}
 * mapping. Junk is counted, and logged once per kind, never per event: a misbehaving server cannot flood the log.
 */
final class RealtimeInbound {
    private static final Logger log = LoggerFactory.getLogger(RealtimeSession.class);
    /** Bounds the unknown-type set a misbehaving server could otherwise grow. */
    private static final int MAX_UNKNOWN_TYPES_LOGGED = 64;

    /** A known event: its type, its JSON, and what it means for the bridge (possibly nothing). */
    record Decoded(String type, JsonNode json, RealtimeServerEvents.Parsed parsed) {
    }

    private final String callId;
    private final ObjectMapper json;
    private final Set<String> unknownTypesLogged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean malformedLogged = new AtomicBoolean();
    final LongAdder received = new LongAdder(), unknown = new LongAdder(), malformed = new LongAdder();

    RealtimeInbound(String callId, ObjectMapper json) {
        this.callId = callId;
        this.json = json;
    }

    /** The event, or null when it is malformed or of an unknown type (counted). */
    Decoded decode(String text) {
        received.increment();
        JsonNode event;
        try {
            event = json.readTree(text);
        } catch (JsonProcessingException e) {
            return malformed("not JSON");
        }
        String type = event == null ? null : event.path("type").asText(null);
        if (type == null) {
            return malformed("no type");
        }
        RealtimeServerEvents.Parsed parsed;
        try {
            parsed = RealtimeServerEvents.parse(type, event);
        } catch (IllegalArgumentException e) {
            return malformed("bad audio in " + type);
        }
        if (!parsed.known()) {
            unknown.increment();
            if (unknownTypesLogged.size() < MAX_UNKNOWN_TYPES_LOGGED && unknownTypesLogged.add(type)) {
                log.info("agent event type ignored callId={} type={}", callId, type);
            }
            return null;
        }
        return new Decoded(type, event, parsed);
    }

    private Decoded malformed(String why) {
        malformed.increment();
        if (malformedLogged.compareAndSet(false, true)) {
            log.warn("agent sent a malformed event ({}), ignored; further ones are only counted callId={}", why, callId);
        }
        return null;
    }
}
