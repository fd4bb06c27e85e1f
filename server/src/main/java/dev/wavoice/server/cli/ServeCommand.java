package dev.wavoice.server.cli;

import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.config.RecordingSettings;
import dev.wavoice.server.web.ExtraRoutes;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.config.WavoiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import sun.misc.Signal;
import picocli.CommandLine.Option;

/**
 * {@code wavoice serve}: the service. Every option reads its environment variable first (the variable names are
 * a fixed contract) and falls back to the documented default.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the wavoice service.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--http-host", description = "Address the HTTP server binds (env WAVOICE_HTTP_HOST, default 0.0.0.0).")
    String httpHost;

    @Option(names = "--http-port", description = "HTTP port (env WAVOICE_HTTP_PORT, default 8080).")
    Integer httpPort;

    @Option(names = "--media-port", description = "The one UDP port all calls' media share (env WAVOICE_MEDIA_PORT, default 40000).")
    Integer mediaPort;

    @Option(names = "--media-ports", description = "first-last: give each call a UDP port of its own from this range instead of the shared port, for edges that reuse one address across calls (env WAVOICE_MEDIA_PORTS, e.g. 40000-40999).")
    String mediaPorts;

    @Option(names = "--media-host", description = "Address the media UDP port binds (env WAVOICE_MEDIA_HOST, default 0.0.0.0).")
    String mediaHost;

    @Option(names = "--stun-server", description = "host:port of a STUN server asked once for the media port's public address (env WAVOICE_STUN_SERVER).")
    String stunServer;

    @Option(names = "--public-ip", description = "Address announced in ICE candidates when behind NAT (env WAVOICE_PUBLIC_IP).")
    String publicIp;

    @Option(names = "--db-url", description = "Call-log JDBC URL (env WAVOICE_DB_URL; default an H2 file database under ./data/).")
    String dbUrl;

    @Option(names = "--app-secret", description = "Meta app secret for webhook signatures (env WHATSAPP_APP_SECRET).")
    String appSecret;

    @Option(names = "--verify-token", description = "Token Meta echoes when verifying the webhook (env WHATSAPP_VERIFY_TOKEN).")
    String verifyToken;

    @Option(names = "--access-token", description = "Graph API access token (env WHATSAPP_ACCESS_TOKEN).")
    String accessToken;

    @Option(names = "--phone-number-id", description = "Business phone number id, used when a webhook's metadata lacks it (env WHATSAPP_PHONE_NUMBER_ID).")
    String phoneNumberId;

    @Option(names = "--graph-url", description = "Graph API base URL (env WHATSAPP_GRAPH_URL, default https://graph.facebook.com).")
    String graphUrl;

    @Option(names = "--graph-version", description = "Graph API version (env WHATSAPP_GRAPH_VERSION, default v23.0).")
    String graphVersion;

    @Option(names = "--permission-template", description = "Approved template with a call permission request component, sent outside the 24 h customer-service window (env WAVOICE_PERMISSION_TEMPLATE; unset: no request outside the window).")
    String permissionTemplate;

    @Option(names = "--permission-template-language", description = "Language code of that template (env WAVOICE_PERMISSION_TEMPLATE_LANGUAGE, default en).")
    String permissionTemplateLanguage;

    @Option(names = "--permission-cache-seconds", description = "How long a stored call permission grant is used before Graph is asked again (env WAVOICE_PERMISSION_CACHE_SECONDS, default 60).")
    Integer permissionCacheSeconds;

    @Option(names = "--agent", description = "local | echo | pcm-echo | openai | stream (env WAVOICE_AGENT; default openai when OPENAI_API_KEY is set, else local; stream: a Media Streams bot at WAVOICE_STREAM_URL).")
    String agent;

    @Option(names = "--agent-unavailable", description = "auto | apology | reject: when the agent fails while the call rings, answer with a short apology tone then hang up, or reject the call; auto rejects when the failure is permanent (a refused key, no quota, an unknown model) and apologises otherwise (env WAVOICE_AGENT_UNAVAILABLE, default auto).")
    String agentUnavailable;

    @Option(names = "--agent-transport", description = "websocket | webrtc: how calls reach an OpenAI-compatible agent; webrtc relays Opus between a WebRTC leg to the agent and the caller without transcoding (env WAVOICE_AGENT_TRANSPORT, default websocket).")
    String agentTransport;

    @Option(names = "--agent-fallback", description = "none | websocket: with --agent-transport webrtc, carry a call over the WebSocket transport when its WebRTC agent leg cannot be set up or is lost for good (env WAVOICE_AGENT_FALLBACK, default none).")
    String agentFallback;

    @Option(names = "--max-calls", description = "Concurrent calls; more are rejected (env WAVOICE_MAX_CALLS, default 100).")
    Integer maxCalls;

    @Option(names = "--admin-token", description = "Bearer token for the call-log API and dashboard (env WAVOICE_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--ring-timeout", description = "Seconds a call may ring before it is given up (env WAVOICE_RING_TIMEOUT_SECONDS, default 60).")
    Integer ringTimeoutSeconds;

    @Option(names = "--dial-timeout", description = "Seconds a call the business places may ring unanswered before it is ended (env WAVOICE_DIAL_TIMEOUT_SECONDS, default 60).")
    Integer dialTimeoutSeconds;

    @Option(names = "--grant-wait", description = "Seconds a call placed with dial_on_grant waits for the user's call permission (env WAVOICE_GRANT_WAIT_SECONDS, default 3600).")
    Integer grantWaitSeconds;

    @Option(names = "--max-call-duration", description = "Seconds after which a call is hung up (env WAVOICE_MAX_CALL_SECONDS, default 14400).")
    Integer maxCallSeconds;

    @Option(names = "--media-connect-timeout", description = "Seconds to wait for ICE+DTLS after pre_accept (env WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS, default 10).")
    Integer mediaConnectSeconds;

    @Option(names = "--instance-id", description = "This instance's name among its peers on one PostgreSQL (env WAVOICE_INSTANCE_ID; default host name plus a random suffix).")
    String instanceId;

    @Option(names = "--internal-url", description = "Base URL peers reach this instance's HTTP port at, for forwarded webhooks (env WAVOICE_INTERNAL_URL; e.g. http://10.0.3.7:8080).")
    String internalUrl;

    @Option(names = "--cluster-secret", description = "Secret instances sign forwarded webhooks with (env WAVOICE_CLUSTER_SECRET; default the app secret).")
    String clusterSecret;

    @Option(names = "--drain-seconds", description = "On SIGTERM: how long live calls may run on before they are ended (env WAVOICE_DRAIN_SECONDS, default 30).")
    Integer drainSeconds;

    @Option(names = "--warmup", negatable = true, description = "Before /ready turns true, place a few loopback calls to this process through the whole answer path (SDP, ICE, DTLS, SRTP, Opus) so the first caller is answered as fast as later ones; --no-warmup skips it (env WAVOICE_WARMUP, default true).")
    Boolean warmup;

    @Option(names = "--exit-after-warmup", description = "Start, run the warm-up, then stop: the training run that records the JDK's ahead-of-time cache (./wavoice aot-cache).")
    boolean exitAfterWarmup;

    @Option(names = "--log-format", description = "text | json (env WAVOICE_LOG_FORMAT, default text).")
    String logFormat; // applied by LogSetup before the first logger exists; declared here for --help

    WavoiceConfig config() {
        return config(System.getenv());
    }

    /** Flag, else environment variable (blank counts as unset), else the documented default. */
    WavoiceConfig config(Map<String, String> env) {
        Settings in = new Settings(env);
        return WavoiceConfig.builder()
                .httpHost(in.text(httpHost, "WAVOICE_HTTP_HOST", "0.0.0.0"))
                .httpPort(in.number(httpPort, "WAVOICE_HTTP_PORT", WavoiceConfig.DEFAULT_HTTP_PORT))
                .mediaPort(in.number(mediaPort, "WAVOICE_MEDIA_PORT", WavoiceConfig.DEFAULT_MEDIA_PORT))
                .mediaHost(in.text(mediaHost, "WAVOICE_MEDIA_HOST", "0.0.0.0"))
                .mediaPorts(in.text(mediaPorts, "WAVOICE_MEDIA_PORTS", null))
                .publicIp(in.text(publicIp, "WAVOICE_PUBLIC_IP", null))
                .stunServer(in.text(stunServer, "WAVOICE_STUN_SERVER", null))
                .dbUrl(in.text(dbUrl, "WAVOICE_DB_URL", WavoiceConfig.defaultDbUrl()))
                .appSecret(in.text(appSecret, "WHATSAPP_APP_SECRET", null))
                .verifyToken(in.text(verifyToken, "WHATSAPP_VERIFY_TOKEN", null))
                .accessToken(in.text(accessToken, "WHATSAPP_ACCESS_TOKEN", null))
                .phoneNumberId(in.text(phoneNumberId, "WHATSAPP_PHONE_NUMBER_ID", null))
                .graphUrl(in.uri(graphUrl, "WHATSAPP_GRAPH_URL", WavoiceConfig.DEFAULT_GRAPH_URL))
                .graphVersion(in.text(graphVersion, "WHATSAPP_GRAPH_VERSION", WavoiceConfig.DEFAULT_GRAPH_VERSION))
                .permissions(new PermissionSettings(in.text(permissionTemplate, "WAVOICE_PERMISSION_TEMPLATE", null),
                        in.text(permissionTemplateLanguage, "WAVOICE_PERMISSION_TEMPLATE_LANGUAGE", "en"),
                        Duration.ofSeconds(in.number(permissionCacheSeconds, "WAVOICE_PERMISSION_CACHE_SECONDS", 60))))
                .agent(AgentKind.resolve(in.text(agent, "WAVOICE_AGENT", null),
                        in.text(null, "OPENAI_API_KEY", null) != null))
                .agentUnavailable(AgentUnavailable.parse(in.text(agentUnavailable, "WAVOICE_AGENT_UNAVAILABLE", "auto")))
                .agentTransport(AgentTransport.parse(in.text(agentTransport, "WAVOICE_AGENT_TRANSPORT", "websocket")))
                .agentFallback(AgentTransport.parseFallback(in.text(agentFallback, "WAVOICE_AGENT_FALLBACK", null)))
                .maxCalls(in.number(maxCalls, "WAVOICE_MAX_CALLS", WavoiceConfig.DEFAULT_MAX_CALLS))
                .adminToken(in.text(adminToken, "WAVOICE_ADMIN_TOKEN", null))
                .ringTimeout(Duration.ofSeconds(in.number(ringTimeoutSeconds, "WAVOICE_RING_TIMEOUT_SECONDS", 60)))
                .dialTimeout(Duration.ofSeconds(in.number(dialTimeoutSeconds, "WAVOICE_DIAL_TIMEOUT_SECONDS", 60)))
                .grantWait(Duration.ofSeconds(in.number(grantWaitSeconds, "WAVOICE_GRANT_WAIT_SECONDS", 3600)))
                .maxCallDuration(Duration.ofSeconds(in.number(maxCallSeconds, "WAVOICE_MAX_CALL_SECONDS", 14400)))
                .mediaConnectTimeout(Duration.ofSeconds(
                        in.number(mediaConnectSeconds, "WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS", 10)))
                .instanceId(in.text(instanceId, "WAVOICE_INSTANCE_ID", null))
                .internalUrl(in.uri(internalUrl, "WAVOICE_INTERNAL_URL", null))
                .clusterSecret(in.text(clusterSecret, "WAVOICE_CLUSTER_SECRET", null))
                .drainTimeout(Duration.ofSeconds(in.number(drainSeconds, "WAVOICE_DRAIN_SECONDS", 30)))
                .warmup(exitAfterWarmup || (warmup != null ? warmup : in.flag("WAVOICE_WARMUP", true)))
                .recordings(new RecordingSettings(Path.of(in.text(null, "WAVOICE_RECORDINGS_DIR",
                        RecordingSettings.DEFAULT_DIR.toString())),
                        in.number(null, "WAVOICE_RECORDING_DAYS", RecordingSettings.DEFAULT_DAYS)))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        WavoiceConfig config;
        WavoiceServer server;
        try {
            config = config();
            server = WavoiceServer.create(config, AgentDirectory.fromEnvironment(System.getenv(), config.agent(),
                    config.agentTransport()), ExtraRoutes.NONE).start();
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("wavoice: " + e.getMessage());
            return 2;
        }
        if (exitAfterWarmup) {
            var outcome = server.warmedUp().get();
            server.close();
            return outcome != null && outcome.failure() == null ? 0 : 1;
        }
        // SIGTERM (Kubernetes, docker stop) and Ctrl-C drain: /ready turns false, new calls go to peers, live calls
        // run on for up to WAVOICE_DRAIN_SECONDS, then the process exits 0. A second signal stops at once.
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stop.getCount() == 0) {
                    Runtime.getRuntime().halt(130);
                }
                stop.countDown();
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // any other way out still ends calls politely
            if (stop.getCount() > 0) {
                server.close();
            }
        }, "shutdown"));
        System.out.printf("wavoice listening on http://%s:%d  (webhook: /webhook, metrics: /metrics)%n",
                config.httpHost(), server.httpPort());
        stop.await();
        server.drain(config.drainTimeout());
        server.close();
        return 0;
    }

}
