package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.dtls.DtlsWarmup;
import dev.wavoice.media.transport.PortRange;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.agent.stream.MediaStreamsConnector;
import dev.wavoice.server.agent.stream.StreamCounters;
import dev.wavoice.server.agent.CallAgentSettings;
import dev.wavoice.server.agent.AgentHealth;
import dev.wavoice.server.agent.AgentKeepAlive;
import dev.wavoice.server.agent.AgentMedia;
import dev.wavoice.server.agent.AgentTool;
import dev.wavoice.server.agent.HttpToolInvoker;
import dev.wavoice.server.agent.SessionPolicy;
import dev.wavoice.server.agent.LocalAgentServer;
import dev.wavoice.server.agent.RealtimeConnector;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.recording.Recordings;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.CallLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses how calls are carried: the shared media port, then where each call's audio goes. Echo needs no codec;
 * the local and OpenAI agents get an {@link AgentRoute} (shared pacer and codec, one connector); the local agent
 * runs as a loopback WebSocket server inside this process, reached through the same connector as OpenAI.
 */
public final class CallMediaFactory {
    private static final Logger log = LoggerFactory.getLogger(CallMediaFactory.class);

    /** Opening an agent session (a socket, or over WebRTC a leg as well) takes at most this long. */
    private static final Duration AGENT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private CallMediaFactory() {}

    /**
     * The call media, what must be closed with the server (in order: agent side, pacer, media port), and the
     * agent check to run once the server has started (opens one session and closes it; a no-op without an agent),
     * and the loopback self-call that warms the answer path before {@code /ready} (null: no media to warm), and
     * the in-memory DTLS handshakes running in the background (done at once when there are none), and the name of the
     * agent that answers each WhatsApp phone number id (null: the configured agent's, for every number).
     */
    public record Opened(CallMedia media, AutoCloseable resources, Runnable agentCheck, SelfCall selfCall,
                         DtlsWarmup dtlsWarmup, Function<String, String> agentNames) {
        public Opened(CallMedia media, AutoCloseable resources) {
            this(media, resources, () -> { }, null, DtlsWarmup.start(0, null), null);
        }
    }

    public static Opened open(WavoiceConfig config, AgentConfig agent, CallLog callLog,
            ScheduledExecutorService timers, AgentHealth health, MeterRegistry metrics) throws IOException {
        return open(config, agent, new CallAgentSettings(), callLog, timers, health, metrics);
    }

    /** @param perCall agent settings a placed call asks for, by call id (read as each call's agent session opens) */
    public static Opened open(WavoiceConfig config, AgentConfig agent, CallAgentSettings perCall, CallLog callLog,
            ScheduledExecutorService timers, AgentHealth health, MeterRegistry metrics) throws IOException {
        return open(config, AgentDirectory.single(new AgentProfile(
                AgentProfile.defaultName(config.agent(), config.agentTransport()), config.agent(),
                config.agentTransport(), agent, null, false)), perCall, callLog, timers, health, metrics);
    }

    /** What every agent's route shares: made once, closed with the server. */
    private static final class Shared {
        final WavoiceConfig config;
        final WebRtcTransport transport;
        final OpusCodecs.Selection opus;
        final OpusCodec codec;
        final CallAgentSettings perCall;
        final CallLog callLog;
        final ScheduledExecutorService timers;
        final AgentHealth health;
        final MeterRegistry metrics;
        final List<AutoCloseable> resources;
        final List<Runnable> checks = new ArrayList<>();
        private Pacer pacer;
        private ExecutorService work;
        private Recordings recordings;
        private StreamCounters streamCounters;

        Shared(WavoiceConfig config, WebRtcTransport transport, OpusCodecs.Selection opus, OpusCodec codec,
                CallAgentSettings perCall, CallLog callLog, ScheduledExecutorService timers, AgentHealth health,
                MeterRegistry metrics, List<AutoCloseable> resources) {
            this.config = config;
            this.transport = transport;
            this.opus = opus;
            this.codec = codec;
            this.perCall = perCall;
            this.callLog = callLog;
            this.timers = timers;
            this.health = health;
            this.metrics = metrics;
            this.resources = resources;
        }

        /** The one 20 ms pacer every decoded-audio call shares, started on first use. */
        Pacer pacer() {
            if (pacer == null) {
                pacer = new Pacer(PacerConfig.defaults()).start();
                resources.add(pacer);
                PacerMetrics.register(pacer, metrics);
            }
            return pacer;
        }

        /** Runs the hand-off of caller audio to each session, off the pacer thread. */
        ExecutorService work() {
            if (work == null) {
                work = Executors.newVirtualThreadPerTaskExecutor();
                resources.add(work::shutdownNow);
            }
            return work;
        }

        /** How an agent's calls are recorded: not at all, or to the recordings directory (opened on first use). */
        CallRecorder recorder(AgentProfile agent) {
            if (!agent.recording()) {
                return CallRecorder.off();
            }
            if (recordings == null) {
                recordings = new Recordings(config.recordings(), this::pacer, callLog, metrics);
                resources.add(recordings);
                log.info("media.recordings dir={} keepDays={}", config.recordings().dir().toAbsolutePath(),
                        config.recordings().days());
            }
            return recordings.recorder(agent.name());
        }

        StreamCounters streamCounters() {
            if (streamCounters == null) {
                streamCounters = new StreamCounters(metrics);
            }
            return streamCounters;
        }
    }

    /**
     * @param agents  which agent answers which number (one for all, unless the agent config file maps numbers)
     * @param perCall agent settings a placed call asks for, and each call's facts, by call id
     */
    public static Opened open(WavoiceConfig config, AgentDirectory agents, CallAgentSettings perCall, CallLog callLog,
            ScheduledExecutorService timers, AgentHealth health, MeterRegistry metrics) throws IOException {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            WebRtcTransportConfig transportConfig = transportConfig(config);
            // With the start-up warm-up only (wavoice serve): servers embedded in code, tests among them, skip it.
            int warmup = config.warmup() ? dtlsWarmup(System.getenv()) : 0;
            WebRtcTransport transport = WebRtcTransport.open(transportConfig);
            resources.add(transport);
            MediaPortMetrics.register(transport, metrics);
            // Closed before the transport (reverse order): stops after its current in-memory handshake.
            DtlsWarmup dtlsWarmup = DtlsWarmup.start(warmup, transportConfig.dtls());
            resources.add(dtlsWarmup);
            // The echo line relays RTP and loads no codec at all.
            boolean decodes = agents.all().stream().anyMatch(AgentProfile::decodes);
            OpusCodecs.Selection opus = decodes ? opus(System.getenv()) : null;
            OpusCodec codec = opus == null ? null : new CountedOpusCodec(opus.codec(), metrics);
            Shared shared = new Shared(config, transport, opus, codec, perCall, callLog, timers, health, metrics,
                    resources);
            Map<AgentProfile, WebRtcCallMedia.AudioRoute> routes = new LinkedHashMap<>();
            for (AgentProfile profile : agents.all()) {
                routes.put(profile, route(profile, shared));
            }
            WebRtcCallMedia.AudioRoute route = agents.byNumber().isEmpty() ? routes.get(agents.fallback())
                    : new NumberRoutes(agents, routes, perCall);
            List<Runnable> checks = List.copyOf(shared.checks);
            // The self-call uses the bare codec, not the counted one: its frames are not calls' frames.
            return new Opened(new WebRtcCallMedia(transport, route), () -> closeAll(resources),
                    () -> checks.forEach(Runnable::run),
                    new LoopbackSelfCall(transport, opus == null ? null : opus.codec()), dtlsWarmup,
                    phoneNumberId -> agents.forNumber(phoneNumberId).name());
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** Where the calls of one agent go. */
    private static WebRtcCallMedia.AudioRoute route(AgentProfile agent, Shared shared) {
        WavoiceConfig config = shared.config;
        return switch (agent.kind()) {
            case ECHO -> new EchoRoute(shared.recorder(agent));
            case LOCAL, OPENAI -> {
                boolean webrtc = agent.transport() == AgentTransport.WEBRTC;
                // Over WebRTC the agent's connection is a media leg too: bounded like the caller's.
                Duration connectTimeout = webrtc && config.mediaConnectTimeout().compareTo(AGENT_CONNECT_TIMEOUT) < 0
                        ? config.mediaConnectTimeout() : AGENT_CONNECT_TIMEOUT;
                AgentKeepAlive keepAlive = config.agentStallTimeout() != null
                        ? AgentKeepAlive.after(config.agentStallTimeout())
                        : AgentKeepAlive.fromEnvironment(System.getenv());
                RealtimeConnector connector = connector(agent.kind(), agent.realtime(), shared.health,
                        shared.resources, webrtc ? shared.opus.codec() : null, connectTimeout, keepAlive,
                        shared.perCall);
                AgentRoute.ToolRunner tools = tools(connector, shared.resources, shared.perCall); // one for both routes
                // A call that falls back keeps the recording its WebRTC bridge began: the fallback records nothing.
                AgentRoute decoding = !webrtc || config.agentFallback() == AgentTransport.WEBSOCKET
                        ? audioRoute(agent, connector::open, tools, shared, AudioStreamConfig.speech(24_000),
                                config.agentUnavailable(), webrtc ? CallRecorder.off() : shared.recorder(agent))
                        : null;
                if (webrtc) {
                    WebRtcTransport transport = shared.transport;
                    AgentMedia checkLegs = n -> new AgentLeg(transport, "startup-check-" + n, n,
                            (l, b, o, len) -> { }, new SecureRandom());
                    shared.checks.add(() -> startupCheck(connector, checkLegs));
                    yield passthroughRoute(agent, config, connector, transport, tools, shared.callLog,
                            shared.timers, decoding, shared.opus.codec(), new RelayLatency().register(shared.metrics),
                            shared.recorder(agent));
                }
                shared.checks.add(() -> startupCheck(connector, null));
                yield decoding;
            }
            case STREAM -> {
                MediaStreamsConnector connector = new MediaStreamsConnector(agent.stream(), shared.perCall,
                        shared.streamCounters(), AGENT_CONNECT_TIMEOUT);
                shared.resources.add(connector);
                log.info("media.agent name={} stream={} format={}", agent.name(), agent.stream().url(),
                        agent.stream().format().configName());
                yield audioRoute(agent, connector::open, AgentRoute.ToolRunner.none(), shared,
                        AudioStreamConfig.speech(agent.stream().format().sampleRate()), config.agentUnavailable(),
                        shared.recorder(agent));
            }
            case PCM_ECHO -> audioRoute(agent, PcmEchoSession::open, AgentRoute.ToolRunner.none(), shared,
                    AudioStreamConfig.speech(24_000), AgentUnavailable.APOLOGY, shared.recorder(agent));
        };
    }

    /**
     * The zero-transcode route: a WebRTC leg to the agent per call on the same transport, Opus relayed both ways.
     * {@code fallback} is the decoding route calls move to when their WebRTC agent fails, or null.
     */
    private static PassthroughRoute passthroughRoute(AgentProfile agent, WavoiceConfig config,
            RealtimeConnector connector,
            WebRtcTransport transport, AgentRoute.ToolRunner tools, CallLog callLog, ScheduledExecutorService timers,
            AgentRoute fallback, OpusCodec toneCodec, RelayLatency latency, CallRecorder recorder) {
        log.info("media.audio_route agent={} transport=webrtc fallback={}", agent.name(),
                fallback == null ? "none" : "websocket");
        return new PassthroughRoute(agent.name(), connector::open, transport,
                tools, callLog, timers, config.agentUnavailable(),
                Duration.ofSeconds(3), ApologyTone.opusFrames(toneCodec), fallback, latency, recorder);
    }

    /** One connector for every call; the local agent runs as a loopback server of its own. */
    private static RealtimeConnector connector(AgentKind kind, AgentConfig agent, AgentHealth health,
            List<AutoCloseable> resources, OpusCodec localWebRtcCodec, Duration connectTimeout,
            AgentKeepAlive keepAlive, CallAgentSettings perCall) {
        AgentConfig effective = agent;
        if (kind == AgentKind.LOCAL) {
            LocalAgentServer local = LocalAgentServer.start(0, localWebRtcCodec);
            resources.add(local);
            // The local agent needs no key, and must never be sent the OpenAI one.
            effective = agent.withUrl(local.url()).withApiKey(Secret.none());
        } else if (!agent.apiKey().isPresent() && "api.openai.com".equals(agent.url().getHost())) {
            throw new ConfigException("WAVOICE_AGENT=openai needs OPENAI_API_KEY");
        }
        // Session limits have no flags: read from the environment like the OPENAI_* settings.
        RealtimeConnector connector = new RealtimeConnector(effective, connectTimeout,
                RealtimeConnector.DEFAULT_MAX_EVENT_CHARS, SessionPolicy.fromEnvironment(System.getenv()), health,
                keepAlive, perCall);
        resources.add(connector);
        log.info("media.agent url={}", effective.url());
        return connector;
    }

    /**
     * Runs the agent's tools: {@code schedule_callback} by call control, the HTTP tools of its config through one
     * invoker, closed with the server.
     */
    private static AgentRoute.ToolRunner tools(RealtimeConnector connector, List<AutoCloseable> resources,
            CallAgentSettings perCall) {
        HttpToolInvoker invoker = HttpToolInvoker.fromEnvironment(System.getenv());
        resources.add(invoker);
        List<AgentTool> tools = connector.config().tools();
        boolean callbacks = tools.stream().anyMatch(t -> t.name().equals(AgentTool.SCHEDULE_CALLBACK) && t.url() == null);
        if (callbacks) {
            perCall.offerCallbacks();
        }
        return (callId, call) -> callbacks && call.name().equals(AgentTool.SCHEDULE_CALLBACK)
                ? CompletableFuture.supplyAsync(() -> perCall.scheduleCallback(callId, call.argumentsJson()),
                        task -> Thread.ofVirtual().name("callback-tool").start(task))
                : invoker.invoke(callId, tools, call);
    }

    /**
     * Opens one agent session and closes it, in the background, so a wrong key or model shows in the startup log
     * and on {@code /ready} before the first caller meets it. No audio is sent, so nothing is billed.
     */
    private static void startupCheck(RealtimeConnector connector, AgentMedia media) {
        AgentConfig agent = connector.config();
        long started = System.nanoTime();
        connector.check(media).thenAccept(failure -> {
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (failure == null) {
                log.info("agent.check ok url={} model={} ms={}", agent.url(), agent.model(), ms);
            } else if (failure.permanent()) { // the WARN with what to fix came from AgentHealth already
                log.info("agent.check failed url={} code={} ms={}", agent.url(), failure.code(), ms);
            } else {
                log.warn("agent.check unreachable url={} code={} detail=\"{}\" ms={} (calls will try again)",
                        agent.url(), failure.code(), failure.detail(), ms);
            }
        });
    }

    /** A decoded-audio route: the shared 20 ms pacer, codec and hand-off executor, at the agent's PCM rate. */
    private static AgentRoute audioRoute(AgentProfile agent, AgentRoute.Connector connector,
            AgentRoute.ToolRunner tools, Shared shared, AudioStreamConfig audio, AgentUnavailable unavailable,
            CallRecorder recorder) {
        log.info("media.audio_route agent={} rate={} codec=\"{}\"", agent.name(), audio.pcmRate(),
                shared.opus.reason());
        return new AgentRoute(agent.name(), connector, tools, shared.pacer(), shared.codec, audio, shared.callLog,
                shared.timers, unavailable, Duration.ofSeconds(3), shared.work(), recorder);
    }

    /** Env var: {@code auto} (libopus when it loads, else pure Java), {@code java}, or {@code native} (required). */
    public static final String OPUS_ENV = "WAVOICE_OPUS";

    /**
     * In-memory DTLS handshakes run in the background at startup, so calls find that code compiled; 0: none. Part of
     * the start-up warm-up ({@code WAVOICE_WARMUP}): {@code /ready} waits for them too, within the warm-up's bound.
     */
    public static final String DTLS_WARMUP_ENV = "WAVOICE_DTLS_WARMUP";
    /**
     * Enough for the JIT to have compiled the handshake's hot code (a cold handshake costs 2.7× a warm one
     * for its first 300, 1.5× up to 600; BENCHMARKS.md), for about 4 s of CPU once per process.
     */
    static final int DEFAULT_DTLS_WARMUP = 500;

    static int dtlsWarmup(Map<String, String> env) {
        String value = env.get(DTLS_WARMUP_ENV);
        if (value == null || value.isBlank()) {
            return DEFAULT_DTLS_WARMUP;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(DTLS_WARMUP_ENV + ": a number of handshakes >= 0 expected, got \"" + value + "\"");
        }
    }

    /** The Opus codec {@value #OPUS_ENV} asks for; {@code native} without libopus is a startup error. */
    public static OpusCodecs.Selection opus(Map<String, String> env) {
        String value = env.get(OPUS_ENV);
        OpusCodecs.Preference preference;
        try {
            preference = value == null || value.isBlank() ? OpusCodecs.Preference.AUTO
                    : OpusCodecs.Preference.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(OPUS_ENV + ": " + e.getMessage());
        }
        try {
            return OpusCodecs.select(preference, null);
        } catch (IllegalStateException e) {
            throw new ConfigException(OPUS_ENV + "=native: " + e.getMessage());
        }
    }

    private static WebRtcTransportConfig transportConfig(WavoiceConfig config) throws IOException {
        WebRtcTransportConfig media = WebRtcTransportConfig.defaults(
                new InetSocketAddress(InetAddress.getByName(config.mediaHost()), config.mediaPort()));
        if (config.publicIp() != null) {
            media = media.withAnnouncedAddress(InetAddress.getByName(config.publicIp()));
        }
        if (config.mediaPorts() != null) {
            media = media.withPerCallPorts(PortRange.parse(config.mediaPorts()));
        }
        if (config.stunServer() != null) {
            int colon = config.stunServer().lastIndexOf(':');
            media = media.withStunServer(new InetSocketAddress(config.stunServer().substring(0, colon),
                    Integer.parseInt(config.stunServer().substring(colon + 1))));
        }
        return media;
    }

    /** Closes in reverse order of opening, so nothing is used after what it depends on is gone. */
    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("media.close_failed resource={} error=\"{}\"", resources.get(i).getClass().getSimpleName(),
                        e.toString());
            }
        }
    }
}
