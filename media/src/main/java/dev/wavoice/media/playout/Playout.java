package dev.wavoice.media.playout;

/**
 * What the decoder should do for the next frame, as decided by {@link JitterBuffer#poll(long)}. The buffer
 * hands out preallocated instances, so matching on the result allocates nothing.
 */
public sealed interface Playout {

    /** Samples (at the RTP clock) of audio this result stands for. */
    int samples();

    /** Decode this payload normally. */
    record Packet(PayloadView payload) implements Playout {
        @Override
        public int samples() {
            return payload.samples();
        }
    }

    /**
     * The frame is missing but the following packet has arrived: decode the in-band FEC (Opus LBRR) that
     * {@code nextPayload} carries for its predecessor. The payload stays buffered and is decoded normally
     * on the next poll.
     */
    record Fec(PayloadView nextPayload) implements Playout {
        @Override
        public int samples() {
            return nextPayload.samples();
        }
    }

    /** Missing and nothing to recover it from: run the decoder's packet-loss concealment. */
    record Conceal(int samples) implements Playout {}

    /** Playing, but the sender is silent (DTX gap or a dead path): play comfort noise or silence. */
    record Silence(int samples) implements Playout {}

    /** Not playing: nothing received yet, or buffering up to the target after a resync. */
    record Empty(int samples) implements Playout {}
}
