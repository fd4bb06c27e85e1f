package dev.wavoice.server.media;

import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.server.call.CallMedia;

/**
 * What a call's audio is connected to (the echo line test, or an agent bridge), as the media session drives it:
 * packets and transport events in, then the call's life cycle.
 */
public interface CallAudio extends MediaListener, AutoCloseable {

    /** The call was accepted through Graph: the caller is listening now (an agent greets here). */
    default void callConnected() {
    }

    /** Live figures for the dashboard. */
    CallMedia.MediaStats stats();

    /** The call is over: stop sending, free codecs, close the agent session. Idempotent. */
    @Override
    void close();
}
