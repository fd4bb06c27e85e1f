package dev.wavoice.server.agent;

import dev.wavoice.server.agent.AgentEvent.Speaker;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The conversation so far as plain text, from the session's transcript events, to restore context when the
 * session continues on a new socket (no model call: the new session reads it in its instructions). Bounded: the
 * oldest lines go first once the text exceeds {@code maxChars}. Thread-safe.
 */
final class TranscriptHistory {
    /** How far back a delta or final transcript looks for the line of its item. */
    private static final int MATCH_DEPTH = 8;

    private static final class Line {
        final Speaker speaker;
        final String itemId;
        String text;
        boolean partial;
        boolean interrupted;

        Line(Speaker speaker, String itemId, String text, boolean partial) {
            this.speaker = speaker;
            this.itemId = itemId;
            this.text = text;
            this.partial = partial;
        }

        /** "Assistant: " + " [cut off]" + newline: the most a line adds to its text in {@link #text()}. */
        static final int OVERHEAD = 22;

        int chars() {
            return text.length() + OVERHEAD;
        }
    }

    private final int maxChars;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    private int chars;

    TranscriptHistory(int maxChars) {
        this.maxChars = maxChars;
    }

    synchronized void add(AgentEvent.Transcript t) {
        if (maxChars == 0 || t.text() == null) {
            return;
        }
        Line line = find(t.speaker(), t.itemId());
        if (line == null || (!line.partial && !t.isFinal())) {
            line = new Line(t.speaker(), t.itemId(), "", true);
            lines.addLast(line);
        } else {
            chars -= line.chars();
        }
        line.text = t.isFinal() ? t.text() : line.text + t.text();
        line.partial = !t.isFinal();
        int room = Math.max(0, maxChars - Line.OVERHEAD);
        if (line.text.length() > room) {
            line.text = line.text.substring(line.text.length() - room);
        }
        chars += line.chars();
        while (chars > maxChars && lines.size() > 1) {
            chars -= lines.removeFirst().chars();
        }
    }

    /** The caller cut the assistant off (barge-in): the line says so, as the new session should know. */
    synchronized void markInterrupted(String itemId) {
        Line line = find(Speaker.ASSISTANT, itemId);
        if (line != null) {
            line.interrupted = true;
        }
    }

    /** One line per turn, oldest first, e.g. {@code Caller: ...}; empty when nothing was said yet. */
    synchronized String text() {
        StringBuilder out = new StringBuilder();
        for (Line line : lines) {
            if (line.text.isBlank()) {
                continue;
            }
            out.append(line.speaker == Speaker.CALLER ? "Caller: " : "Assistant: ").append(line.text.strip());
            if (line.speaker == Speaker.ASSISTANT && (line.partial || line.interrupted)) {
                out.append(" [cut off]");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private Line find(Speaker speaker, String itemId) {
        if (itemId == null) {
            return null;
        }
        Iterator<Line> it = lines.descendingIterator();
        for (int i = 0; i < MATCH_DEPTH && it.hasNext(); i++) {
            Line line = it.next();
            if (line.speaker == speaker && itemId.equals(line.itemId)) {
                return line;
            }
        }
        return null;
    }
}
