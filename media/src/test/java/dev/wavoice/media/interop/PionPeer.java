package dev.wavoice.media.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A running Pion test peer (see {@code src/test/go/pionpeer/main.go}): WhatsApp's ICE-lite edge, a
 * plain Pion business-side answerer, or a full-ICE offerer. Builds the Go binary on first use,
 * talks to it in JSON lines over stdin/stdout, and keeps every line it printed as a {@link PionEvent}
 * so tests can await states and read {@code t_ms} timings. Pion's own log goes to a file under
 * {@code target/pion-peer/logs/}, quoted in every failure.
 *
 * <pre>{@code
 * try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withEcho())) {
 *     String answer = ourEndpoint.answer(edge.offer());
 *     edge.sendAnswer(answer);
 *     edge.awaitConnected(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * {@link #close()} asks the peer to stop, then destroys it if it does not; a JVM shutdown hook ends
 * any peer a test forgot, so no process outlives the test run.
 */
public final class PionPeer implements AutoCloseable {

    public enum Mode {
        /** WhatsApp's edge: ICE-lite offerer, actpass, one 127.0.0.1 host candidate, Opus 111, telephone-event 126. */
        EDGE("edge"),
        /** A plain Pion business-side answerer: full ICE, setup:active, echoes what it receives. */
        ANSWERER("answerer"),
        /** A full-ICE offerer with setup:actpass. */
        OFFERER_FULL("offerer-full");

        final String flag;

        Mode(String flag) {
            this.flag = flag;
        }
    }

    /**
     * What to start. {@code duration} counts from connected (null: run until {@link #close()});
     * {@code extraArgs} go to the Go program as they are (e.g. {@code -log=debug}).
     */
    public record Options(Mode mode, boolean echo, Path sendOpusFile, Path record, String dtmf,
                          Duration duration, Duration connectTimeout, List<String> extraArgs) {
        public Options {
            extraArgs = List.copyOf(extraArgs);
        }

        public static Options edge() {
            return new Options(Mode.EDGE, false, null, null, null, null, null, List.of());
        }

        public static Options answerer() {
            return new Options(Mode.ANSWERER, true, null, null, null, null, null, List.of());
        }

        public static Options offererFull() {
            return new Options(Mode.OFFERER_FULL, false, null, null, null, null, null, List.of());
        }

        /** Send every received payload back (not with sendOpusFile or dtmf: one RTP timeline). */
        public Options withEcho() {
            return new Options(mode, true, sendOpusFile, record, dtmf, duration, connectTimeout, extraArgs);
        }

        /** After connect, send this {@link OpusStreamFile}, one packet per 20 ms. */
        public Options withSendOpusFile(Path file) {
            return new Options(mode, echo, file, record, dtmf, duration, connectTimeout, extraArgs);
        }

        /** Write every received RTP packet to this file; read it with {@link #recording()}. */
        public Options withRecord(Path file) {
            return new Options(mode, echo, sendOpusFile, file, dtmf, duration, connectTimeout, extraArgs);
        }

        /** After connect, send these digits (0-9 * # A-D) as RFC 4733 events on PT 126. */
        public Options withDtmf(String digits) {
            return new Options(mode, echo, sendOpusFile, record, digits, duration, connectTimeout, extraArgs);
        }

        /** Close by itself this long after connected. */
        public Options withDuration(Duration d) {
            return new Options(mode, echo, sendOpusFile, record, dtmf, d, connectTimeout, extraArgs);
        }

        /** Give up (exit 1, "error" event) if not connected this long after the remote description. */
        public Options withConnectTimeout(Duration d) {
            return new Options(mode, echo, sendOpusFile, record, dtmf, duration, d, extraArgs);
        }

        public Options withArgs(String... args) {
            List<String> all = new ArrayList<>(extraArgs);
            all.addAll(List.of(args));
            return new Options(mode, echo, sendOpusFile, record, dtmf, duration, connectTimeout, all);
        }

        List<String> toArgs() {
            List<String> a = new ArrayList<>();
            a.add("-mode=" + mode.flag);
            if (echo && mode != Mode.ANSWERER) {
                a.add("-echo");
            }
            if (sendOpusFile != null) {
                a.add("-send-opus-file=" + sendOpusFile.toAbsolutePath());
            }
            if (record != null) {
                a.add("-record=" + record.toAbsolutePath());
            }
            if (dtmf != null && !dtmf.isEmpty()) {
                a.add("-dtmf=" + dtmf);
            }
            if (duration != null) {
                a.add("-duration=" + duration.toMillis() + "ms");
            }
            if (connectTimeout != null) {
                a.add("-connect-timeout=" + connectTimeout.toMillis() + "ms");
            }
            a.addAll(extraArgs);
            return a;
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "pion-peer-reaper"));
    }

    private final Options options;
    private final String name;
    private final Process process;
    private final Path stderrLog;
    private final OutputStream stdin;
    private final Thread reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<PionEvent> events = new ArrayList<>();
    private boolean stdoutClosed;
    private String protocolError;
    private boolean stdinClosed;

    private PionPeer(Options options, String name, Process process, Path stderrLog) {
        this.options = options;
        this.name = name;
        this.process = process;
        this.stderrLog = stderrLog;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name(name + "-stdout").start(this::readLines);
    }

    /**
     * Builds the Go binary unless an up-to-date one is in {@code target/pion-peer/}. Call it from a
     * {@code @BeforeAll} so that a cold build (tens of seconds) does not count against a test's timeout.
     */
    public static Path binary() {
        return PionPeerBinary.get();
    }

    /** Builds the binary if needed and starts a peer. */
    public static PionPeer start(Options options) {
        if (options.echo() && (options.sendOpusFile() != null || options.dtmf() != null)
                && options.mode() != Mode.ANSWERER) {
            throw new IllegalArgumentException("echo cannot be combined with sendOpusFile or dtmf");
        }
        Path binary = PionPeerBinary.get();
        String name = "pion-" + options.mode().flag + "-" + COUNTER.incrementAndGet();
        Path logs = binary.getParent().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path stderrLog = logs.resolve(name + ".stderr.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(options.toArgs());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(stderrLog.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + cmd, e);
        }
        LIVE.add(p);
        return new PionPeer(options, name, p, stderrLog);
    }

    public Options options() {
        return options;
    }

    public long pid() {
        return process.pid();
    }

    // ---- signalling -------------------------------------------------------------------------

    /** The offer SDP an offerer (edge, offerer-full) printed at start. */
    public String offer() {
        return offer(DEFAULT_TIMEOUT);
    }

    public String offer(Duration timeout) {
        requireMode(Mode.EDGE, Mode.OFFERER_FULL);
        return awaitSignal("offer", timeout).string("sdp");
    }

    /** Hands an answerer the offer to answer. */
    public void sendOffer(String sdp) {
        requireMode(Mode.ANSWERER);
        writeLine(Map.of("type", "offer", "sdp", sdp));
    }

    /** The answer SDP the answerer printed. */
    public String answer() {
        return answer(DEFAULT_TIMEOUT);
    }

    public String answer(Duration timeout) {
        requireMode(Mode.ANSWERER);
        return awaitSignal("answer", timeout).string("sdp");
    }

    /** Hands an offerer the answer; it applies it and starts connecting. */
    public void sendAnswer(String sdp) {
        requireMode(Mode.EDGE, Mode.OFFERER_FULL);
        writeLine(Map.of("type", "answer", "sdp", sdp));
    }

    private PionEvent awaitSignal(String type, Duration timeout) {
        return awaitLine(e -> e.signal() && e.name().equals(type), "a \"" + type + "\" line", timeout);
    }

    private void requireMode(Mode... modes) {
        for (Mode m : modes) {
            if (options.mode() == m) {
                return;
            }
        }
        throw new IllegalStateException(name + " is a " + options.mode() + " peer; this needs " + List.of(modes));
    }

    private void writeLine(Map<String, String> fields) {
        String line = JsonLine.write(new LinkedHashMap<>(fields)) + "\n";
        lock.lock();
        try {
            if (stdinClosed) {
                throw new IllegalStateException(name + ": already closed");
            }
            stdin.write(line.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + " no longer reads its input" + diagnostics(), e);
        } finally {
            lock.unlock();
        }
    }

    // ---- events -----------------------------------------------------------------------------

    /** Waits until the peer connection (ICE and DTLS) is connected; fails fast on "failed" or exit. */
    public PionEvent awaitConnected(Duration timeout) {
        return awaitEvent(e -> e.is("pc", "connected"), "pc connected", timeout,
                e -> e.is("pc", "failed") || e.name().equals("error"));
    }

    /** Waits for {@code {"event":event,"state":state}}, e.g. ("dtls", "connected"). */
    public PionEvent awaitState(String event, String state, Duration timeout) {
        return awaitEvent(e -> e.is(event, state), event + " " + state, timeout, e -> false);
    }

    /** Waits until the peer has counted at least {@code packets} received RTP packets. */
    public PionEvent.RtpCounters awaitPacketsReceived(long packets, Duration timeout) {
        return awaitEvent(e -> !e.signal() && (e.name().equals("rtp") || e.name().equals("summary"))
                        && e.longValue("packets_received") >= packets,
                packets + " RTP packets received", timeout, e -> e.name().equals("summary")).counters();
    }

    /** Waits for the summary the peer prints as it exits. */
    public PionEvent awaitSummary(Duration timeout) {
        return awaitEvent(e -> !e.signal() && e.name().equals("summary"), "summary", timeout, e -> false);
    }

    /** The first event with this name, if it has happened. */
    public Optional<PionEvent> event(String name) {
        return events().stream().filter(e -> !e.signal() && e.name().equals(name)).findFirst();
    }

    /** The latest RTP counters reported (every 500 ms and in the summary). */
    public PionEvent.RtpCounters counters() {
        List<PionEvent> all = events();
        for (int i = all.size() - 1; i >= 0; i--) {
            PionEvent e = all.get(i);
            if (!e.signal() && (e.name().equals("rtp") || e.name().equals("summary"))) {
                return e.counters();
            }
        }
        return PionEvent.RtpCounters.NONE;
    }

    /** Every line so far. */
    public List<PionEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the first line (from the start, not only new ones) matching {@code wanted}; fails
     * at once on a line matching {@code fatal}, on the peer's exit, or at the timeout.
     */
    public PionEvent awaitEvent(Predicate<PionEvent> wanted, String what, Duration timeout,
                                Predicate<PionEvent> fatal) {
        return awaitLine(wanted, what, timeout, fatal);
    }

    private PionEvent awaitLine(Predicate<PionEvent> wanted, String what, Duration timeout) {
        return awaitLine(wanted, what, timeout, e -> false);
    }

    private PionEvent awaitLine(Predicate<PionEvent> wanted, String what, Duration timeout,
                                Predicate<PionEvent> fatal) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        lock.lock();
        try {
            while (true) {
                for (; seen < events.size(); seen++) {
                    PionEvent e = events.get(seen);
                    if (wanted.test(e)) {
                        return e;
                    }
                    if (fatal.test(e)) {
                        throw new IllegalStateException(name + ": " + e + " while waiting for " + what + diagnostics());
                    }
                }
                if (protocolError != null) {
                    throw new IllegalStateException(name + ": " + protocolError + diagnostics());
                }
                if (stdoutClosed) {
                    throw new IllegalStateException(name + " ended (" + exitDescription() + ") before " + what
                            + diagnostics());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(name + ": no " + what + " within " + timeout + diagnostics());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                PionEvent e;
                try {
                    e = PionEvent.parse(line);
                } catch (IllegalArgumentException ex) {
                    setProtocolError("unreadable line from the peer: " + ex.getMessage());
                    continue;
                }
                lock.lock();
                try {
                    events.add(e);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            setProtocolError("reading its output: " + e);
        } finally {
            lock.lock();
            try {
                stdoutClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void setProtocolError(String message) {
        lock.lock();
        try {
            if (protocolError == null) {
                protocolError = message;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- media ------------------------------------------------------------------------------

    /** The packets recorded so far ({@code withRecord}); complete once the peer has exited. */
    public List<RecordedPacket> recording() {
        if (options.record() == null) {
            throw new IllegalStateException(name + " was started without withRecord(...)");
        }
        if (!Files.exists(options.record())) {
            return List.of();
        }
        return RecordedPacket.readAll(options.record());
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /** Asks the peer to close cleanly ({@code {"type":"close"}}, then end of input). */
    public void requestClose() {
        lock.lock();
        try {
            if (stdinClosed) {
                return;
            }
            if (process.isAlive()) {
                try {
                    stdin.write("{\"type\":\"close\"}\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                } catch (IOException ignored) {
                    // it is already going away; closing below is all that is left to do
                }
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // as above
            }
            stdinClosed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the process to end and returns its exit code (0: it connected and closed cleanly). */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + timeout + diagnostics());
            }
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Closes cleanly if the peer cooperates within 3 s, else kills it; always reaps the process. */
    @Override
    public void close() {
        requestClose();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    /** The peer's stderr (Pion's log) so far. */
    public String stderr() {
        try {
            return Files.exists(stderrLog) ? Files.readString(stderrLog, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + stderrLog + ": " + e + ")";
        }
    }

    private String exitDescription() {
        return process.isAlive() ? "output closed, process alive"
                : "exit code " + process.exitValue();
    }

    private String diagnostics() {
        StringBuilder b = new StringBuilder("\n  command: ").append(options.toArgs())
                .append("\n  last lines:");
        List<PionEvent> all = events();
        for (PionEvent e : all.subList(Math.max(0, all.size() - 12), all.size())) {
            b.append("\n    ").append(e);
        }
        String err = stderr().strip();
        if (err.length() > 2000) {
            err = "…" + err.substring(err.length() - 2000);
        }
        b.append("\n  stderr (").append(stderrLog).append("):").append(err.isEmpty() ? " (empty)" : "\n" + err);
        return b.toString();
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}
