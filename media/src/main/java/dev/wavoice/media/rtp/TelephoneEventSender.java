package dev.wavoice.media.rtp;

import java.time.Duration;

/**
 * Sends DTMF digits as RFC 4733 telephone-events on the pacer's clock, in the call's one RTP stream.
 *
 * <p>For each digit, one packet per pacer slot: the first with the marker bit (§2.5.1.3), the duration growing by
 * one packet interval each time (§2.5.1.2: it counts from the event's start, never resets), every packet carrying
 * the timestamp of the event's start; the last has the E bit and goes out three times in all, unchanged
 * (§2.5.1.4), then a pause before the next digit. The timestamp is the audio timestamp of the slot the event
 * starts in (the 48 kHz Opus timeline, as libwebrtc, WhatsApp and our Pion peer do it) while durations count the
 * telephone-event clock (8000 for {@code telephone-event/8000}). While this is active the pacer sends these
 * packets instead of audio (§2.5.1.1 allows suppressing audio during an event; browsers do).
 *
 * <p>Digits queue in a small ring; nothing is allocated per packet. One thread (the pacer's).
 */
public final class TelephoneEventSender {
    static final int END_COPIES = 3;
    private static final int QUEUE = 64;

    private final int payloadType;
    private final int ticksPerPacket;
    private final int toneSlots;
    private final int gapSlots;
    private final int volume;
    private final char[] queue = new char[QUEUE];
    private int head, size;

    private boolean active;
    private char digit;
    private int slot;        // tone packets sent for the current digit
    private int endCopiesLeft;
    private int gapLeft;
    private long eventTimestamp;
    private long sentPackets, sentDigits;

    /**
     * @param eventClockRate the telephone-event payload type's clock rate, for the duration field
     * @param packetInterval the pacer's slot (20 ms)
     * @param tone           how long each digit sounds; rounded up to whole slots
     * @param gap            silence between digits
     * @param volume         0..63, in -dBm0 (§2.3.4); 10 is typical
     */
    public TelephoneEventSender(int payloadType, int eventClockRate, Duration packetInterval, Duration tone,
            Duration gap, int volume) {
        if ((payloadType & ~0x7F) != 0 || volume < 0 || volume > 63) {
            throw new IllegalArgumentException("payload type 0..127 and volume 0..63: " + payloadType + ", " + volume);
        }
        long intervalNanos = packetInterval.toNanos();
        this.payloadType = payloadType;
        this.ticksPerPacket = (int) (eventClockRate * intervalNanos / 1_000_000_000L);
        this.toneSlots = (int) Math.max(1, (tone.toNanos() + intervalNanos - 1) / intervalNanos);
        this.gapSlots = (int) Math.max(1, gap.toNanos() / intervalNanos);
        this.volume = volume;
        if (toneSlots * ticksPerPacket > 0xFFFF) {
            throw new IllegalArgumentException("a digit longer than the 16-bit duration field: " + tone);
        }
    }

    /** 100 ms tones with 100 ms gaps at 8 kHz on a 20 ms pacer: what libwebrtc sends by default. */
    public static TelephoneEventSender defaults(int payloadType) {
        return new TelephoneEventSender(payloadType, 8000, Duration.ofMillis(20), Duration.ofMillis(100),
                Duration.ofMillis(100), 10);
    }

    /** Queues digits (0-9 * # A-D); false, queueing none of them, if one is not a digit or the queue is full. */
    public boolean send(CharSequence digits) {
        if (size + digits.length() > QUEUE) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (DtmfEvent.eventOf(digits.charAt(i)) < 0) {
                return false;
            }
        }
        for (int i = 0; i < digits.length(); i++) {
            queue[(head + size++) % QUEUE] = Character.toUpperCase(digits.charAt(i));
        }
        return true;
    }

    /** Nothing queued, sounding or pausing. */
    public boolean idle() {
        return !active && size == 0 && gapLeft == 0;
    }

    /**
     * Produces this slot's packet, if any, into {@code buf[off]} through {@code out} (which assigns the shared
     * sequence number).
     *
     * @param audioTimestamp the audio timestamp of this slot; the first slot of an event freezes it
     * @return the packet length; 0 when this slot is free for audio (idle, or the pause between digits); -1 when
     *         the buffer is too small
     */
    public int poll(OutboundRtp out, long audioTimestamp, byte[] buf, int off, long nowNanos) {
        if (buf == null || off < 0 || buf.length - off < out.headerLength() + 4) {
            return -1;
        }
        if (!active) {
            if (gapLeft > 0) {
                gapLeft--;
                return 0;
            }
            if (size == 0) {
                return 0;
            }
            digit = queue[head];
            head = (head + 1) % QUEUE;
            size--;
            active = true;
            slot = 0;
            endCopiesLeft = END_COPIES;
            eventTimestamp = audioTimestamp & 0xFFFF_FFFFL;
        }
        boolean first = slot == 0;
        if (slot < toneSlots) {
            slot++;
        }
        boolean end = slot == toneSlots;
        int h = out.writeHeader(buf, off, payloadType, first, eventTimestamp, AudioLevel.SILENCE, 4, nowNanos);
        if (h < 0) {
            return -1;
        }
        int p = off + h;
        buf[p] = (byte) DtmfEvent.eventOf(digit);
        buf[p + 1] = (byte) ((end ? 0x80 : 0) | volume);
        RtpPacket.put16(buf, p + 2, slot * ticksPerPacket);
        sentPackets++;
        if (end && --endCopiesLeft == 0) {
            active = false;
            gapLeft = gapSlots;
            sentDigits++;
        }
        return h + 4;
    }

    public long sentPackets() {
        return sentPackets;
    }

    public long sentDigits() {
        return sentDigits;
    }
}
