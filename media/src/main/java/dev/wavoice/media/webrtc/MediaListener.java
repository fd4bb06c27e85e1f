package dev.wavoice.media.webrtc;

/**
 * Receives one endpoint's events and decrypted media. Media callbacks run on the shared port's receive thread
 * with a buffer that is reused as soon as they return: copy what must outlive the call, and never block.
 */
public interface MediaListener {

    void onEvent(EndpointEvent event);

    /** A decrypted RTP packet (header included). */
    default void onRtp(byte[] buf, int off, int len) {
    }

    /** A decrypted compound RTCP packet. */
    default void onRtcp(byte[] buf, int off, int len) {
    }
}
