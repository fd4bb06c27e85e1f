package dev.wavoice.server.sim;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.playout.PacerStats;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WhatsApp's side for any number of simulated calls in one process: one outbound clock ({@link Pacer}), codec and
 * DTLS certificate for every caller, the Graph API stand-in and the webhook sender; and the users the server calls
 * ({@link SimulatedUser}). Each caller has its own UDP
 * port ({@link WebRtcTransport}, a socket and two small threads), as each WhatsApp call comes from its own
 * address: a wavoice media port ties a remote address to one call, so callers sharing a port could not be told
 * apart.
 *
 * <p>The callers are full ICE agents in the controlling role (they offer), not ICE-lite as Meta's edge is: the
 * media module has no lite mode. The server under test answers either way; the difference is a few STUN
 * checks.
 */
public final class SimulatedWhatsApp implements AutoCloseable {
    final Pacer pacer;
    private final CompletableFuture<InetSocketAddress> serverMedia = new CompletableFuture<>();
    final OpusCodec codec;
    final GraphStandIn graph;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String runId;
    private final AtomicLong sequence = new AtomicLong();
    private volatile WebhookSender webhooks;
    private volatile URI serverUrl;
    private volatile String appSecret;
    private volatile boolean timingPaused;
    private volatile boolean echoTiming;
    /** When each pacer tick began (a ring of 80 s): registered first, so it runs before any caller's stream. */
    private final long[] tickNanos = new long[4096];
    private volatile long latestTick = -1;

    private SimulatedWhatsApp(Pacer pacer, OpusCodec codec, GraphStandIn graph) {
        this.pacer = pacer;
        pacer.register((tick, now) -> {
            tickNanos[(int) (tick & (tickNanos.length - 1))] = now;
            latestTick = tick;
        });
        this.codec = codec;
        this.graph = graph;
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id).toUpperCase(java.util.Locale.ROOT);
    }

    /** Starts the Graph stand-in on {@code graphPort} (0: any) on 127.0.0.1, and the callers' clock. */
    public static SimulatedWhatsApp open(int graphPort) throws IOException {
        GraphStandIn graph = GraphStandIn.start(graphPort);
        try {
            Pacer pacer = new Pacer(new PacerConfig("sim-pacer", Duration.ofMillis(20), Duration.ZERO, 5,
                    Duration.ofMillis(5))).start();
            return new SimulatedWhatsApp(pacer, OpusCodecs.best().codec(), graph);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** A caller's own media port on loopback; its ICE ticker runs every 20 ms (plenty for loopback checks). */
    WebRtcTransport openTransport() throws IOException {
        WebRtcTransportConfig d = WebRtcTransportConfig.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return WebRtcTransport.open(new WebRtcTransportConfig(d.bind(), null, null, d.ice(), d.dtls(), Duration.ofMillis(20),
                null));
    }

    /** Where webhooks go from now on, signed with {@code appSecret}. */
    public SimulatedWhatsApp target(URI serverUrl, String appSecret) {
        this.webhooks = new WebhookSender(serverUrl, appSecret, http);
        this.serverUrl = serverUrl;
        this.appSecret = appSecret;
        return this;
    }

    /** The Graph API base URL the server under test must be configured with. */
    public URI graphUrl() {
        return graph.url();
    }

    /**
     * A new WhatsApp user for the server to call, at {@code number} (null: a unique one), who answers from {@code
     * phoneNumberId}'s calls with {@code callbackData}; {@link SimulatedUser#callAndPickUp} asks the server to call.
     */
    public SimulatedUser user(String number, String phoneNumberId, String callbackData, VoiceSource source,
            EncodedVoice encoded, boolean record) {
        if (webhooks == null) {
            throw new IllegalStateException("target(serverUrl, appSecret) first");
        }
        long n = sequence.incrementAndGet();
        String to = number != null ? number : "1556" + String.format("%07d", n % 10_000_000);
        return new SimulatedUser(this, webhooks, to, phoneNumberId, callbackData, source, encoded, record);
    }

    /** A new caller with a unique call id and number; {@link SimulatedCaller#dial()} places the call. */
    public SimulatedCaller caller(VoiceSource source, boolean record) {
        return caller(source, null, record);
    }

    /**
     * A caller that replays {@code encoded} (the same voice, encoded once for all callers: the cheap way to run
     * many); {@code source} still names the tone to listen for.
     */
    public SimulatedCaller caller(VoiceSource source, EncodedVoice encoded, boolean record) {
        if (webhooks == null) {
            throw new IllegalStateException("target(serverUrl, appSecret) first");
        }
        long n = sequence.incrementAndGet();
        String callId = "wacid.SIM-" + runId + "-" + n;
        String number = "1555" + String.format("%07d", n % 10_000_000);
        return new SimulatedCaller(this, webhooks, callId, number, source, encoded, record);
    }

    /**
     * Stops judging frame timing (for a deliberate stall of the server, such as a forced GC for the heap
     * figure); packets are still counted.
     */
    public void pauseTiming() {
        timingPaused = true;
    }

    public void resumeTiming() {
        timingPaused = false;
    }

    /**
     * The server echoes the callers' own packets (the echo line): time what comes back against when each frame
     * was sent rather than against the RTP grid, so the callers' clock is not counted against the server.
     */
    public SimulatedWhatsApp echoTiming(boolean on) {
        this.echoTiming = on;
        return this;
    }

    boolean echoTiming() {
        return echoTiming;
    }

    /** When pacer tick {@code tick} began, or -1 when not (or no longer) known. */
    long tickNanos(long tick) {
        long latest = latestTick;
        if (tick < 0 || tick > latest || latest - tick >= tickNanos.length) {
            return -1;
        }
        long at = tickNanos[(int) (tick & (tickNanos.length - 1))];
        return at == 0 ? -1 : at;
    }

    boolean timingPaused() {
        return timingPaused;
    }

    /** The callers' own outbound clock: late ticks here would blur the server's figures. */
    public PacerStats pacerStats() {
        return pacer.stats();
    }

    /** Encodes a voice once for many callers, with the callers' codec. */
    public EncodedVoice encode(VoiceSource source, int cycleFrames) {
        return EncodedVoice.encode(codec, source, cycleFrames);
    }

    /**
     * The server's media address as the first connected caller's ICE chose it (what a flood of garbage aims at);
     * completes once a call has connected.
     */
    public CompletableFuture<InetSocketAddress> serverMediaAddress() {
        return serverMedia;
    }

    void connectedTo(InetSocketAddress serverMediaAddress) {
        serverMedia.complete(serverMediaAddress);
    }

    /** Graph actions on calls a webhook flood's forged events named (each a call the server should not have taken). */
    public long graphActionsForFloodCalls() {
        return graph.floodCallActions();
    }

    /** The server the webhooks go to, and the secret they are signed with (for a flood's altered bodies). */
    URI serverUrl() {
        return serverUrl;
    }

    String appSecret() {
        return appSecret;
    }

    public long graphActionsForUnknownCalls() {
        return graph.unknownCalls();
    }

    @Override
    public void close() {
        pacer.close();
        graph.close();
        http.close();
    }
}
