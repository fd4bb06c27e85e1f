package dev.wavoice.media.rtp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call's RTCP (RFC 3550 §6): keeps {@link ReceptionStats} per remote source from the RTP we receive, reads the
 * peer's compounds (its SR for our LSR/DLSR, its report blocks about our stream for RTT and loss, BYE), and writes
 * our SR/RR + SDES when {@link RtcpScheduler} says so. The receive thread calls {@link #onRtp}/{@link #onRtcp},
 * the pacer calls {@link #poll}; a per-call lock, held for a few field updates, keeps the two consistent.
 */
public final class RtcpSession {
    /** An audio call has one remote source; a few more allow an SSRC change without forgetting the old one. */
    static final int MAX_SOURCES = 4;

    private final OutboundRtp out;
    private final String cname;
    private final RtcpScheduler scheduler;
    private final int remoteClockRate;
    private final long anchorNanos;
    private final long anchorEpochNanos;
    private final RtcpReader reader = new RtcpReader();
    private final ReentrantLock lock = new ReentrantLock();
    private final ReceptionStats[] sources = new ReceptionStats[MAX_SOURCES];
    private int sourceCount;

    private long packetsAtLastReport;
    private long rttMicros = -1;
    private int remoteFractionLost;
    private int remoteCumulativeLost;
    private long remoteJitter;
    private long sent, received, malformed, droppedSources;
    private boolean byeReceived;

    /**
     * @param anchorNanos      a {@link System#nanoTime()} reading …
     * @param anchorEpochNanos … and the wall clock (Unix epoch, ns) at the same moment: NTP times for SR and RTT
     *                         follow the monotonic clock from there, so a wall-clock step cannot fake an RTT
     */
    public RtcpSession(OutboundRtp out, String cname, RtcpScheduler scheduler, int remoteClockRate,
            long anchorNanos, long anchorEpochNanos) {
        this.out = out;
        this.cname = cname;
        this.scheduler = scheduler;
        this.remoteClockRate = remoteClockRate;
        this.anchorNanos = anchorNanos;
        this.anchorEpochNanos = anchorEpochNanos;
    }

    /**
     * A session on the system clocks with the 5 s audio schedule, starting now.
     *
     * @param remoteClockRate the clock of the peer's audio timestamps (48000 for Opus), for jitter
     */
    public static RtcpSession forCall(OutboundRtp out, String cname, int remoteClockRate,
            java.util.random.RandomGenerator random) {
        long now = System.nanoTime();
        java.time.Instant wall = java.time.Instant.now();
        long epochNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
        return new RtcpSession(out, cname, RtcpScheduler.audio(random, now), remoteClockRate, now, epochNanos);
    }

    /** NTP time of a monotonic instant. */
    public long ntpAt(long nowNanos) {
        return NtpTime.fromEpochNanos(anchorEpochNanos + (nowNanos - anchorNanos));
    }

    /**
     * Accounts a received RTP packet (already validated by {@link RtpPacket#wrap}).
     *
     * @return false when the packet should not be played: its source is on probation or jumped (A.1), or there
     *         are too many sources
     */
    public boolean onRtp(RtpPacket p, long nowNanos) {
        lock.lock();
        try {
            ReceptionStats s = find(p.ssrc());
            if (s == null) {
                if (sourceCount == MAX_SOURCES) {
                    droppedSources++;
                    return false;
                }
                s = new ReceptionStats(p.ssrc(), remoteClockRate, p.sequence(), nowNanos);
                sources[sourceCount++] = s;
            }
            return s.update(p.sequence(), p.timestamp(), p.payloadLength(), nowNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Reads a compound from the peer; false (counted) when it is malformed. */
    public boolean onRtcp(byte[] buf, int off, int len, long nowNanos) {
        lock.lock();
        try {
            if (!reader.wrap(buf, off, len)) {
                malformed++;
                return false;
            }
            received++;
            while (reader.next()) {
                switch (reader.type()) {
                    case RtcpReader.SR -> {
                        ReceptionStats s = find(reader.senderSsrc());
                        if (s != null) {
                            s.onSenderReport(reader.ntpTimestamp(), nowNanos);
                        }
                        reportBlocks(nowNanos);
                    }
                    case RtcpReader.RR -> reportBlocks(nowNanos);
                    case RtcpReader.BYE -> {
                        for (int i = 0; i < reader.count(); i++) {
                            byeReceived |= find(reader.byeSsrc(i)) != null;
                        }
                    }
                    default -> { } // SDES, feedback, XR: nothing an audio endpoint acts on yet
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The block about our SSRC: §6.4.1 RTT = A − LSR − DLSR, all in compact NTP (1/65536 s). */
    private void reportBlocks(long nowNanos) {
        for (int i = 0; i < reader.reportCount(); i++) {
            if (reader.reportSsrc(i) != out.ssrc()) {
                continue;
            }
            remoteFractionLost = reader.reportFractionLost(i);
            remoteCumulativeLost = reader.reportCumulativeLost(i);
            remoteJitter = reader.reportJitter(i);
            long lsr = reader.reportLastSr(i);
            if (lsr != 0) {
                long a = NtpTime.compact(ntpAt(nowNanos));
                long rtt = (a - lsr - reader.reportDelaySinceLastSr(i)) & 0xFFFF_FFFFL;
                // A result past 2^31 is a negative difference (clock trouble or a bogus block): keep the last RTT.
                if (rtt < 0x8000_0000L) {
                    rttMicros = NtpTime.compactToNanos(rtt) / 1000;
                }
            }
        }
    }

    /** Called every tick: writes a report compound into {@code buf} when one is due, returning its length, else 0. */
    public int poll(byte[] buf, int off, long nowNanos) {
        return scheduler.due(nowNanos) ? writeReport(buf, off, nowNanos) : 0;
    }

    /**
     * SR if we sent RTP since the last report, else RR (§6.4), with a report block per valid source, then SDES
     * CNAME (§6.1: every compound carries it). Returns the length, or -1 if {@code buf} is too small.
     */
    public int writeReport(byte[] buf, int off, long nowNanos) {
        lock.lock();
        try {
            List<ReportBlock> blocks = new ArrayList<>(sourceCount);
            for (int i = 0; i < sourceCount; i++) {
                ReportBlock b = sources[i].reportBlock(nowNanos);
                if (b != null) {
                    blocks.add(b);
                }
            }
            long packets = out.packetCount();
            int n = packets != packetsAtLastReport
                    ? RtcpWriter.senderReport(buf, off, out.ssrc(), ntpAt(nowNanos), out.rtpTimestampAt(nowNanos),
                            packets, out.octetCount(), blocks)
                    : RtcpWriter.receiverReport(buf, off, out.ssrc(), blocks);
            if (n < 0) {
                return -1;
            }
            int m = RtcpWriter.sdesCname(buf, off + n, out.ssrc(), cname);
            if (m < 0) {
                return -1;
            }
            packetsAtLastReport = packets;
            sent++;
            return n + m;
        } finally {
            lock.unlock();
        }
    }

    /** A last report followed by BYE (§6.6: BYE goes in a compound that starts with SR/RR). */
    public int writeBye(byte[] buf, int off, long nowNanos, String reason) {
        int n = writeReport(buf, off, nowNanos);
        if (n < 0) {
            return -1;
        }
        int m = RtcpWriter.bye(buf, off + n, out.ssrc(), reason);
        return m < 0 ? -1 : n + m;
    }

    /** Reception statistics of a remote source, or null if unknown (read its figures on the receive thread). */
    public ReceptionStats source(long ssrc) {
        lock.lock();
        try {
            return find(ssrc);
        } finally {
            lock.unlock();
        }
    }

    /** The caller's side as one figure set: summed over its sources (a call has one, or one per restart). */
    public record InboundSummary(long received, long lost, long expected, double jitterMillis) {
        public double lossFraction() {
            return expected <= 0 ? 0 : Math.max(0, (double) lost / expected);
        }
    }

    /** Reception over every remote source; jitter is the latest source's (the one playing now). */
    public InboundSummary inbound() {
        lock.lock();
        try {
            long received = 0, lost = 0, expected = 0;
            double jitter = 0;
            for (int i = 0; i < sourceCount; i++) {
                received += sources[i].received();
                lost += Math.max(0, sources[i].lost());
                expected += sources[i].expected();
                jitter = sources[i].jitterMillis();
            }
            return new InboundSummary(received, lost, expected, jitter);
        } finally {
            lock.unlock();
        }
    }

    private ReceptionStats find(long ssrc) {
        for (int i = 0; i < sourceCount; i++) {
            if (sources[i].ssrc() == ssrc) {
                return sources[i];
            }
        }
        return null;
    }

    public RtcpStats stats() {
        lock.lock();
        try {
            return new RtcpStats(rttMicros, remoteFractionLost, remoteCumulativeLost, remoteJitter, sent, received,
                    malformed, byeReceived, droppedSources);
        } finally {
            lock.unlock();
        }
    }
}
