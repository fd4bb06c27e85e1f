package dev.wavoice.server.media;

import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.TranscriptRecord;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an agent's transcript events into call-log rows. Caller lines are written when final. An assistant line
 * is written once its item has finished playing or was talked over, because only then is it known whether the
 * caller heard all of it ({@code interrupted}); the text usually arrives well before the audio has played.
 * Partial deltas are kept only to stand in for a final line that never comes (a cancelled response).
 * Used on the agent socket's thread only.
 */
final class TranscriptBook {
    /** Items tracked at once; a response has a handful, so more means lines that never finished. */
    private static final int MAX_ITEMS = 64;
    private static final int MAX_CHARS = 10_000;

    private final String callId;
    private final CallLog log;
    private final Map<String, Line> assistant = new LinkedHashMap<>();
    private final Map<String, StringBuilder> callerPartials = new LinkedHashMap<>();

    private static final class Line {
        final StringBuilder partial = new StringBuilder();
        String finalText;
        Boolean interrupted; // known once the item's playout ended
    }

    TranscriptBook(String callId, CallLog log) {
        this.callId = callId;
        this.log = log;
    }

    void add(AgentEvent.Transcript t) {
        String key = t.itemId() == null ? "" : t.itemId();
        String text = t.text() == null ? "" : t.text();
        if (t.speaker() == AgentEvent.Speaker.CALLER) {
            if (t.isFinal()) {
                callerPartials.remove(key);
                write("caller", text, true, false);
            } else {
                append(bounded(callerPartials).computeIfAbsent(key, k -> new StringBuilder()), text);
            }
            return;
        }
        Line line = bounded(assistant).computeIfAbsent(key, k -> new Line());
        if (t.isFinal()) {
            line.finalText = text;
        } else {
            append(line.partial, text);
        }
        if (line.interrupted != null && line.finalText != null) {
            assistant.remove(key);
            write("assistant", line.finalText, true, line.interrupted);
        }
    }

    /** The item's audio ended: played out, or cut by the caller (barge-in). */
    void itemFinished(String itemId, boolean interrupted) {
        String key = itemId == null ? "" : itemId;
        Line line = bounded(assistant).computeIfAbsent(key, k -> new Line());
        line.interrupted = interrupted;
        if (line.finalText != null) {
            assistant.remove(key);
            write("assistant", line.finalText, true, interrupted);
        }
    }

    /** The call is over: whatever is known is written, final or not. */
    void flush() {
        for (Line line : assistant.values()) {
            String text = line.finalText != null ? line.finalText : line.partial.toString();
            if (!text.isBlank()) {
                write("assistant", text, line.finalText != null, Boolean.TRUE.equals(line.interrupted));
            }
        }
        assistant.clear();
        for (StringBuilder partial : callerPartials.values()) {
            if (!partial.isEmpty()) {
                write("caller", partial.toString(), false, false);
            }
        }
        callerPartials.clear();
    }

    private void write(String speaker, String text, boolean isFinal, boolean interrupted) {
        if (text.isBlank()) {
            return;
        }
        String bounded = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
        log.transcript(new TranscriptRecord(UUID.randomUUID(), callId, Instant.now(), speaker, bounded, isFinal,
                interrupted));
    }

    private static void append(StringBuilder b, String text) {
        if (b.length() + text.length() <= MAX_CHARS) {
            b.append(text);
        }
    }

    /** Drops the oldest entry when a map is full, so a session that never finishes its items cannot grow it. */
    private static <V> Map<String, V> bounded(Map<String, V> map) {
        if (map.size() >= MAX_ITEMS) {
            Iterator<String> oldest = map.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return map;
    }
}
