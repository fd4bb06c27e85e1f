package dev.wavoice.media.rtp;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Turns RFC 4733 telephone-event packets into {@link DtmfEvent}s, each event reported exactly once, in order.
 *
 * <p>An event is identified by its RTP timestamp, which every packet of it repeats (§2.5.1.2). That makes the
 * receiver robust to what the network does: a lost first packet (any packet with a new timestamp starts the
 * event, marker or not), lost end packets (the E bit is sent three times, §2.5.1.4; if all are lost the event
 * ends when the next one starts or after {@code endTimeout} without packets), duplicates and reordering (late
 * packets of an ended event are recognised by their timestamp and dropped). Events older than the current one
 * that were never seen are dropped rather than reported out of order.
 *
 * <p>Durations are in the telephone-event clock (8000 Hz for WhatsApp's {@code telephone-event/8000}), while
 * libwebrtc, WhatsApp and our Pion peer put the timestamp on the 48 kHz audio timeline; only equality and order
 * of timestamps are used here, so either convention works. Used on the receive thread only.
 */
public final class TelephoneEventReceiver {
    /** Recently ended events, to recognise their late duplicates; a handful covers any reordering depth we see. */
    private static final int REMEMBERED = 8;
    /**
     * An event packet with an older timestamp is a late one only this soon after the last event packet; later, the
     * sender has restarted its timeline (a new SSRC, a re-INVITE) and it is a new event.
     */
    private static final long REORDER_WINDOW_NANOS = 2_000_000_000L;

    private final int eventClockRate;
    private final long endTimeoutNanos;
    private final Consumer<DtmfEvent> listener;
    private final long[] ended = new long[REMEMBERED];
    private int endedNext;

    private boolean open;
    private long currentTs = -1;
    private int currentEvent;
    private int currentDuration;
    private int currentVolume;
    private long lastPacketNanos;

    private long packets, malformed, late, nonDtmf, digits, endsInferred;

    /**
     * @param eventClockRate the telephone-event payload type's clock (from its rtpmap), for durations
     * @param endTimeout     how long without packets before an event whose end packets were all lost is ended
     */
    public TelephoneEventReceiver(int eventClockRate, Duration endTimeout, Consumer<DtmfEvent> listener) {
        this.eventClockRate = eventClockRate;
        this.endTimeoutNanos = endTimeout.toNanos();
        this.listener = listener;
        java.util.Arrays.fill(ended, -1);
    }

    /** 8 kHz events and libwebrtc's 200 ms wait before it ends an event with no E bit. */
    public static TelephoneEventReceiver withDefaults(Consumer<DtmfEvent> listener) {
        return new TelephoneEventReceiver(8000, Duration.ofMillis(200), listener);
    }

    /** One telephone-event packet, already validated by {@link RtpPacket#wrap}; false when it is dropped. */
    public boolean onPacket(RtpPacket p, long nowNanos) {
        return onPacket(p.timestamp(), p.buffer(), p.payloadOffset(), p.payloadLength(), nowNanos);
    }

    /** §2.3: event (8 bits), E (1), R (1), volume (6), duration (16). Extra bytes (§2.5.1.5 redundancy) ignored. */
    public boolean onPacket(long timestamp, byte[] buf, int off, int len, long nowNanos) {
        packets++;
        if (len < 4) {
            malformed++;
            return false;
        }
        int event = buf[off] & 0xFF;
        boolean end = (buf[off + 1] & 0x80) != 0;
        int volume = buf[off + 1] & 0x3F;
        int duration = RtpPacket.u16(buf, off + 2);
        if (DtmfEvent.digitOf(event) == 0) {
            nonDtmf++; // tones and line events (§3 of RFC 4734) are not digits
            return false;
        }
        if (timestamp == currentTs && currentTs >= 0) {
            if (!open) {
                late++; // a redundant end packet or a reordered one: the event was already reported
                return false;
            }
            update(duration, volume, nowNanos);
            if (end) {
                finish(true);
            }
            return true;
        }
        boolean recent = nowNanos - lastPacketNanos < REORDER_WINDOW_NANOS;
        if (recent && (wasEnded(timestamp) || (currentTs >= 0 && (int) (timestamp - currentTs) < 0))) {
            late++;
            return false;
        }
        if (open) {
            endsInferred++;
            finish(false); // a new event began: the previous one's end packets were all lost
        }
        open = true;
        currentTs = timestamp;
        currentEvent = event;
        currentDuration = 0;
        update(duration, volume, nowNanos);
        listener.accept(new DtmfEvent.Started(DtmfEvent.digitOf(event), timestamp));
        if (end) {
            finish(true); // a short event whose other packets were lost
        }
        return true;
    }

    /** Ends an event whose packets stopped without an E bit; call it every tick. */
    public void poll(long nowNanos) {
        if (open && nowNanos - lastPacketNanos > endTimeoutNanos) {
            endsInferred++;
            finish(false);
        }
    }

    /** Every packet that belongs to an event, counted or late, keeps the reorder window open. */
    private void update(int duration, int volume, long nowNanos) {
        currentDuration = Math.max(currentDuration, duration);
        currentVolume = volume;
        lastPacketNanos = nowNanos;
    }

    private void finish(boolean endSeen) {
        open = false;
        ended[endedNext] = currentTs;
        endedNext = (endedNext + 1) % REMEMBERED;
        digits++;
        int millis = (int) (currentDuration * 1000L / eventClockRate);
        listener.accept(new DtmfEvent.Ended(DtmfEvent.digitOf(currentEvent), currentTs, millis, currentVolume,
                endSeen));
    }

    private boolean wasEnded(long timestamp) {
        for (long t : ended) {
            if (t == timestamp) {
                return true;
            }
        }
        return false;
    }

    public boolean inEvent() {
        return open;
    }

    public Stats stats() {
        return new Stats(packets, malformed, late, nonDtmf, digits, endsInferred);
    }

    /**
     * @param late         duplicates and reordered packets of events already reported (normal: 2 per digit
     *                     from the redundant end packets)
     * @param endsInferred events ended without an E-bit packet
     */
    public record Stats(long packets, long malformed, long late, long nonDtmf, long digits, long endsInferred) {}
}
