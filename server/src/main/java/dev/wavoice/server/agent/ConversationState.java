package dev.wavoice.server.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link RealtimeSession} must know about the conversation to replace its socket well: whether a response,
 * a caller turn or a tool call is under way (a rollover waits for a quiet moment), which socket an assistant item
 * or a tool call came from (the new session knows neither), and the transcript so far. Not thread-safe: the
 * session guards it with its lock.
 */
final class ConversationState {
    /** Tool calls and assistant items remembered at most; the oldest are forgotten. */
    private static final int MAX_TRACKED = 32;
    /** A tool call still unanswered after this long no longer holds a rollover back. */
    private static final long TOOL_CALL_HOLD_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** A tool call the bridge has not answered yet. */
    record PendingToolCall(String name, RealtimeSocket socket, long atNanos) {
    }

    private final TranscriptHistory history;
    private boolean responseActive, callerSpeaking;
    private final Map<String, PendingToolCall> toolCalls = new LinkedHashMap<>();
    private final Map<String, RealtimeSocket> assistantItems = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RealtimeSocket> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    ConversationState(int historyChars) {
        this.history = new TranscriptHistory(historyChars);
    }

    /** An event of the socket in service: {@code type} is the wire type, {@code events} what it meant. */
    void observe(RealtimeSocket socket, String type, List<AgentEvent> events) {
        switch (type) {
            case "input_audio_buffer.speech_started" -> callerSpeaking = true;
            case "input_audio_buffer.speech_stopped" -> {
                callerSpeaking = false;
                responseActive = true; // server VAD answers the turn that just ended
            }
            case "response.created" -> responseActive = true;
            case "response.done" -> responseActive = false;
            default -> {
            }
        }
        for (AgentEvent e : events) {
            if (e instanceof AgentEvent.AudioDelta d && d.itemId() != null) {
                responseActive = true;
                assistantItems.put(d.itemId(), socket);
            } else if (e instanceof AgentEvent.ToolCall c && c.callId() != null) {
                if (toolCalls.size() >= MAX_TRACKED) {
                    toolCalls.remove(toolCalls.keySet().iterator().next());
                }
                toolCalls.put(c.callId(), new PendingToolCall(c.name(), socket, System.nanoTime()));
            } else if (e instanceof AgentEvent.Transcript t) {
                history.add(t);
            }
        }
    }

    /** No response under way, caller not talking, no recent tool call unanswered: a good moment to roll over. */
    boolean quiet() {
        return !responseActive && !callerSpeaking && !toolCallPending();
    }

    /**
     * The socket is being replaced: true when an answer was cut short and should be asked for again (not when a
     * tool call is pending: its answer brings the next response). Clears the in-progress state.
     */
    boolean replacingCutAnAnswer() {
        boolean cut = responseActive && !toolCallPending();
        responseActive = false;
        callerSpeaking = false;
        return cut;
    }

    private boolean toolCallPending() {
        long now = System.nanoTime();
        return toolCalls.values().stream().anyMatch(c -> now - c.atNanos() < TOOL_CALL_HOLD_NANOS);
    }

    /** The tool call answered now, or null if unknown (or forgotten). */
    PendingToolCall answered(String toolCallId) {
        return toolCalls.remove(toolCallId);
    }

    /** The socket that delivered assistant item {@code itemId}, or null if unknown. */
    RealtimeSocket socketOf(String itemId) {
        return assistantItems.get(itemId);
    }

    void markInterrupted(String itemId) {
        history.markInterrupted(itemId);
    }

    /** The transcript so far, one line per turn; empty before anyone spoke. */
    String transcript() {
        return history.text();
    }

    void clear() {
        toolCalls.clear();
        assistantItems.clear();
    }
}
