package dev.wavoice.media.interop;

import dev.wavoice.media.dtls.DtlsRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Pion test peer (see {@code src/test/go/pionpeer/main.go}): WhatsApp's ICE-lite edge (offering, or
 * answering a business-initiated call), a plain Pion business-side answerer, or a full-ICE offerer. Builds the
 * Go binary on first use, talks to it in JSON lines over stdin/stdout, and keeps every line it printed as a
 * {@link PionEvent} so tests can await states and read {@code t_ms} timings. Pion's own log goes to a file under
 * {@code target/pion-peer/logs/}, quoted in every failure.
 *
 * <pre>{@code
 * try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withEcho())) {
 *     String answer = ourEndpoint.answer(edge.offer());
 *     edge.sendAnswer(answer);
 *     edge.awaitConnected(Duration.ofSeconds(5));
 * }
 * try (PionPeer edge = PionPeer.start(PionPeer.Options.edgeAnswerer(DtlsRole.CLIENT))) {
 *     WebRtcEndpoint ours = transport.offer("call-1", listener);
 *     edge.sendOffer(ours.localDescription());
 *     ours.applyAnswer(edge.answer());
 * }
 * }</pre>
 *
 * {@link #close()} asks the peer to stop, then destroys it if it does not; a JVM shutdown hook ends
 * any peer a test forgot, so no process outlives the test run.
 */
public final class PionPeer extends GoPeer<PionEvent> {

    public enum Mode {
        /** WhatsApp's edge: ICE-lite offerer, actpass, one 127.0.0.1 host candidate, Opus 111, telephone-event 126. */
        EDGE("edge"),
        /** A plain Pion business-side answerer: full ICE, setup:active, echoes what it receives. */
        ANSWERER("answerer"),
        /** A full-ICE offerer with setup:actpass. */
        OFFERER_FULL("offerer-full"),
        /**
         * WhatsApp's edge answering a business-initiated call: ICE-lite answerer, one 127.0.0.1 host candidate, the
         * offered Opus and telephone-event PTs, setup:active or setup:passive as {@link Options#dtlsRole} says.
         */
        EDGE_ANSWERER("edge-answerer");

        final String flag;

        Mode(String flag) {
            this.flag = flag;
        }
    }

    /**
     * What to start. {@code dtlsRole} is the DTLS role an {@link Mode#EDGE_ANSWERER} takes (null for the other
     * modes); {@code duration} counts from connected (null: run until {@link #close()}); {@code extraArgs} go to
     * the Go program as they are (e.g. {@code -log=debug}).
     */
    public record Options(Mode mode, DtlsRole dtlsRole, boolean echo, Path sendOpusFile, Path record, String dtmf,
                          Duration duration, Duration connectTimeout, List<String> extraArgs) {
        public Options {
            extraArgs = List.copyOf(extraArgs);
            if ((mode == Mode.EDGE_ANSWERER) != (dtlsRole != null)) {
                throw new IllegalArgumentException("a DTLS role is chosen for edge-answerer, and only for it");
            }
        }

        public static Options edge() {
            return new Options(Mode.EDGE, null, false, null, null, null, null, null, List.of());
        }

        public static Options answerer() {
            return new Options(Mode.ANSWERER, null, true, null, null, null, null, null, List.of());
        }

        public static Options offererFull() {
            return new Options(Mode.OFFERER_FULL, null, false, null, null, null, null, null, List.of());
        }

        /**
         * WhatsApp's edge answering our offer, taking {@code role} in DTLS: {@link DtlsRole#CLIENT} answers
         * {@code a=setup:active} (we become the DTLS server), {@link DtlsRole#SERVER} answers {@code a=setup:passive}.
         */
        public static Options edgeAnswerer(DtlsRole role) {
            return new Options(Mode.EDGE_ANSWERER, Objects.requireNonNull(role, "role"), false, null, null,
                    null, null, null, List.of());
        }

        /** Send every received payload back (not with sendOpusFile or dtmf: one RTP timeline). */
        public Options withEcho() {
            return new Options(mode, dtlsRole, true, sendOpusFile, record, dtmf, duration, connectTimeout, extraArgs);
        }

        /** After connect, send this {@link OpusStreamFile}, one packet per 20 ms. */
        public Options withSendOpusFile(Path file) {
            return new Options(mode, dtlsRole, echo, file, record, dtmf, duration, connectTimeout, extraArgs);
        }

        /** Write every received RTP packet to this file; read it with {@link #recording()}. */
        public Options withRecord(Path file) {
            return new Options(mode, dtlsRole, echo, sendOpusFile, file, dtmf, duration, connectTimeout, extraArgs);
        }

        /** After connect, send these digits (0-9 * # A-D) as RFC 4733 events on PT 126. */
        public Options withDtmf(String digits) {
            return new Options(mode, dtlsRole, echo, sendOpusFile, record, digits, duration, connectTimeout, extraArgs);
        }

        /** Close by itself this long after connected. */
        public Options withDuration(Duration d) {
            return new Options(mode, dtlsRole, echo, sendOpusFile, record, dtmf, d, connectTimeout, extraArgs);
        }

        /** Give up (exit 1, "error" event) if not connected this long after the remote description. */
        public Options withConnectTimeout(Duration d) {
            return new Options(mode, dtlsRole, echo, sendOpusFile, record, dtmf, duration, d, extraArgs);
        }

        public Options withArgs(String... args) {
            List<String> all = new ArrayList<>(extraArgs);
            all.addAll(List.of(args));
            return new Options(mode, dtlsRole, echo, sendOpusFile, record, dtmf, duration, connectTimeout, all);
        }

        List<String> toArgs() {
            List<String> a = new ArrayList<>();
            a.add("-mode=" + mode.flag);
            if (dtlsRole != null) {
                a.add("-dtls-role=" + dtlsRole.name().toLowerCase(Locale.ROOT));
            }
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
    private static final GoPeerProcess.Kind<PionEvent> KIND =
            new GoPeerProcess.Kind<>("the peer", PionEvent::parse, 12, Duration.ofSeconds(3));

    private final Options options;

    private PionPeer(Options options, GoPeerProcess<PionEvent> process) {
        super(process);
        this.options = options;
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
        return new PionPeer(options, GoPeerProcess.start(KIND, binary, name, options.toArgs()));
    }

    public Options options() {
        return options;
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

    /** Hands an answerer (plain or edge) the offer to answer. */
    public void sendOffer(String sdp) {
        requireMode(Mode.ANSWERER, Mode.EDGE_ANSWERER);
        writeLine(Map.of("type", "offer", "sdp", sdp));
    }

    /** The answer SDP the answerer printed. */
    public String answer() {
        return answer(DEFAULT_TIMEOUT);
    }

    public String answer(Duration timeout) {
        requireMode(Mode.ANSWERER, Mode.EDGE_ANSWERER);
        return awaitSignal("answer", timeout).string("sdp");
    }

    /** Hands an offerer the answer; it applies it and starts connecting. */
    public void sendAnswer(String sdp) {
        requireMode(Mode.EDGE, Mode.OFFERER_FULL);
        writeLine(Map.of("type", "answer", "sdp", sdp));
    }

    private PionEvent awaitSignal(String type, Duration timeout) {
        return awaitEvent(e -> e.signal() && e.name().equals(type), "a \"" + type + "\" line", timeout, e -> false);
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
        process.writeLine(JsonTree.write(new LinkedHashMap<>(fields)));
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

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}
