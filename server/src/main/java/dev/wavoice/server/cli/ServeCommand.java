package dev.wavoice.server.cli;

import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.WavoiceConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice serve}: the service. Every option reads its environment variable first (the variable names are
 * a fixed contract) and falls back to the documented default.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the wavoice service.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--http-host", defaultValue = "${env:WAVOICE_HTTP_HOST:-0.0.0.0}",
            description = "Address the HTTP server binds (env WAVOICE_HTTP_HOST, default ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "${env:WAVOICE_HTTP_PORT:-8080}",
            description = "HTTP port (env WAVOICE_HTTP_PORT, default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--media-port", defaultValue = "${env:WAVOICE_MEDIA_PORT:-40000}",
            description = "The one UDP port all calls' media share (env WAVOICE_MEDIA_PORT, default ${DEFAULT-VALUE}).")
    int mediaPort;

    @Option(names = "--public-ip", defaultValue = "${env:WAVOICE_PUBLIC_IP}",
            description = "Address announced in ICE candidates when behind NAT (env WAVOICE_PUBLIC_IP).")
    String publicIp;

    @Option(names = "--db-url", defaultValue = "${env:WAVOICE_DB_URL}",
            description = "Call-log JDBC URL (env WAVOICE_DB_URL; default an H2 file database under ./data/).")
    String dbUrl;

    @Option(names = "--app-secret", defaultValue = "${env:WHATSAPP_APP_SECRET}",
            description = "Meta app secret for webhook signatures (env WHATSAPP_APP_SECRET).")
    String appSecret;

    @Option(names = "--verify-token", defaultValue = "${env:WHATSAPP_VERIFY_TOKEN}",
            description = "Token Meta echoes when verifying the webhook (env WHATSAPP_VERIFY_TOKEN).")
    String verifyToken;

    @Option(names = "--access-token", defaultValue = "${env:WHATSAPP_ACCESS_TOKEN}",
            description = "Graph API access token (env WHATSAPP_ACCESS_TOKEN).")
    String accessToken;

    @Option(names = "--phone-number-id", defaultValue = "${env:WHATSAPP_PHONE_NUMBER_ID}",
            description = "Business phone number id, used when a webhook's metadata lacks it (env WHATSAPP_PHONE_NUMBER_ID).")
    String phoneNumberId;

    @Option(names = "--graph-url", defaultValue = "${env:WHATSAPP_GRAPH_URL:-https://graph.facebook.com}",
            description = "Graph API base URL (env WHATSAPP_GRAPH_URL, default ${DEFAULT-VALUE}).")
    String graphUrl;

    @Option(names = "--graph-version", defaultValue = "${env:WHATSAPP_GRAPH_VERSION:-v23.0}",
            description = "Graph API version (env WHATSAPP_GRAPH_VERSION, default ${DEFAULT-VALUE}).")
    String graphVersion;

    @Option(names = "--agent", defaultValue = "${env:WAVOICE_AGENT}",
            description = "local | echo | openai (env WAVOICE_AGENT; default openai when OPENAI_API_KEY is set, else local).")
    String agent;

    @Option(names = "--max-calls", defaultValue = "${env:WAVOICE_MAX_CALLS:-100}",
            description = "Concurrent calls; more are rejected (env WAVOICE_MAX_CALLS, default ${DEFAULT-VALUE}).")
    int maxCalls;

    @Option(names = "--admin-token", defaultValue = "${env:WAVOICE_ADMIN_TOKEN}",
            description = "Bearer token for the call-log API and dashboard (env WAVOICE_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--ring-timeout", defaultValue = "${env:WAVOICE_RING_TIMEOUT_SECONDS:-60}",
            description = "Seconds a call may ring before it is given up (env WAVOICE_RING_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).")
    int ringTimeoutSeconds;

    @Option(names = "--max-call-duration", defaultValue = "${env:WAVOICE_MAX_CALL_SECONDS:-14400}",
            description = "Seconds after which a call is hung up (env WAVOICE_MAX_CALL_SECONDS, default ${DEFAULT-VALUE}).")
    int maxCallSeconds;

    @Option(names = "--media-connect-timeout", defaultValue = "${env:WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS:-10}",
            description = "Seconds to wait for ICE+DTLS after pre_accept (env WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).")
    int mediaConnectSeconds;

    @Option(names = "--log-format", defaultValue = "${env:WAVOICE_LOG_FORMAT:-text}",
            description = "text | json (env WAVOICE_LOG_FORMAT, default ${DEFAULT-VALUE}).")
    String logFormat;

    WavoiceConfig config() {
        return WavoiceConfig.builder()
                .httpHost(httpHost)
                .httpPort(httpPort)
                .mediaPort(mediaPort)
                .publicIp(publicIp)
                .dbUrl(dbUrl == null || dbUrl.isBlank() ? WavoiceConfig.defaultDbUrl() : dbUrl)
                .appSecret(appSecret)
                .verifyToken(verifyToken)
                .accessToken(accessToken)
                .phoneNumberId(phoneNumberId)
                .graphUrl(URI.create(graphUrl))
                .graphVersion(graphVersion)
                .agent(AgentKind.resolve(agent, notBlank(System.getenv("OPENAI_API_KEY"))))
                .maxCalls(maxCalls)
                .adminToken(adminToken)
                .ringTimeout(Duration.ofSeconds(ringTimeoutSeconds))
                .maxCallDuration(Duration.ofSeconds(maxCallSeconds))
                .mediaConnectTimeout(Duration.ofSeconds(mediaConnectSeconds))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        WavoiceConfig config;
        try {
            config = config();
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("wavoice: " + e.getMessage());
            return 2;
        }
        WavoiceServer server = new WavoiceServer(config, new CallMedia.Unavailable()).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        System.out.printf("wavoice listening on http://%s:%d  (webhook: /webhook, metrics: /metrics)%n",
                config.httpHost(), server.httpPort());
        stopped.await();
        return 0;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
