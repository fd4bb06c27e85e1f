package dev.wavoice.server.media;

import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.server.call.CallMedia;
import java.util.concurrent.CompletableFuture;

/**
 * What a call's audio is connected to (the echo line test, or an agent bridge), as the media session drives it:
 * packets and transport events in, then the call's life cycle.
 */
public interface CallAudio extends MediaListener, AutoCloseable {

    /**
     * Completes when what answers the call is ready to talk (an agent session configured), or has failed in a way
     * the caller is to hear (the apology tone); fails when the call is to be rejected instead. Call control accepts
     * the call only after this, so a refused agent is known while the call still rings.
     */
    default CompletableFuture<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /** The call was accepted through Graph: the caller is listening now (an agent greets here). */
    default void callConnected() {
    }

    /** The service is stopping: end the call politely (see {@link CallMedia.MediaSession#wrapUp()}). */
    default boolean wrapUp() {
        return false;
    }

    /** Live figures for the dashboard. */
    CallMedia.MediaStats stats();

    /** The call is over: stop sending, free codecs, close the agent session. Idempotent. */
    @Override
    void close();
}
