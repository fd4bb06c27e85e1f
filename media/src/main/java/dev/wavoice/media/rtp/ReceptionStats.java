package dev.wavoice.media.rtp;

/**
 * What we know of one remote source from the RTP it sends: RFC 3550 Appendix A.1 sequence validation (probation,
 * 16-bit wrap, large jumps as restarts), A.3 loss (expected − received, and the fraction per report interval) and
 * A.8 interarrival jitter, plus the LSR/DLSR bookkeeping for our report block about it (§6.4.1). Updated on the
 * receive thread for every packet, read when a report is due; no allocation per packet.
 */
public final class ReceptionStats {
    /** A.1: the values the RFC gives; 3000 sequence numbers is a minute of 20 ms audio. */
    static final int MIN_SEQUENTIAL = 2, MAX_DROPOUT = 3000, MAX_MISORDER = 100;
    private static final int SEQ_MOD = 1 << 16;

    private final long ssrc;
    private final int clockRate;

    private int probation;
    private int maxSeq;
    private long cycles;
    private int baseSeq;
    private int badSeq;
    private long received;
    private long receivedPrior;
    private long expectedPrior;

    private boolean haveTransit;
    private long firstArrivalNanos;
    private long lastTransit;
    private long lastTimestamp = -1;
    private long jitterQ4; // A.8: jitter scaled by 16, so the 1/16 gain is integer arithmetic

    private long lastSr;
    private long lastSrArrivalNanos;
    private long packets;
    private long octets;
    private long restarts;

    /**
     * @param clockRate the RTP clock of the source's timestamps (48000 for Opus): jitter is in its units
     */
    public ReceptionStats(long ssrc, int clockRate, int firstSequence, long firstArrivalNanos) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
        this.firstArrivalNanos = firstArrivalNanos;
        initSeq(firstSequence);
        // A.1: a new source is on probation until MIN_SEQUENTIAL packets arrive in sequence.
        this.maxSeq = (firstSequence - 1) & 0xFFFF;
        this.probation = MIN_SEQUENTIAL;
    }

    private void initSeq(int seq) {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = SEQ_MOD + 1; // so that seq == badSeq is false
        cycles = 0;
        received = 0;
        receivedPrior = 0;
        expectedPrior = 0;
    }

    /**
     * Accounts one RTP packet from this source.
     *
     * @return false when A.1 does not count it: still on probation, or a large jump not (yet) confirmed as a
     *         restart; such packets should not be played
     */
    public boolean update(int sequence, long timestamp, int payloadLength, long arrivalNanos) {
        packets++;
        octets += Math.max(0, payloadLength);
        int seq = sequence & 0xFFFF;
        int udelta = (seq - maxSeq) & 0xFFFF;
        if (probation > 0) {
            if (seq == ((maxSeq + 1) & 0xFFFF)) {
                probation--;
                maxSeq = seq;
                if (probation == 0) {
                    initSeq(seq);
                    received++;
                    jitter(timestamp, arrivalNanos);
                    return true;
                }
            } else {
                probation = MIN_SEQUENTIAL - 1;
                maxSeq = seq;
            }
            return false;
        } else if (udelta < MAX_DROPOUT) {
            if (seq < maxSeq) {
                cycles += SEQ_MOD; // wrapped: count another 64K cycle
            }
            maxSeq = seq;
        } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
            if (seq == badSeq) {
                // Two sequential packets after a very large jump: the sender restarted without telling us.
                initSeq(seq);
                restarts++;
                haveTransit = false;
            } else {
                badSeq = (seq + 1) & 0xFFFF;
                return false;
            }
        }
        // else: a duplicate or a reordered packet within MAX_MISORDER; counted as received, like A.1 does
        received++;
        jitter(timestamp, arrivalNanos);
        return true;
    }

    /**
     * A.8. Packets that repeat the previous timestamp are skipped: RFC 4733 events keep the timestamp of their start
     * for every packet (§2.5.1.2), and would otherwise read as arrival delay growing by 20 ms each.
     */
    private void jitter(long timestamp, long arrivalNanos) {
        if (timestamp == lastTimestamp) {
            return;
        }
        lastTimestamp = timestamp;
        long arrival = (arrivalNanos - firstArrivalNanos) / 1000 * clockRate / 1_000_000;
        long transit = arrival - timestamp;
        if (haveTransit) {
            int d = (int) (transit - lastTransit); // mod 2^32, as timestamps wrap
            jitterQ4 += Math.abs((long) d) - ((jitterQ4 + 8) >> 4);
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /** An SR from this source arrived (§6.4.1 LSR: we echo the middle of its NTP time and the delay since). */
    public void onSenderReport(long ntp, long arrivalNanos) {
        lastSr = NtpTime.compact(ntp);
        lastSrArrivalNanos = arrivalNanos;
    }

    /** Whether the source passed probation: before that there is nothing to report. */
    public boolean isValid() {
        return probation == 0;
    }

    /**
     * The report block about this source (A.3), closing the current interval for the fraction lost; null while
     * the source is on probation.
     */
    public ReportBlock reportBlock(long nowNanos) {
        if (!isValid()) {
            return null;
        }
        long expected = expected();
        long lost = expected - received;
        int cumulative = (int) Math.max(-0x800000, Math.min(0x7FFFFF, lost));
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0
                : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        long dlsr = lastSr == 0 ? 0 : NtpTime.nanosToCompact(nowNanos - lastSrArrivalNanos) & 0xFFFF_FFFFL;
        return new ReportBlock(ssrc, fraction, cumulative, extendedHighestSequence() & 0xFFFF_FFFFL, jitter(),
                lastSr, dlsr);
    }

    public long ssrc() {
        return ssrc;
    }

    public long extendedHighestSequence() {
        return cycles + maxSeq;
    }

    /** A.3: packets expected from the first valid sequence number to the highest seen. */
    public long expected() {
        return isValid() ? extendedHighestSequence() - baseSeq + 1 : 0;
    }

    /** Packets A.1 counted (duplicates included, as the RFC does). */
    public long received() {
        return received;
    }

    /** expected − received; negative when duplicates outnumber losses. */
    public long lost() {
        return expected() - received;
    }

    /** Interarrival jitter in timestamp units. */
    public long jitter() {
        return jitterQ4 >> 4;
    }

    public double jitterMillis() {
        return jitter() * 1000.0 / clockRate;
    }

    /** Every packet seen from this SSRC, including those A.1 did not count. */
    public long packets() {
        return packets;
    }

    /** Payload bytes of every packet seen. */
    public long octets() {
        return octets;
    }

    /** Times the source jumped its sequence numbers and A.1 re-synchronised. */
    public long restarts() {
        return restarts;
    }
}
