package dev.wavoice.server.agent;

/**
 * What an agent session reports to the call bridge. One family, so a bridge's {@code switch} over it is
 * checked for completeness by the compiler when a new kind is added.
 */
public sealed interface AgentEvent {

    /** Who spoke a transcript line. */
    enum Speaker { CALLER, ASSISTANT }

    /**
     * Assistant audio to play: PCM16 mono at the session's rate (24 kHz for Realtime agents, the stream's rate for a
     * Media Streams bot), for the assistant item {@code itemId}.
     */
    record AudioDelta(String itemId, short[] pcm) implements AgentEvent {
        @Override
        public String toString() {
            return "AudioDelta[itemId=" + itemId + ", samples=" + pcm.length + "]";
        }
    }

    /** The caller started talking: barge-in, so queued assistant audio must be dropped at once. */
    record SpeechStarted(String itemId) implements AgentEvent {
    }

    /** The caller stopped talking (the agent will now answer). */
    record SpeechStopped(String itemId) implements AgentEvent {
    }

    /** A transcript line; partial lines ({@code isFinal} false) are deltas to append. */
    record Transcript(Speaker speaker, String text, boolean isFinal, String itemId) implements AgentEvent {
    }

    /** The agent asks for a function call; answer with {@link AgentSession#sendToolOutput}. */
    record ToolCall(String callId, String name, String argumentsJson) implements AgentEvent {
    }

    /**
     * Over WebRTC the agent plays its audio itself and says when ({@code output_audio_buffer.*}): the caller starts
     * hearing a response, has heard all of it, or had the rest dropped because they spoke over it.
     */
    record Playout(PlayoutState state) implements AgentEvent {
    }

    enum PlayoutState { STARTED, STOPPED, CLEARED }

    /**
     * A Media Streams bot's {@code mark}: answer with {@link AgentSession#markPlayed} once the audio the bot sent
     * before it has been played to the caller (at once if nothing is queued, or when it is cleared).
     */
    record Mark(String name) implements AgentEvent {
    }

    /** A Media Streams bot's {@code clear}: drop its queued audio at once (the bot's own barge-in). */
    record ClearAudio() implements AgentEvent {
    }

    /**
     * The agent ends the call itself with {@code reason} (a bot's hang-up message, or its closing the stream): the
     * call ends once what it said has been heard. A {@link Closed} follows when the session closes.
     */
    record HungUp(String reason) implements AgentEvent {
    }

    /** Token usage of one finished response, for cost accounting. */
    record Usage(long inputTokens, long outputTokens, long inputAudioTokens, long outputAudioTokens)
            implements AgentEvent {
    }

    /** An {@code error} event from the agent; the session stays open. */
    record Error(String type, String code, String message) implements AgentEvent {
    }

    /**
     * The session continues on a new socket with the instructions and a summary of the conversation restored.
     * {@code reason} is {@code "rollover"} (planned, before the service's session limit: the new socket was
     * configured before the old one closed, so {@code silentMs} is 0) or starts with {@code "dropped: "} (the socket
     * was lost; {@code silentMs} is how long the agent was unreachable, caller audio of that time was dropped).
     * Assistant audio already delivered is whole and may finish playing: a rollover waits for {@code response.done}
     * when it can, so clearing the queue here would cut the assistant's last words. A response cut short (drop,
     * forced rollover) is asked for again on the new socket. Items of the old socket can no longer be truncated;
     * the session skips such {@link AgentSession#truncate} calls.
     */
    record Reconnected(String reason, long silentMs) implements AgentEvent {
    }

    /**
     * The session ended; no event follows. {@code failure} says why when the agent side ended it (a permanent
     * failure, or a transient one that did not heal within the session's bound); null when wavoice closed it.
     */
    record Closed(String reason, AgentFailure failure) implements AgentEvent {
    }
}
