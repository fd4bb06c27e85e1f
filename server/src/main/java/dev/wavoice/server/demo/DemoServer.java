package dev.wavoice.server.demo;

import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.config.WavoiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

/**
 * {@code wavoice demo}: the service as configured, with its Graph URL pointed at a {@link MetaSimulator} in the
 * same HTTP server and the demo page at {@code /}. The simulator signs webhooks with the configured app secret
 * when there is one (else a random one per run, given to both sides) and expects a random Graph access token.
 */
public final class DemoServer implements AutoCloseable {
    private final WavoiceServer server;
    private final WavoiceConfig config;
    private final URI pageUrl;

    private DemoServer(WavoiceServer server, WavoiceConfig config, URI pageUrl) {
        this.server = server;
        this.config = config;
        this.pageUrl = pageUrl;
    }

    /**
     * Starts the demo on {@code base}'s HTTP address (port 0: a free port chosen now, because the Graph URL
     * must name it before the server starts).
     */
    public static DemoServer start(WavoiceConfig base, AgentConfig agent) throws IOException {
        return start(base, AgentDirectory.single(new AgentProfile(
                AgentProfile.defaultName(base.agent(), base.agentTransport()), base.agent(), base.agentTransport(), agent,
                null, false)));
    }

    /** As {@link #start(WavoiceConfig, AgentConfig)}, with the agents of {@code WAVOICE_AGENT_CONFIG}, recording… */
    public static DemoServer start(WavoiceConfig base, AgentDirectory agents) throws IOException {
        String selfHost = isWildcard(base.httpHost()) ? "127.0.0.1" : base.httpHost();
        int port = base.httpPort() != 0 ? base.httpPort() : freePort(selfHost);
        String origin = "http://" + (selfHost.contains(":") ? "[" + selfHost + "]" : selfHost) + ":" + port;
        String appSecret = base.appSecret().value().orElseGet(MetaSimulator::randomSecret);
        String accessToken = MetaSimulator.randomSecret();
        WavoiceConfig config = base.toBuilder()
                .httpPort(port)
                .appSecret(appSecret)
                .accessToken(accessToken)
                .graphUrl(URI.create(origin + "/demo/graph"))
                .phoneNumberId(DemoWebhooks.PHONE_NUMBER_ID)
                .build();
        MetaSimulator meta = new MetaSimulator(URI.create(origin + "/webhook"), appSecret, accessToken,
                WavoiceServer.objectMapper(), Duration.ofSeconds(15));
        WavoiceServer server = WavoiceServer.create(config, agents, meta);
        meta.dialThrough(server.outbound());
        server.start();
        return new DemoServer(server, config, URI.create(origin + "/"));
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }

    /** The demo page; the dashboard is at {@code dashboard} under it. */
    public URI pageUrl() {
        return pageUrl;
    }

    public WavoiceServer server() {
        return server;
    }

    public WavoiceConfig config() {
        return config;
    }

    @Override
    public void close() {
        server.close();
    }
}
