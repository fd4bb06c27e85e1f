package dev.wavoice.media.playout;

/** One pooled ring slot of the {@link JitterBuffer}: payload bytes and the results that point at them. */
final class BufferSlot {
    final PayloadView view;
    final Playout.Packet packet;
    final Playout.Fec fec;
    long seq;     // unwrapped sequence number last stored here, kept after playout to spot duplicates
    boolean held; // buffered and not yet played

    BufferSlot(int capacity, long noSequence) {
        view = new PayloadView(capacity);
        packet = new Playout.Packet(view);
        fec = new Playout.Fec(view);
        seq = noSequence;
    }
}
