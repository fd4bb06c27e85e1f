package dev.wavoice.media.record;

import dev.wavoice.media.playout.PacedStream;
import dev.wavoice.media.playout.Pacer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's recording: the caller's and the agent's Opus packets, as they crossed the wire, written without
 * re-encoding as a two-channel Ogg Opus file (channel 0 the caller, channel 1 the agent; see {@link OpusHeaders}).
 *
 * <p>Threads:
 * <ul>
 *   <li>{@link #offerCaller} on the receive thread, per caller packet, and {@link #offerAgent} on the pacer or relay
 *       thread, per agent packet sent to the caller: each copies into its side's {@link FrameRing} (6 slots; full
 *       drops the oldest, counted) under that ring's monitor.</li>
 *   <li>{@link #tick} every 20 ms on the shared {@link Pacer} ({@link #start}): takes one packet per side, or writes
 *       an empty frame for a side with none, and appends one multistream Ogg packet (the caller's packet in
 *       self-delimiting framing, then the agent's as is). The file is therefore exactly ticks × 20 ms long whatever
 *       either side's clock does. A packet that is malformed, longer than 1275 bytes or not exactly 20 ms long is
 *       replaced by an empty frame and counted as invalid: both streams of an Ogg Opus packet must last as long.</li>
 *   <li>Pages (about one a second) go to the {@link PageSink} on the {@code writer} executor, one drain at a time
 *       per recorder, so any executor keeps the pages in order (a shared single thread, or virtual threads).</li>
 * </ul>
 * No I/O happens under a lock, and offer and tick allocate nothing: packets are copied into preallocated rings, a
 * preallocated packet buffer and reused page buffers (a few more are allocated only while the writer lags).
 *
 * <p>Failures never reach the callers of offer, tick or stop: a write that throws (or a writer more than
 * {@value #MAX_PAGES} pages behind) is counted in {@link RecordingSummary#writeErrors()}, logged once, and the
 * recorder stops writing that file; the call goes on.
 */
public final class TwoChannelRecorder implements PacedStream, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TwoChannelRecorder.class);

    static final int RING_SLOTS = 6;
    /** One second of 20 ms packets per page: a crash loses at most about that much. */
    static final int PACKETS_PER_PAGE = 50;
    /** Typical pages (two 32 kbit/s streams, a second) are about 8 KB; a page also closes early when full. */
    static final int PAGE_BODY_BYTES = 12 * 1024;
    /** Page buffers a recorder may own: beyond that the writer is too far behind and the recording stops. */
    static final int MAX_PAGES = 32;
    private static final int INITIAL_PAGES = 3;
    /** Concealment TOC until a side's first packet: SILK wideband 20 ms, mono (only its duration matters). */
    private static final int DEFAULT_TOC = 9 << 3;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Path path;
    private final PageSink sink;
    private final Executor writer;
    private final String label;
    private final FrameRing callerRing = new FrameRing(RING_SLOTS);
    private final FrameRing agentRing = new FrameRing(RING_SLOTS);

    // Tick state, guarded by tickLock (the pacer thread, and stop() once).
    private final Object tickLock = new Object();
    private final OggPageWriter pages;
    private final OpusPacketLayout layout = new OpusPacketLayout();
    private final byte[] callerFrame = new byte[FrameRing.SLOT_BYTES];
    private final byte[] agentFrame = new byte[FrameRing.SLOT_BYTES];
    private final byte[] packet = new byte[2 * FrameRing.SLOT_BYTES + OpusFraming.SELF_DELIMITING_OVERHEAD];
    private int callerToc = DEFAULT_TOC;
    private int agentToc = DEFAULT_TOC;
    private long granule;
    private int pagesAllocated;
    private boolean stopped;

    // Counters: each written by one thread (the pacer's, or the writer's for bytesWritten), read by any.
    private volatile long ticks;
    private volatile long callerFrames;
    private volatile long callerEmpty;
    private volatile long callerInvalid;
    private volatile long agentFrames;
    private volatile long agentEmpty;
    private volatile long agentInvalid;
    private volatile long bytesWritten;
    private final AtomicLong writeErrors = new AtomicLong();

    // Hand-off to the writer.
    private final ArrayBlockingQueue<OggPage> free = new ArrayBlockingQueue<>(MAX_PAGES);
    private final ArrayBlockingQueue<OggPage> pending = new ArrayBlockingQueue<>(MAX_PAGES);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final AtomicBoolean failed = new AtomicBoolean();
    private volatile boolean closeRequested;
    private volatile boolean sinkClosed;
    private final CompletableFuture<RecordingSummary> finished = new CompletableFuture<>();
    private volatile Pacer.Registration registration;

    private TwoChannelRecorder(Path path, PageSink sink, RecorderOptions options, Executor writer) {
        this.path = path;
        this.sink = sink;
        this.writer = writer;
        this.label = options.label();
        this.pages = new OggPageWriter(ThreadLocalRandom.current().nextInt());
        for (int i = 0; i < INITIAL_PAGES; i++) {
            free.add(new OggPage(PAGE_BODY_BYTES));
        }
        pagesAllocated = INITIAL_PAGES;
    }

    /**
     * A recording to {@code file} (created with its directories on the first write, replaced if it exists).
     *
     * @param writer runs the file writes, in any order across recorders (e.g. one shared single thread)
     * @throws IllegalArgumentException for comments that are not {@code NAME=value} or too long for a page
     */
    public static TwoChannelRecorder toFile(Path file, RecorderOptions options, Executor writer) {
        return toSink(file, new FilePageSink(file), options, writer);
    }

    /** A recording to any sink; {@code path} is only reported in the summary (may be null). */
    public static TwoChannelRecorder toSink(Path path, PageSink sink, RecorderOptions options, Executor writer) {
        TwoChannelRecorder recorder = new TwoChannelRecorder(path, sink, options, writer);
        recorder.writeHeaders(options);
        return recorder;
    }

    /** Ticks this recorder on {@code pacer} from its next tick until {@link #stop}; closing the result pauses it. */
    public Pacer.Registration start(Pacer pacer) {
        Pacer.Registration r = pacer.register(this);
        registration = r;
        return r;
    }

    /** A caller packet (an RTP payload) as received; any thread, no allocation, never throws. */
    public void offerCaller(byte[] buf, int off, int len) {
        callerRing.offer(buf, off, len);
    }

    /** An agent packet (an RTP payload) as sent to the caller; any thread, no allocation, never throws. */
    public void offerAgent(byte[] buf, int off, int len) {
        agentRing.offer(buf, off, len);
    }

    /** Appends one 20 ms multistream packet; the pacer calls it, tests may too. */
    @Override
    public void tick(long tickIndex, long nowNanos) {
        synchronized (tickLock) {
            if (!stopped && !failed.get()) {
                appendTick();
            }
        }
    }

    /**
     * Stops ticking, writes the last page (end of stream) and closes the file on the writer. Idempotent, never
     * throws; the future completes with the final summary once the file is closed. A recording stopped before its
     * first tick gets one (20 ms of whatever was offered, or silence), the shortest valid Ogg Opus stream.
     */
    public CompletableFuture<RecordingSummary> stop() {
        Pacer.Registration r = registration;
        if (r != null) {
            r.close();
        }
        synchronized (tickLock) {
            if (stopped) {
                return finished;
            }
            stopped = true;
            if (!failed.get()) {
                if (ticks == 0) {
                    // A stream shorter than its pre-skip is invalid (opusdec refuses it): one tick, 20 ms.
                    appendTick();
                }
                pending.add(pages.finish(granule, OggPage.FLAG_LAST));
            }
        }
        closeRequested = true;
        schedule();
        return finished;
    }

    /** {@link #stop()}, waiting up to 5 s for the file to be closed. Idempotent, never throws. */
    @Override
    public void close() {
        try {
            stop().get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("recording.close_timeout label={} path={} waitedSeconds={}", label, path, CLOSE_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) { // the future is only ever completed normally
            log.warn("recording.close_failed label={} path={} error=\"{}\"", label, path, e.getCause().toString());
        }
    }

    /** The counters now; after {@link #stop()} completes, the final figures. */
    public RecordingSummary summary() {
        return new RecordingSummary(path, ticks * 20, bytesWritten,
                new ChannelCounts(callerFrames, callerEmpty, callerInvalid, callerRing.dropped()),
                new ChannelCounts(agentFrames, agentEmpty, agentInvalid, agentRing.dropped()),
                writeErrors.get());
    }

    @Override
    public String toString() {
        return "recording " + label;
    }

    // ---- tick lock held ----

    private void appendTick() {
        int n = callerPart(packet, 0);
        n += agentPart(packet, n);
        if ((pages.packets() >= PACKETS_PER_PAGE || !pages.fits(n)) && !flush(0)) {
            return;
        }
        pages.add(packet, 0, n);
        granule += OpusFraming.SAMPLES_20MS;
        ticks = ticks + 1;
    }

    private int callerPart(byte[] out, int at) {
        int len = callerRing.poll(callerFrame);
        if (len == FrameRing.EMPTY) {
            callerEmpty = callerEmpty + 1;
        } else if (len >= 0 && OpusFraming.parse(callerFrame, 0, len, false, layout)
                && layout.samples48k() == OpusFraming.SAMPLES_20MS) {
            callerToc = layout.toc();
            callerFrames = callerFrames + 1;
            return OpusFraming.toSelfDelimited(callerFrame, 0, len, layout, out, at);
        } else {
            callerInvalid = callerInvalid + 1;
        }
        return OpusFraming.writeEmpty(callerToc, true, out, at);
    }

    private int agentPart(byte[] out, int at) {
        int len = agentRing.poll(agentFrame);
        if (len == FrameRing.EMPTY) {
            agentEmpty = agentEmpty + 1;
        } else if (len >= 0 && OpusFraming.parse(agentFrame, 0, len, false, layout)
                && layout.samples48k() == OpusFraming.SAMPLES_20MS) {
            agentToc = layout.toc();
            agentFrames = agentFrames + 1;
            System.arraycopy(agentFrame, 0, out, at, len); // the last stream keeps its own framing
            return len;
        } else {
            agentInvalid = agentInvalid + 1;
        }
        return OpusFraming.writeEmpty(agentToc, false, out, at);
    }

    private void writeHeaders(RecorderOptions options) {
        byte[] head = OpusHeaders.identification();
        byte[] tags = OpusHeaders.comments(options.comments());
        synchronized (tickLock) {
            pages.begin(free.poll());
            pages.add(head, 0, head.length); // RFC 7845 section 3: alone on the first page
            flush(OggPage.FLAG_FIRST);
            if (!pages.fits(tags.length)) {
                throw new IllegalArgumentException("recording comments of " + tags.length + " bytes do not fit a page");
            }
            pages.add(tags, 0, tags.length);
            flush(0); // audio starts on a fresh page
        }
    }

    /** Hands the current page to the writer and starts the next; false if the writer is hopelessly behind. */
    private boolean flush(int flags) {
        OggPage next = free.poll();
        if (next == null) {
            if (pagesAllocated >= MAX_PAGES) {
                fail(new IOException("writer " + MAX_PAGES + " pages behind"));
                return false;
            }
            next = new OggPage(PAGE_BODY_BYTES);
            pagesAllocated++;
        }
        pending.add(pages.finish(granule, flags));
        pages.begin(next);
        schedule();
        return true;
    }

    // ---- writer ----

    private void schedule() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                writer.execute(drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
                fail(e);
                if (closeRequested) {
                    closeSink();
                }
            }
        }
    }

    private void drain() {
        do {
            OggPage page;
            while ((page = pending.poll()) != null) {
                write(page);
                free.add(page);
            }
            if (closeRequested && pending.isEmpty() && !sinkClosed) {
                closeSink();
            }
            drainScheduled.set(false);
        } while ((!pending.isEmpty() || (closeRequested && !sinkClosed)) && drainScheduled.compareAndSet(false, true));
    }

    private void write(OggPage page) {
        if (failed.get()) {
            return;
        }
        try {
            sink.write(page.forWrite());
            bytesWritten = bytesWritten + page.length;
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private synchronized void closeSink() {
        if (sinkClosed) {
            return;
        }
        sinkClosed = true;
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
        finished.complete(summary());
    }

    private void fail(Exception e) {
        writeErrors.incrementAndGet();
        if (failed.compareAndSet(false, true)) {
            log.warn("recording.write_failed label={} path={} bytesWritten={} error=\"{}\" (recording stopped, the call goes on)",
                    label, path, bytesWritten, e.toString());
        }
    }
}
