package dev.wavoice.server.media;

import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * {@code WAVOICE_AGENT=pcm-echo}: an in-process "agent" that says back each chunk of caller audio the moment it
 * arrives. The call runs the whole agent audio path (decode, resample to 24 kHz, hand-off, resample, encode,
 * pacing) with nothing else, which is what a transcoding bridge costs per call.
 */
final class PcmEchoSession implements AgentSession {
    private final AgentListener listener;
    private volatile boolean closed;

    private PcmEchoSession(AgentListener listener) {
        this.listener = listener;
    }

    static CompletableFuture<AgentSession> open(String callId, AgentListener listener) {
        return CompletableFuture.completedFuture(new PcmEchoSession(listener));
    }

    @Override
    public void appendAudio(short[] pcm24k, int off, int len) {
        if (!closed) {
            listener.onEvent(new AgentEvent.AudioDelta("pcm-echo", Arrays.copyOfRange(pcm24k, off, off + len)));
        }
    }

    @Override
    public void greet() {
    }

    /** The echo has no voice of its own: nothing to say. */
    @Override
    public void say(String instructions) {
    }

    @Override
    public void truncate(String itemId, long audioEndMs) {
    }

    @Override
    public void sendToolOutput(String callId, String outputJson) {
    }

    @Override
    public void close() {
        closed = true;
    }
}
