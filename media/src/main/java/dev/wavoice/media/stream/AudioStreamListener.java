package dev.wavoice.media.stream;

import dev.wavoice.media.webrtc.EndpointEvent;

/**
 * What the application receives from an {@link AudioStream}. {@link #onPcm} runs on the shared pacer thread once
 * per 20 ms while the caller's audio is playing: copy or queue, never block.
 */
public interface AudioStreamListener {

    /** One frame of caller audio at the configured PCM rate; the array is reused after the call returns. */
    void onPcm(short[] pcm, int off, int len);

    /**
     * The caller's raw Opus payload as it arrives, before the jitter buffer (for an agent that takes Opus and
     * does its own buffering). Runs on the shared receive thread; the array is reused after the call returns.
     */
    default void onOpus(byte[] payload, int off, int len, int sequence, long timestamp) {
    }

    /**
     * One Opus packet of ours just sent to the caller (for a recording of what the caller heard). Runs on the shared
     * pacer thread; the array is reused after the call returns. DTX frames, which are not sent, do not come here.
     */
    default void onOpusSent(byte[] payload, int off, int len) {
    }

    /** A DTMF key the caller pressed (RFC 4733), once per key, in order. */
    default void onDtmf(char digit) {
    }

    /** Transport events (connected, failed, closed). */
    default void onEvent(EndpointEvent event) {
    }
}
