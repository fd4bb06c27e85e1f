package dev.wavoice.media.playout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One call's outbound audio: the agent side (one producer thread) queues PCM of any chunk size, or encoded
 * frames, and the pacer side (one consumer thread) takes exactly one frame per tick. Encoding on the
 * producer side keeps codec work off the one pacer thread, which 200 calls' encoders would overrun. A bounded ring of pooled frames; nothing is
 * allocated per frame and no lock is taken. Encoded slots start at {@link OutboundQueueConfig#slotEncodedBytes()}
 * and grow once, to the largest frame accepted, when a bigger frame lands in one.
 *
 * <p>Hand-off: the producer fills the slot at {@code tail} and publishes it with an ordered write. The
 * consumer copies the slot at {@code head} into its own {@link OutboundFrame} and then claims it with a CAS on
 * {@code head}; the producer's drop-oldest and {@link #clear()} move {@code head} with the same CAS, so a
 * consumer whose copy raced with a drop simply fails the CAS and retries. While {@code head} is unchanged
 * the producer never writes that slot, so a successful CAS proves the copy whole.
 */
public final class OutboundQueue {
    private static final VarHandle HEAD;
    private static final int HISTORY = 16;
    private static final long NO_UTTERANCE = Long.MIN_VALUE;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(OutboundQueue.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OutboundQueueConfig config;
    private final int frameSamples;
    private final int bound;
    private final int mask;
    private final short[][] pcm;
    private final int[] lengths;
    private final long[] utterances;
    private final byte[][] encoded;     // empty arrays when the queue is PCM-only
    private final int[] encodedLengths; // 0: the slot holds PCM
    private volatile long head;
    private volatile long tail;
    private final AtomicInteger clearEpoch = new AtomicInteger();

    // Producer-owned.
    private long utterance;
    private int fill;
    private int seenEpoch;
    private volatile long enqueued;
    private volatile long overflowDropped;
    private volatile long grownSlots;

    // Consumer-owned.
    private final OutboundFrame current;
    private final AtomicLongArray historyIds = new AtomicLongArray(HISTORY);
    private final AtomicLongArray historySamples = new AtomicLongArray(HISTORY);
    private int historyPos = -1;
    private volatile long sent;
    private volatile long idleTicks;

    private final AtomicLong cleared = new AtomicLong();
    private final AtomicLong clears = new AtomicLong();

    public OutboundQueue(OutboundQueueConfig config) {
        this.config = config;
        this.frameSamples = config.frameSamples();
        this.bound = config.capacityFrames();
        int size = Integer.highestOneBit(Math.max(2, bound - 1) << 1);
        this.mask = size - 1;
        // PCM slots are allocated on first use: a queue fed encoded frames (the usual case) never pays for them.
        this.pcm = new short[size][];
        this.lengths = new int[size];
        this.utterances = new long[size];
        this.encoded = new byte[size][config.slotEncodedBytes()];
        this.encodedLengths = new int[size];
        this.current = new OutboundFrame(frameSamples, config.slotEncodedBytes());
        for (int i = 0; i < HISTORY; i++) {
            historyIds.set(i, NO_UTTERANCE);
        }
    }

    // ---- producer side (one thread) ----

    /** Tags the frames that follow with {@code utteranceId}; a partial frame of the previous one is flushed. */
    public void beginUtterance(long utteranceId) {
        endUtterance();
        utterance = utteranceId;
    }

    /** Queues {@code length} samples; they are copied, and full frames become visible to the pacer at once. */
    public void offer(short[] samples, int offset, int length) {
        checkCleared();
        while (length > 0) {
            if (fill == 0) {
                makeRoom();
            }
            int n = Math.min(frameSamples - fill, length);
            System.arraycopy(samples, offset, pcmSlot((int) tail & mask), fill, n);
            fill += n;
            offset += n;
            length -= n;
            if (fill == frameSamples) {
                publish(frameSamples, 0);
            }
        }
    }

    /** Pads and publishes a partial last frame; played-time accounting counts only the real samples. */
    public void endUtterance() {
        checkCleared();
        if (fill > 0) {
            Arrays.fill(pcmSlot((int) tail & mask), fill, frameSamples, (short) 0);
            publish(fill, 0);
        }
    }

    /**
     * Queues one already encoded frame playing {@code samples} (at the queue's rate); the bytes are copied.
     * A partial PCM frame before it is flushed first so order is kept.
     *
     * @return false if the payload is empty or larger than {@link OutboundQueueConfig#maxEncodedBytes()}
     */
    public boolean offerEncoded(byte[] payload, int offset, int length, int samples) {
        if (length <= 0 || length > config.maxEncodedBytes()) {
            return false;
        }
        endUtterance();
        makeRoom();
        int i = (int) tail & mask;
        if (length > encoded[i].length) {
            // Bigger than the bitrate the slots were sized for (an agent's own Opus, say): queue it in a slot grown
            // once to the largest frame. The publish of tail below hands the new array over with the bytes.
            encoded[i] = new byte[config.maxEncodedBytes()];
            grownSlots = grownSlots + 1;
        }
        System.arraycopy(payload, offset, encoded[i], 0, length);
        publish(samples, length);
        return true;
    }

    /** The slot's PCM array, made on first use (producer only; the publish of {@code tail} hands it over). */
    private short[] pcmSlot(int i) {
        short[] slot = pcm[i];
        if (slot == null) {
            slot = new short[frameSamples];
            pcm[i] = slot;
        }
        return slot;
    }

    private void makeRoom() {
        for (;;) {
            long h = head;
            if (tail - h < bound) {
                return;
            }
            if (HEAD.compareAndSet(this, h, h + 1)) {
                overflowDropped = overflowDropped + 1;
                return;
            }
        }
    }

    private void publish(int length, int encodedLength) {
        long t = tail;
        int i = (int) t & mask;
        lengths[i] = length;
        encodedLengths[i] = encodedLength;
        utterances[i] = utterance;
        tail = t + 1;
        enqueued = enqueued + 1;
        fill = 0;
    }

    private void checkCleared() {
        int epoch = clearEpoch.get();
        if (epoch != seenEpoch) {
            seenEpoch = epoch;
            fill = 0; // a half-built frame from before the clear must not play either
        }
    }

    // ---- any thread ----

    /**
     * Barge-in: discards everything queued. Safe from any thread; the next {@link #poll()} finds the queue
     * empty, so at most the frame already taken (being sent) still goes out.
     */
    public void clear() {
        clearEpoch.incrementAndGet();
        for (;;) {
            long h = head;
            long t = tail;
            if (h >= t || HEAD.compareAndSet(this, h, t)) {
                cleared.addAndGet(Math.max(0, t - h));
                break;
            }
        }
        clears.incrementAndGet();
    }

    /** Samples of {@code utteranceId} actually handed to the sender; 0 if unknown or too old. */
    public long playedSamples(long utteranceId) {
        for (int i = 0; i < HISTORY; i++) {
            if (historyIds.get(i) == utteranceId) {
                long samples = historySamples.get(i);
                if (historyIds.get(i) == utteranceId) {
                    return samples;
                }
            }
        }
        return 0;
    }

    /** What the caller has heard of {@code utteranceId}, so the agent can truncate its transcript there. */
    public long playedMillis(long utteranceId) {
        return playedSamples(utteranceId) * 1000 / config.sampleRate();
    }

    public int queuedFrames() {
        return (int) Math.max(0, tail - head);
    }

    /** How many frames were ever queued: the position the next frame queued gets. Any thread. */
    public long queuedPosition() {
        return tail;
    }

    /**
     * How many frames have left the queue, sent, cleared or dropped: every frame queued before this position is gone.
     * Any thread; compare with {@link #queuedPosition()} read when something was queued to know it has played.
     */
    public long leftPosition() {
        return head;
    }

    public OutboundQueueStats stats() {
        return new OutboundQueueStats(queuedFrames(), enqueued, sent, idleTicks, overflowDropped, cleared.get(),
                clears.get(), grownSlots);
    }

    // ---- consumer side (the pacer thread) ----

    /**
     * Takes the next frame into {@link #current()}; false when nothing is queued (send silence/DTX then).
     */
    public boolean poll() {
        for (;;) {
            long h = head;
            if (h >= tail) {
                idleTicks = idleTicks + 1;
                return false;
            }
            int i = (int) h & mask;
            int encodedLength = encodedLengths[i];
            if (encodedLength > 0) {
                // A racing drop can show another slot's length; the CAS below rejects the copy anyway.
                byte[] from = encoded[i];
                if (from.length > current.encoded.length) {
                    current.encoded = new byte[from.length]; // follows a grown slot, once
                }
                int n = Math.min(Math.min(encodedLength, from.length), current.encoded.length);
                System.arraycopy(from, 0, current.encoded, 0, n);
            } else {
                short[] slot = pcm[i]; // null only when a racing drop showed an encoded slot as PCM: the CAS fails
                if (slot != null) {
                    System.arraycopy(slot, 0, current.samples, 0, frameSamples);
                }
            }
            int length = lengths[i];
            long id = utterances[i];
            if (HEAD.compareAndSet(this, h, h + 1)) {
                current.encodedLength = encodedLength;
                current.length = length;
                current.utteranceId = id;
                break;
            }
        }
        sent = sent + 1;
        account(current.utteranceId, current.length);
        return true;
    }

    /** The frame the last successful {@link #poll()} took; consumer thread only. */
    public OutboundFrame current() {
        return current;
    }

    /** A paced stream that sends one frame per tick into {@code sink}, or tells it to idle. */
    public PacedStream pacedInto(OutboundSink sink) {
        return (tickIndex, nowNanos) -> {
            if (poll()) {
                sink.send(current, tickIndex, nowNanos);
            } else {
                sink.idle(tickIndex, nowNanos);
            }
        };
    }

    private void account(long utteranceId, int samples) {
        if (historyPos < 0 || historyIds.get(historyPos) != utteranceId) {
            historyPos = (historyPos + 1) & (HISTORY - 1);
            historyIds.set(historyPos, NO_UTTERANCE);
            historySamples.set(historyPos, 0);
            historyIds.set(historyPos, utteranceId);
        }
        historySamples.set(historyPos, historySamples.get(historyPos) + samples);
    }
}
