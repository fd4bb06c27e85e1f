package dev.wavoice.media.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A running stand-in for OpenAI's Realtime API over WebRTC (see {@code src/test/go/openaistandin/main.go}):
 * {@code POST /v1/realtime/calls} answers an SDP offer with Pion, {@code GET /v1/realtime?call_id=…} is the
 * call's sideband WebSocket, and the media path plays Opus files as the model's voice and records what the
 * caller sent. It follows OpenAI's public API shapes, not wavoice's code, so a test against it proves
 * interop rather than self-consistency.
 *
 * <pre>{@code
 * try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults()
 *         .withKey("sk-test").withGreetingOpusFile(greeting).withRecordDir(dir))) {
 *     // POST the offer to openai.callsUri(), open openai.sidebandUri(callId) ...
 *     StandInEvent done = openai.awaitServerEvent(callId, "response.done", Duration.ofSeconds(10));
 *     List<byte[]> heard = openai.recordedPayloads(callId);
 * }
 * }</pre>
 *
 * Every stdout line is kept as a {@link StandInEvent}; the Go program's stderr (Pion's log) goes to a file
 * under {@code target/openaistandin/logs/}, quoted in every failure. {@link #close()} asks it to stop,
 * then destroys it if it does not; a JVM shutdown hook ends any stand-in a test forgot.
 */
public final class OpenAiStandIn extends GoPeer<StandInEvent> {

    /**
     * What to start. Null, 0 and false leave a flag unset; {@code extraArgs} go to the program as they are
     * (e.g. {@code -reply-text=Hi}, {@code -speech-frames=5}, {@code -log=debug}).
     *
     * @param key              the API key the stand-in expects ({@code Authorization: Bearer}); null: any
     * @param models           the models a session may name (null: just {@code gpt-realtime})
     * @param greetingOpusFile {@link OpusStreamFile} played in answer to {@code response.create}
     * @param replyOpusFile    {@link OpusStreamFile} played after the caller stops speaking
     * @param recordDir        where each call's received Opus payloads go, {@code <call_id>.pkts}
     * @param failStatus       answer every POST (or the first {@code failFirst}) with this HTTP error
     * @param failFirst        fail only the first N POSTs (status {@code failStatus}, default 500)
     * @param badSdp           answer 201 with a body that is not SDP
     * @param noOpus           answer 201 with an SDP that has only PCMU
     * @param answerDelay      wait this long before answering a POST
     * @param dropAfter        drop the first call's PeerConnection and sideband this long after it connected
     * @param toolCall         {@code NAME:ARGSJSON}: after the caller first stops speaking, call this
     *                         function; the reply plays after the client's function_call_output and
     *                         response.create
     */
    public record Options(String key, List<String> models, Path greetingOpusFile, Path replyOpusFile,
                          Path recordDir, int failStatus, int failFirst, boolean badSdp, boolean noOpus,
                          Duration answerDelay, Duration dropAfter, String toolCall, List<String> extraArgs) {
        public Options {
            models = models == null ? null : List.copyOf(models);
            extraArgs = List.copyOf(extraArgs);
        }

        public static Options defaults() {
            return new Options(null, null, null, null, null, 0, 0, false, false, null, null, null, List.of());
        }

        public Options withKey(String k) {
            return new Options(k, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    noOpus, answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withModels(String... m) {
            return new Options(key, List.of(m), greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst,
                    badSdp, noOpus, answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withGreetingOpusFile(Path f) {
            return new Options(key, models, f, replyOpusFile, recordDir, failStatus, failFirst, badSdp, noOpus,
                    answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withReplyOpusFile(Path f) {
            return new Options(key, models, greetingOpusFile, f, recordDir, failStatus, failFirst, badSdp, noOpus,
                    answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withRecordDir(Path d) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, d, failStatus, failFirst, badSdp, noOpus,
                    answerDelay, dropAfter, toolCall, extraArgs);
        }

        /** Every POST answers {@code status} (500 → server_error, 429 → rate_limit_exceeded, 4xx → invalid_request_error). */
        public Options withFailStatus(int status) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, status, failFirst, badSdp,
                    noOpus, answerDelay, dropAfter, toolCall, extraArgs);
        }

        /** Only the first {@code n} POSTs fail (with {@link #withFailStatus}, else 500), then calls succeed. */
        public Options withFailFirst(int n) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, n, badSdp,
                    noOpus, answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withBadSdp() {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, true,
                    noOpus, answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withNoOpus() {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    true, answerDelay, dropAfter, toolCall, extraArgs);
        }

        public Options withAnswerDelay(Duration d) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    noOpus, d, dropAfter, toolCall, extraArgs);
        }

        public Options withDropAfter(Duration d) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    noOpus, answerDelay, d, toolCall, extraArgs);
        }

        /** {@code name} is called with {@code argumentsJson} (e.g. {@code {"reason":"done"}}). */
        public Options withToolCall(String name, String argumentsJson) {
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    noOpus, answerDelay, dropAfter, name + ":" + argumentsJson, extraArgs);
        }

        public Options withArgs(String... args) {
            List<String> all = new ArrayList<>(extraArgs);
            all.addAll(List.of(args));
            return new Options(key, models, greetingOpusFile, replyOpusFile, recordDir, failStatus, failFirst, badSdp,
                    noOpus, answerDelay, dropAfter, toolCall, all);
        }

        List<String> toArgs() {
            List<String> a = new ArrayList<>();
            a.add("-listen=127.0.0.1:0");
            if (key != null && !key.isEmpty()) {
                a.add("-key=" + key);
            }
            if (models != null) {
                a.add("-models=" + String.join(",", models));
            }
            if (greetingOpusFile != null) {
                a.add("-greeting-opus-file=" + greetingOpusFile.toAbsolutePath());
            }
            if (replyOpusFile != null) {
                a.add("-reply-opus-file=" + replyOpusFile.toAbsolutePath());
            }
            if (recordDir != null) {
                a.add("-record-dir=" + recordDir.toAbsolutePath());
            }
            if (failStatus != 0) {
                a.add("-fail-status=" + failStatus);
            }
            if (failFirst != 0) {
                a.add("-fail-first=" + failFirst);
            }
            if (badSdp) {
                a.add("-bad-sdp");
            }
            if (noOpus) {
                a.add("-no-opus");
            }
            if (answerDelay != null) {
                a.add("-answer-delay=" + answerDelay.toMillis() + "ms");
            }
            if (dropAfter != null) {
                a.add("-drop-after=" + dropAfter.toMillis() + "ms");
            }
            if (toolCall != null) {
                a.add("-tool-call=" + toolCall);
            }
            a.addAll(extraArgs);
            return a;
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final GoPeerProcess.Kind<StandInEvent> KIND =
            new GoPeerProcess.Kind<>("the stand-in", StandInEvent::parse, 20, Duration.ofSeconds(5));

    private final Options options;
    private int port;

    private OpenAiStandIn(Options options, GoPeerProcess<StandInEvent> process) {
        super(process);
        this.options = options;
    }

    /**
     * Builds the Go binary unless an up-to-date one is in {@code target/openaistandin/}. Call it from a
     * {@code @BeforeAll} so that a cold build does not count against a test's timeout.
     */
    public static Path binary() {
        return PionPeerBinary.get(PionPeerBinary.OPENAI_STAND_IN);
    }

    /** Builds the binary if needed, starts the stand-in and waits until it listens. */
    public static OpenAiStandIn start(Options options) {
        Path binary = binary();
        String name = "openai-stand-in-" + COUNTER.incrementAndGet();
        OpenAiStandIn standIn = new OpenAiStandIn(options, GoPeerProcess.start(KIND, binary, name, options.toArgs()));
        try {
            standIn.port = (int) standIn.awaitEvent(e -> e.name().equals("listening"), "listening", START_TIMEOUT)
                    .longValue("port");
        } catch (RuntimeException e) {
            standIn.close();
            throw e;
        }
        return standIn;
    }

    public Options options() {
        return options;
    }

    // ---- addresses ----------------------------------------------------------------------------

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, the stand-in's API base (OpenAI's {@code https://api.openai.com}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Where the SDP offer is POSTed: {@code http://127.0.0.1:<port>/v1/realtime/calls}. */
    public URI callsUri() {
        return URI.create(baseUrl() + "/v1/realtime/calls");
    }

    /** {@code ws://127.0.0.1:<port>/v1/realtime}; the sideband adds {@code ?call_id=rtc_…}. */
    public String realtimeUrl() {
        return "ws://127.0.0.1:" + port + "/v1/realtime";
    }

    public URI sidebandUri(String callId) {
        return URI.create(realtimeUrl() + "?call_id=" + callId);
    }

    // ---- events -----------------------------------------------------------------------------

    /**
     * Waits for the first line (from the start, not only new ones) matching {@code wanted}; fails at once
     * on the stand-in's exit, or at the timeout, quoting its last lines and stderr.
     */
    public StandInEvent awaitEvent(Predicate<StandInEvent> wanted, String what, Duration timeout) {
        return awaitEvent(wanted, what, timeout, e -> false);
    }

    /** Waits for the line {@code event} about {@code callId} (any call when null). */
    public StandInEvent awaitEvent(String event, String callId, Duration timeout) {
        return awaitEvent(e -> e.is(event, callId), event + (callId == null ? "" : " for " + callId), timeout);
    }

    /** Waits for the n-th (1-based) call_created line and returns its call id. */
    public String awaitCallCreated(int n, Duration timeout) {
        AtomicInteger count = new AtomicInteger();
        return awaitEvent(e -> e.name().equals("call_created") && count.incrementAndGet() == n,
                "call_created #" + n, timeout).callId();
    }

    /** Waits until the stand-in sent the server event {@code type} on the call's sideband (or tried to). */
    public StandInEvent awaitServerEvent(String callId, String type, Duration timeout) {
        return awaitEvent(e -> e.is("server_event", callId) && type.equals(e.type()),
                "server event " + type + " for " + callId, timeout);
    }

    /** Waits until the client sent the event {@code type} on the call's sideband. */
    public StandInEvent awaitClientEvent(String callId, String type, Duration timeout) {
        return awaitEvent(e -> e.is("client_event", callId) && type.equals(e.type()),
                "client event " + type + " for " + callId, timeout);
    }

    /** The ids of the calls created so far, in order. */
    public List<String> callIds() {
        return events().stream().filter(e -> e.name().equals("call_created")).map(StandInEvent::callId).toList();
    }

    /** The types of the events the client sent on the call's sideband, in order. */
    public List<String> clientEventTypes(String callId) {
        return events().stream().filter(e -> e.is("client_event", callId)).map(StandInEvent::type).toList();
    }

    /** The events the client sent on the call's sideband, parsed, in order. */
    public List<Map<String, Object>> clientEvents(String callId) {
        return events().stream().filter(e -> e.is("client_event", callId)).map(StandInEvent::json).toList();
    }

    /** The types of the server events the stand-in sent (or, without a sideband, would have sent), in order. */
    public List<String> serverEventTypes(String callId) {
        return events().stream().filter(e -> e.is("server_event", callId)).map(StandInEvent::type).toList();
    }

    // ---- media ------------------------------------------------------------------------------

    /** The file the call's received Opus payloads are written to ({@link Options#recordDir()}). */
    public Path recording(String callId) {
        if (options.recordDir() == null) {
            throw new IllegalStateException(name + " was started without withRecordDir(...)");
        }
        return options.recordDir().resolve(callId + ".pkts");
    }

    /**
     * The Opus payloads the call received so far, in arrival order (complete once the call has ended). A
     * packet still being written at the end of the file is left out.
     */
    public List<byte[]> recordedPayloads(String callId) {
        Path f = recording(callId);
        if (!Files.exists(f)) {
            return List.of();
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> out = new ArrayList<>();
        while (b.remaining() >= 2) {
            int n = Short.toUnsignedInt(b.getShort(b.position()));
            if (b.remaining() < 2 + n) {
                break;
            }
            b.position(b.position() + 2);
            byte[] p = new byte[n];
            b.get(p);
            out.add(p);
        }
        return out;
    }

    // ---- control ----------------------------------------------------------------------------

    /** Drops the call's legs at once (PeerConnection and sideband), as {@code -drop-after} does. */
    public void dropCall(String callId) {
        writeLine("{\"type\":\"drop\",\"call_id\":\"" + callId + "\"}");
    }

    private void writeLine(String json) {
        process.writeLine(json);
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ", port " + port + ")";
    }
}
