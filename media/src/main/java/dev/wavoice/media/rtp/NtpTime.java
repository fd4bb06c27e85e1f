package dev.wavoice.media.rtp;

/**
 * NTP timestamps as RTCP carries them (RFC 3550 §4): 64 bits, seconds since 1900 in the high word and the
 * fraction of a second in the low word; "compact" is the middle 32 bits (16.16), used by LSR/DLSR (§6.4.1).
 */
public final class NtpTime {
    /** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
    static final long EPOCH_OFFSET_SECONDS = 2_208_988_800L;
    private static final long NANOS = 1_000_000_000L;

    private NtpTime() {}

    /** 64-bit NTP time of a Unix-epoch instant given in nanoseconds. */
    public static long fromEpochNanos(long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, NANOS) + EPOCH_OFFSET_SECONDS;
        long nanos = Math.floorMod(epochNanos, NANOS);
        return (seconds << 32) | ((nanos << 32) / NANOS);
    }

    /** Unix-epoch nanoseconds of a 64-bit NTP time (era 0, i.e. until 2036). */
    public static long toEpochNanos(long ntp) {
        long seconds = (ntp >>> 32) - EPOCH_OFFSET_SECONDS;
        long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * NANOS + ((fraction * NANOS) >>> 32);
    }

    /** The middle 32 bits: what LSR carries. */
    public static long compact(long ntp) {
        return (ntp >>> 16) & 0xFFFF_FFFFL;
    }

    /** A duration in 1/65536 s, the unit of DLSR and of compact NTP differences. */
    public static long nanosToCompact(long nanos) {
        return Math.max(0, nanos) / 1000 * 65536 / 1_000_000;
    }

    public static long compactToNanos(long compact) {
        return compact * NANOS >>> 16;
    }
}
