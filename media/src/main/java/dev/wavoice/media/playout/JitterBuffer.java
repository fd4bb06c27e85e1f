package dev.wavoice.media.playout;

/**
 * The inbound jitter buffer of one Opus stream: {@link #put} as packets arrive, {@link #poll} once per
 * frame from the playout clock; the result says what the decoder should do. It never decodes, so it
 * works with any codec that has FEC and PLC (NetEq's split between buffer and decoder, in miniature).
 *
 * <p>Not thread-safe: confine it to the call's lock or executor. Payload views handed out are valid until
 * the next {@code put} or {@code poll}. Steady state allocates nothing: payloads are copied into pooled
 * slots of a ring indexed by sequence number, and results are preallocated. Slots start at
 * {@link JitterBufferConfig#slotBytes()}; a slot grows once, to the largest payload, when a bigger packet
 * lands in it.
 */
public final class JitterBuffer {
    private static final long NONE = Long.MIN_VALUE;

    private final JitterBufferConfig config;
    private final int mask;
    private final BufferSlot[] slots;
    private final DelayEstimator delay;
    private final long minTargetSamples;
    private final long maxTargetSamples;
    private final long resyncAfterNanos;
    private final int maxConcealFrames;

    private int frameSamples;
    private int candidateFrame;
    private Playout.Conceal conceal;
    private Playout.Silence silence;
    private Playout.Empty empty;

    private long highestSeq = NONE; // unwrapped, of the newest packet by sequence
    private long highestTs;         // unwrapped, of that packet
    private int held;
    private boolean playing;
    private long playSeq;
    private long playTs;
    private long floorSeq = NONE;   // while not playing: everything below was already played
    private long lastArrivalNanos;
    private long firstHeldArrivalNanos;
    private int underrunFrames;
    private double level = -1;      // filtered depth in samples, as seen at poll time

    private long received, invalid, duplicates, late, lost, fecRecovered, concealed;
    private long driftDropped, driftInserted, resyncs, grownSlots, timestampSteps;
    /**
     * Added to every timestamp since the sender's clock last stepped (mod 2^32), so media time stays continuous:
     * see {@link #steppedClock}.
     */
    private int timestampShift;

    /**
     * How far a timestamp may run ahead of the arrival clock before it counts as the sender's clock stepping: far
     * beyond any jitter this buffer absorbs (its target tops out at a few hundred ms), well inside its window.
     */
    static final long CLOCK_STEP_NANOS = 500_000_000L;

    public JitterBuffer(JitterBufferConfig config) {
        this.config = config;
        this.mask = config.capacityPackets() - 1;
        this.slots = new BufferSlot[config.capacityPackets()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new BufferSlot(config.slotBytes(), NONE);
        }
        this.delay = new DelayEstimator(config.clockRate());
        this.minTargetSamples = config.samples(config.minTarget());
        this.maxTargetSamples = config.samples(config.maxTarget());
        this.resyncAfterNanos = config.resyncAfter().toNanos();
        this.maxConcealFrames = (int) Math.max(1, config.maxConceal().toNanos() / config.defaultFrame().toNanos());
        setFrameSamples(config.samples(config.defaultFrame()));
    }

    /**
     * Buffers one packet; the payload is copied, so the caller may reuse its buffer at once.
     *
     * @return whether the packet was kept (false: counted as invalid, duplicate or late)
     */
    public boolean put(int sequenceNumber, long rtpTimestamp, byte[] payload, int offset, int length,
            long arrivalNanos) {
        received++;
        if (length <= 0 || length > config.maxPayloadBytes()) {
            invalid++;
            return false;
        }
        if (highestSeq == NONE) {
            anchor(sequenceNumber, rtpTimestamp);
        }
        long seq = highestSeq + (short) (sequenceNumber - (int) highestSeq);
        long ts = highestTs + (int) ((int) rtpTimestamp + timestampShift - (int) highestTs);
        if (seq > highestSeq && steppedClock(seq, ts, arrivalNanos)) {
            long continuous = highestTs + (seq - highestSeq) * frameSamples;
            timestampShift += (int) (continuous - ts);
            ts = continuous;
            timestampSteps++;
        }
        long window = slots.length - 1;
        if (seq - highestSeq >= window || (playing && seq - playSeq >= window)) {
            // Far ahead of anything we hold: the sender restarted or a long outage ate the window.
            resync();
            anchor(sequenceNumber, rtpTimestamp);
            seq = highestSeq;
            ts = highestTs;
        } else if (playing ? seq < playSeq : seq <= highestSeq - window || seq < floorSeq) {
            if (slots[(int) seq & mask].seq == seq) {
                duplicates++;
            } else {
                late++;
            }
            return false;
        }
        BufferSlot slot = slots[(int) seq & mask];
        if (slot.seq == seq) {
            duplicates++;
            return false;
        }
        if (slot.held) {
            late++; // an older packet pushed out of the window before playout started
            held--;
        }
        PayloadView view = slot.view;
        if (length > view.data.length) {
            // Larger than the bitrate the slots were sized for: keep it, in a slot grown once to the largest
            // Opus packet, so a peer that always sends big frames costs at most what fixed 1275-byte slots did.
            view.data = new byte[config.maxPayloadBytes()];
            grownSlots++;
        }
        System.arraycopy(payload, offset, view.data, 0, length);
        view.length = length;
        view.sequenceNumber = sequenceNumber & 0xFFFF;
        view.timestamp = ts;
        slot.seq = seq;
        slot.held = true;
        if (held++ == 0) {
            firstHeldArrivalNanos = arrivalNanos;
        }
        if (seq > highestSeq) {
            highestSeq = seq;
            highestTs = ts;
        }
        learnFrame(seq - 1, seq);
        learnFrame(seq, seq + 1);
        delay.onPacket(ts, arrivalNanos);
        lastArrivalNanos = arrivalNanos;
        return true;
    }

    /** What to play for the next frame; call once per frame duration from the playout clock. */
    public Playout poll(long nowNanos) {
        if (!playing && !start(nowNanos)) {
            return empty;
        }
        long target = targetSamples();
        long depth = depthSamples();
        // Filtered so one burst does not trigger a drop; seeded at the target, so a deep start settles
        // over a few frames instead of being cut at once.
        level = level < 0 ? target : level + (depth - level) / 8;
        long hysteresis = Math.max(frameSamples, target / 4);
        BufferSlot slot = slots[(int) playSeq & mask];
        if (slot.held && slot.seq == playSeq) {
            underrunFrames = 0;
            PayloadView view = slot.view;
            if (view.timestamp > playTs) {
                // Sequence is continuous but time jumped: a DTX gap the sender meant. Shorten or stretch
                // the silence rather than speech to follow drift.
                if (level > target + hysteresis) {
                    playTs += frameSamples;
                    level -= frameSamples;
                    driftDropped++;
                } else if (level < target - hysteresis) {
                    level += frameSamples;
                    driftInserted++;
                    return silence;
                }
                playTs = Math.min(playTs + frameSamples, view.timestamp);
                return silence;
            }
            // Above target (sender clock fast): skip a frame, a silent one if the excess is small.
            boolean silent = view.length <= config.silentPayloadBytes();
            if (held > 1 && (level > target + 2 * hysteresis || (silent && level > target + hysteresis))) {
                release(slot);
                level -= frameSamples;
                driftDropped++;
                return playAfterDrop(nowNanos);
            }
            // Draining below target (sender clock slow): insert one PLC frame now rather than wait for an
            // underrun, preferring a silent moment; the packet keeps its place.
            if (level < target - hysteresis || (silent && level < target - hysteresis / 2)) {
                level += frameSamples;
                driftInserted++;
                concealed++;
                return conceal;
            }
            release(slot);
            return slot.packet;
        }
        if (held == 0) {
            // Underrun: the packet may only be late, so keep its place and let media time run on.
            playTs += frameSamples;
            if (nowNanos - lastArrivalNanos > resyncAfterNanos) {
                playing = false; // end of talk spurt: the next packet rebuilds the target depth
                floorSeq = playSeq;
                resyncs++;
                return silence;
            }
            if (++underrunFrames > maxConcealFrames) {
                return silence;
            }
            concealed++;
            return conceal;
        }
        underrunFrames = 0;
        lost++;
        playSeq++;
        playTs += frameSamples;
        BufferSlot next = slots[(int) playSeq & mask];
        if (next.held && next.seq == playSeq) {
            fecRecovered++;
            next.view.samples = frameSamples;
            return next.fec;
        }
        concealed++;
        return conceal;
    }

    /** After a drift drop the frame is still owed this tick: play the next one if it is there. */
    private Playout playAfterDrop(long nowNanos) {
        BufferSlot slot = slots[(int) playSeq & mask];
        if (slot.held && slot.seq == playSeq && slot.view.timestamp <= playTs) {
            release(slot);
            return slot.packet;
        }
        concealed++;
        return conceal;
    }

    public JitterBufferStats stats() {
        return new JitterBufferStats(received, invalid, duplicates, late, lost, fecRecovered, concealed,
                driftDropped, driftInserted, resyncs, millis(depthSamples()), millis(targetSamples()),
                frameSamples, grownSlots, timestampSteps);
    }

    public int frameSamples() {
        return frameSamples;
    }

    /** Whether playout has started (false before the first talk spurt and after a resync). */
    public boolean playing() {
        return playing;
    }

    /**
     * The depth to keep: the frame being played plus the arrival spread, in time rather than whole frames. A packet
     * must be here by its playout tick; holding the first packet of a talk spurt for the spread (see {@link #start})
     * is what guarantees that, wherever the ticks fall. Rounding the spread up to a whole extra frame, as this buffer
     * once did, added 20 ms to every call on a network with a fraction of a millisecond of jitter.
     */
    long targetSamples() {
        long spread = delay.spreadNanos() * config.clockRate() / 1_000_000_000L;
        return Math.min(maxTargetSamples, Math.max(minTargetSamples, frameSamples + spread));
    }

    long depthSamples() {
        if (held == 0) {
            return 0;
        }
        long from = playing ? playTs : slots[(int) lowestHeld() & mask].view.timestamp;
        return Math.max(0, highestTs + frameSamples - from);
    }

    private boolean start(long nowNanos) {
        if (held == 0) {
            return false;
        }
        // The first packet is a frame of depth already: it waits only for what the target holds beyond it.
        long hold = Math.max(0, targetSamples() - frameSamples) * 1_000_000_000L / config.clockRate();
        if (depthSamples() < targetSamples() && nowNanos - firstHeldArrivalNanos < hold) {
            return false;
        }
        playSeq = lowestHeld();
        playTs = slots[(int) playSeq & mask].view.timestamp;
        playing = true;
        underrunFrames = 0;
        level = -1;
        return true;
    }

    private long lowestHeld() {
        for (long s = highestSeq - slots.length + 2; s < highestSeq; s++) {
            BufferSlot slot = slots[(int) s & mask];
            if (slot.held && slot.seq == s) {
                return s;
            }
        }
        return highestSeq;
    }

    private void release(BufferSlot slot) {
        slot.held = false;
        held--;
        playSeq++;
        slot.view.samples = frameSamples;
        playTs = slot.view.timestamp + frameSamples;
    }

    private void learnFrame(long earlier, long later) {
        BufferSlot a = slots[(int) earlier & mask];
        BufferSlot b = slots[(int) later & mask];
        if (a.seq != earlier || b.seq != later) {
            return;
        }
        long delta = b.view.timestamp - a.view.timestamp;
        // Opus frames are 2.5 to 120 ms; larger deltas are DTX gaps, not frame sizes. Two agreeing
        // deltas in a row are needed so one odd gap does not retime the stream.
        if (delta <= 0 || delta > config.clockRate() * 120L / 1000) {
            return;
        }
        if (delta == frameSamples) {
            candidateFrame = 0;
        } else if (delta == candidateFrame) {
            setFrameSamples((int) delta);
        } else {
            candidateFrame = (int) delta;
        }
    }

    private void setFrameSamples(int samples) {
        frameSamples = samples;
        candidateFrame = 0;
        conceal = new Playout.Conceal(samples);
        silence = new Playout.Silence(samples);
        empty = new Playout.Empty(samples);
    }

    /**
     * A packet next in sequence whose timestamp went back, or ran ahead of the time that passed since the last one by
     * more than {@link #CLOCK_STEP_NANOS}: the sender's clock stepped (a restarted encoder, a relay rebasing
     * timestamps), not a pause it meant. Taken at face value, a step ahead would be played out as that much silence
     * (until the window overflowed and playout restarted) and a step back as that much delay in the estimator.
     */
    private boolean steppedClock(long seq, long ts, long arrivalNanos) {
        long step = ts - highestTs;
        if (step < 0) {
            return true;
        }
        long elapsed = (arrivalNanos - lastArrivalNanos) * config.clockRate() / 1_000_000_000L;
        long explained = Math.max((seq - highestSeq) * frameSamples, elapsed);
        return step - explained > CLOCK_STEP_NANOS * config.clockRate() / 1_000_000_000L;
    }

    private void anchor(int sequenceNumber, long rtpTimestamp) {
        timestampShift = 0;
        highestSeq = (1L << 20) + (sequenceNumber & 0xFFFF);
        highestTs = (1L << 36) + (rtpTimestamp & 0xFFFF_FFFFL);
        delay.rebase();
    }

    /** Forgets everything buffered, for a new SSRC or a renegotiated stream; counters are kept. */
    public void reset() {
        resync();
        highestSeq = NONE;
    }

    private void resync() {
        for (BufferSlot slot : slots) {
            slot.held = false;
            slot.seq = NONE;
        }
        held = 0;
        playing = false;
        floorSeq = NONE;
        resyncs++;
    }

    private int millis(long samples) {
        return (int) (samples * 1000 / config.clockRate());
    }
}
