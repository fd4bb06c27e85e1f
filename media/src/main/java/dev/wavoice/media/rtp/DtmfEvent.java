package dev.wavoice.media.rtp;

/**
 * What {@link TelephoneEventReceiver} reports: for every RFC 4733 DTMF event, one {@link Started} and then one
 * {@link Ended}, in the order the events were sent.
 */
public sealed interface DtmfEvent {

    char digit();

    /** The RTP timestamp shared by all packets of the event (§2.5.1.2): it identifies the event. */
    long timestamp();

    /** The first packet of an event arrived: a key is down (lets the bridge react before the key is released). */
    record Started(char digit, long timestamp) implements DtmfEvent {}

    /**
     * The event is over.
     *
     * @param durationMillis the longest duration the packets reported, converted from the event clock
     * @param volume         power level in -dBm0 (0..63), as the last packet said (§2.3.4)
     * @param endSeen        false when no E-bit packet arrived and the end was inferred (a later event began,
     *                       or the packets stopped for the receiver's timeout, §2.5.2.2)
     */
    record Ended(char digit, long timestamp, int durationMillis, int volume, boolean endSeen) implements DtmfEvent {}

    /** RFC 4733 §3.2: events 0-9, 10 = '*', 11 = '#', 12-15 = 'A'-'D'; 0 for other event codes. */
    static char digitOf(int event) {
        if (event >= 0 && event <= 9) {
            return (char) ('0' + event);
        }
        return switch (event) {
            case 10 -> '*';
            case 11 -> '#';
            case 12, 13, 14, 15 -> (char) ('A' + event - 12);
            default -> 0;
        };
    }

    /** The event code of a digit (case-insensitive A-D), or -1. */
    static int eventOf(char digit) {
        char d = Character.toUpperCase(digit);
        if (d >= '0' && d <= '9') {
            return d - '0';
        }
        return switch (d) {
            case '*' -> 10;
            case '#' -> 11;
            case 'A', 'B', 'C', 'D' -> d - 'A' + 12;
            default -> -1;
        };
    }
}
