package dev.wavoice.media.playout;

/** Where a paced {@link OutboundQueue} delivers, on the pacer thread: encode, packetize, protect, send. */
public interface OutboundSink {
    /** This tick's frame; {@code frame} is borrowed until the next tick. */
    void send(OutboundFrame frame, long tickIndex, long nowNanos);

    /** Nothing queued this tick: send Opus DTX / comfort silence so NAT bindings and the peer stay warm. */
    void idle(long tickIndex, long nowNanos);
}
