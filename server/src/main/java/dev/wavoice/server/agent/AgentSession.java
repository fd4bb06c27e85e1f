package dev.wavoice.server.agent;

/**
 * One conversation with a voice agent, as the call bridge sees it: caller PCM in, {@link AgentEvent}s out.
 * Audio is PCM16 mono at the session's rate both ways (24 kHz for Realtime agents; a Media Streams bot's stream
 * format says its rate). Methods do not block on the network; sends are queued in order.
 */
public interface AgentSession extends AutoCloseable {

    /** Caller audio; the session batches it into 20–40 ms appends, so any frame size may be passed. */
    void appendAudio(short[] pcm24k, int off, int len);

    /**
     * Caller audio the pacer delivered at {@code deliveredNanos} ({@link System#nanoTime()}): a session that forwards
     * each frame as it comes may measure how long the frame took to reach the agent.
     */
    default void appendAudio(short[] pcm, int off, int len, long deliveredNanos) {
        appendAudio(pcm, off, len);
    }

    /** Asks the agent to speak first, with the configured greeting instructions (once the call connects). */
    void greet();

    /**
     * Asks the agent for one response following {@code instructions} (e.g. a goodbye before the service stops).
     * Dropped when no socket is in service: such a call is about to be ended anyway.
     */
    void say(String instructions);

    /**
     * After a barge-in: the caller heard only {@code audioEndMs} of the assistant item {@code itemId}, so the
     * agent's transcript is cut to match.
     */
    void truncate(String itemId, long audioEndMs);

    /**
     * The caller pressed keys on the phone's keypad (RFC 4733 events, never forwarded as audio): the agent gets them
     * as a text turn of the caller's and answers.
     */
    default void callerKeys(String digits) {
    }

    /**
     * Whether {@link #appendAudio} is cheap enough to run on the shared pacer thread (a few microseconds, never
     * blocking): the frame then goes out in the tick that delivered it, with no hand-off to another thread.
     */
    default boolean appendsOnPacer() {
        return false;
    }

    /**
     * Whether {@link #callerKeys} wants each key as it is pressed (a Media Streams bot's {@code dtmf} events) rather
     * than the keys typed before a pause, as one turn.
     */
    default boolean keysOneByOne() {
        return false;
    }

    /** The audio the agent sent before its {@link AgentEvent.Mark} {@code name} has been played (or cleared). */
    default void markPlayed(String name) {
    }

    /** Answers a {@link AgentEvent.ToolCall} and lets the agent continue. */
    void sendToolOutput(String callId, String outputJson);

    /** Ends the session; a {@link AgentEvent.Closed} follows if it had not closed already. */
    @Override
    void close();
}
