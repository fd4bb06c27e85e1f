package dev.wavoice.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The whole service configuration, immutable. Built once from flags and environment variables by the CLI
 * (see {@code ServeCommand}); every component receives the parts it needs.
 */
public record WavoiceConfig(
        String httpHost,
        int httpPort,
        int mediaPort,
        String mediaHost,
        String publicIp,
        String stunServer,
        String dbUrl,
        Secret appSecret,
        Secret verifyToken,
        Secret accessToken,
        String phoneNumberId,
        URI graphUrl,
        String graphVersion,
        Duration graphTimeout,
        PermissionSettings permissions,
        AgentKind agent,
        int maxCalls,
        Secret adminToken,
        Duration ringTimeout,
        Duration dialTimeout,
        Duration grantWait,
        Duration maxCallDuration,
        Duration mediaConnectTimeout,
        AgentUnavailable agentUnavailable,
        AgentTransport agentTransport,
        AgentTransport agentFallback,
        Duration agentStallTimeout,
        String instanceId,
        URI internalUrl,
        Secret clusterSecret,
        Duration drainTimeout,
        String mediaPorts,
        boolean warmup,
        RecordingSettings recordings) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MEDIA_PORT = 40000;
    public static final String DEFAULT_GRAPH_URL = "https://graph.facebook.com";
    public static final String DEFAULT_GRAPH_VERSION = "v23.0";
    public static final int DEFAULT_MAX_CALLS = 100;

    public WavoiceConfig {
        if (httpPort < 0 || httpPort > 65535) {
            throw new ConfigException("WAVOICE_HTTP_PORT must be 0..65535 (got " + httpPort + ")");
        }
        if (mediaPort < 0 || mediaPort > 65535) {
            throw new ConfigException("WAVOICE_MEDIA_PORT must be 0..65535 (got " + mediaPort + ")");
        }
        if (stunServer != null && !stunServer.matches("[^:\\s]+:\\d{1,5}")) {
            throw new ConfigException("WAVOICE_STUN_SERVER must be host:port (got '" + stunServer + "')");
        }
        if (maxCalls < 1) {
            throw new ConfigException("WAVOICE_MAX_CALLS must be at least 1 (got " + maxCalls + ")");
        }
        if (grantWait.isNegative() || grantWait.isZero()) {
            throw new ConfigException("WAVOICE_GRANT_WAIT_SECONDS must be positive (got " + grantWait.toSeconds() + ")");
        }
        if (dialTimeout.isNegative() || dialTimeout.isZero()) {
            throw new ConfigException("WAVOICE_DIAL_TIMEOUT_SECONDS must be positive (got " + dialTimeout.toSeconds() + ")");
        }
        if (graphTimeout.isNegative() || graphTimeout.isZero()) {
            throw new ConfigException("the Graph request timeout must be positive (got " + graphTimeout + ")");
        }
        if (!graphVersion.matches("v\\d+\\.\\d+")) {
            throw new ConfigException("WHATSAPP_GRAPH_VERSION must look like v23.0 (got '" + graphVersion + "')");
        }
        String scheme = graphUrl.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || graphUrl.getHost() == null) {
            throw new ConfigException("WHATSAPP_GRAPH_URL must be an http(s) URL (got '" + graphUrl + "')");
        }
        if (!(dbUrl.startsWith("jdbc:h2:") || dbUrl.startsWith("jdbc:postgresql:"))) {
            throw new ConfigException("WAVOICE_DB_URL must be a jdbc:h2: or jdbc:postgresql: URL (got '" + dbUrl + "')");
        }
        if (instanceId == null || !instanceId.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new ConfigException("WAVOICE_INSTANCE_ID must be 1..64 letters, digits or ._:- (got '" + instanceId + "')");
        }
        if (internalUrl != null && (internalUrl.getHost() == null
                || !(Objects.equals(internalUrl.getScheme(), "http") || Objects.equals(internalUrl.getScheme(), "https")))) {
            throw new ConfigException("WAVOICE_INTERNAL_URL must be an http(s) URL (got '" + internalUrl + "')");
        }
        if (mediaPorts != null) {
            try {
                dev.wavoice.media.transport.PortRange.parse(mediaPorts);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("WAVOICE_MEDIA_PORTS: " + e.getMessage());
            }
        }
        Objects.requireNonNull(agentTransport, "agentTransport");
        Objects.requireNonNull(permissions, "permissions");
        if (agentFallback == agentTransport) { // falling back to what failed is no fallback
            agentFallback = null;
        }
        if (drainTimeout.isNegative()) {
            throw new ConfigException("WAVOICE_DRAIN_SECONDS must be >= 0 (got " + drainTimeout.toSeconds() + ")");
        }
    }

    /** A name for this process unique enough among its peers: the host name and a random suffix. */
    public static String defaultInstanceId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "wavoice";
        }
        String clean = host.replaceAll("[^A-Za-z0-9._-]", "-");
        clean = clean.substring(0, Math.min(clean.length(), 48));
        return clean + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** The secret instances sign forwarded webhooks with: {@code WAVOICE_CLUSTER_SECRET}, else the app secret. */
    public Secret effectiveClusterSecret() {
        return clusterSecret.isPresent() ? clusterSecret : appSecret;
    }

    /** The embedded default: an H2 file database under {@code ./data/}. */
    public static String defaultDbUrl() {
        return "jdbc:h2:file:" + Path.of("data", "wavoice").toAbsolutePath() + ";AUTO_SERVER=FALSE";
    }

    /** Whether the HTTP server answers only on this machine (the dashboard then needs no admin token). */
    public boolean loopbackOnly() {
        return httpHost.equals("127.0.0.1") || httpHost.equals("localhost") || httpHost.equals("::1");
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Defaults as documented in the README; tests override what they need. */
    public static Builder builder() {
        return new Builder(null);
    }

    /** Mutable only while building; {@link #build()} validates and freezes. */
    public static final class Builder {
        private String httpHost = "0.0.0.0";
        private int httpPort = DEFAULT_HTTP_PORT;
        private int mediaPort = DEFAULT_MEDIA_PORT;
        private String mediaHost = "0.0.0.0";
        private String publicIp;
        private String stunServer;
        private String dbUrl = defaultDbUrl();
        private Secret appSecret = Secret.none();
        private Secret verifyToken = Secret.none();
        private Secret accessToken = Secret.none();
        private String phoneNumberId;
        private URI graphUrl = URI.create(DEFAULT_GRAPH_URL);
        private String graphVersion = DEFAULT_GRAPH_VERSION;
        /** Per HTTP attempt; the client retries up to its policy's attempts, so a dead Graph costs several of these. */
        private Duration graphTimeout = Duration.ofSeconds(10);
        private PermissionSettings permissions = PermissionSettings.DEFAULT;
        private AgentKind agent = AgentKind.LOCAL;
        private int maxCalls = DEFAULT_MAX_CALLS;
        private Secret adminToken = Secret.none();
        private Duration ringTimeout = Duration.ofSeconds(60);
        /** How long a call the business placed may ring unanswered ({@code WAVOICE_DIAL_TIMEOUT_SECONDS}). */
        private Duration dialTimeout = Duration.ofSeconds(60);
        /** How long a {@code dial_on_grant} call waits for the user's grant ({@code WAVOICE_GRANT_WAIT_SECONDS}). */
        private Duration grantWait = Duration.ofHours(1);
        private Duration maxCallDuration = Duration.ofHours(4);
        private Duration mediaConnectTimeout = Duration.ofSeconds(10);
        private AgentUnavailable agentUnavailable = AgentUnavailable.AUTO;
        private AgentTransport agentTransport = AgentTransport.WEBSOCKET;
        private AgentTransport agentFallback;
        /** Null: from {@code WAVOICE_AGENT_STALL_SECONDS}, else 10 s ({@code AgentKeepAlive}). */
        private Duration agentStallTimeout;
        private String instanceId;
        private URI internalUrl;
        private Secret clusterSecret = Secret.none();
        private Duration drainTimeout = Duration.ofSeconds(30);
        private String mediaPorts;
        /** Off unless asked for: {@code wavoice serve} asks (WAVOICE_WARMUP, default true); embedded servers do not. */
        private boolean warmup;
        private RecordingSettings recordings = RecordingSettings.DEFAULT;

        private Builder(WavoiceConfig from) {
            if (from != null) {
                httpHost = from.httpHost; httpPort = from.httpPort; mediaPort = from.mediaPort;
                mediaHost = from.mediaHost; publicIp = from.publicIp; stunServer = from.stunServer; dbUrl = from.dbUrl; appSecret = from.appSecret;
                verifyToken = from.verifyToken; accessToken = from.accessToken; phoneNumberId = from.phoneNumberId;
                graphUrl = from.graphUrl; graphVersion = from.graphVersion;
                graphTimeout = from.graphTimeout; permissions = from.permissions; agent = from.agent;
                maxCalls = from.maxCalls; adminToken = from.adminToken; ringTimeout = from.ringTimeout;
                dialTimeout = from.dialTimeout; grantWait = from.grantWait;
                maxCallDuration = from.maxCallDuration; mediaConnectTimeout = from.mediaConnectTimeout;
                agentUnavailable = from.agentUnavailable;
                agentTransport = from.agentTransport; agentFallback = from.agentFallback;
                agentStallTimeout = from.agentStallTimeout;
                instanceId = from.instanceId; internalUrl = from.internalUrl; clusterSecret = from.clusterSecret;
                drainTimeout = from.drainTimeout; mediaPorts = from.mediaPorts; warmup = from.warmup;
                recordings = from.recordings;
            }
        }

        public Builder httpHost(String v) { httpHost = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder mediaPort(int v) { mediaPort = v; return this; }
        public Builder mediaHost(String v) { mediaHost = v; return this; }
        public Builder publicIp(String v) { publicIp = v; return this; }
        public Builder stunServer(String v) { stunServer = v; return this; }
        public Builder dbUrl(String v) { dbUrl = v; return this; }
        public Builder appSecret(String v) { appSecret = Secret.of(v); return this; }
        public Builder verifyToken(String v) { verifyToken = Secret.of(v); return this; }
        public Builder accessToken(String v) { accessToken = Secret.of(v); return this; }
        public Builder phoneNumberId(String v) { phoneNumberId = v; return this; }
        public Builder graphUrl(URI v) { graphUrl = v; return this; }
        public Builder graphVersion(String v) { graphVersion = v; return this; }
        public Builder graphTimeout(Duration v) { graphTimeout = v; return this; }
        public Builder permissions(PermissionSettings v) { permissions = v; return this; }
        public Builder agent(AgentKind v) { agent = v; return this; }
        public Builder maxCalls(int v) { maxCalls = v; return this; }
        public Builder adminToken(String v) { adminToken = Secret.of(v); return this; }
        public Builder ringTimeout(Duration v) { ringTimeout = v; return this; }
        public Builder dialTimeout(Duration v) { dialTimeout = v; return this; }
        public Builder grantWait(Duration v) { grantWait = v; return this; }
        public Builder maxCallDuration(Duration v) { maxCallDuration = v; return this; }
        public Builder mediaConnectTimeout(Duration v) { mediaConnectTimeout = v; return this; }
        public Builder agentUnavailable(AgentUnavailable v) { agentUnavailable = v; return this; }
        public Builder agentTransport(AgentTransport v) { agentTransport = v; return this; }
        public Builder agentFallback(AgentTransport v) { agentFallback = v; return this; }
        public Builder agentStallTimeout(Duration v) { agentStallTimeout = v; return this; }
        public Builder instanceId(String v) { instanceId = v; return this; }
        public Builder internalUrl(URI v) { internalUrl = v; return this; }
        public Builder clusterSecret(String v) { clusterSecret = Secret.of(v); return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
        public Builder mediaPorts(String v) { mediaPorts = v; return this; }
        public Builder warmup(boolean v) { warmup = v; return this; }
        public Builder recordings(RecordingSettings v) { recordings = v; return this; }

        public WavoiceConfig build() {
            return new WavoiceConfig(httpHost, httpPort, mediaPort, mediaHost, blankToNull(publicIp),
                    blankToNull(stunServer), dbUrl, appSecret,
                    verifyToken, accessToken, blankToNull(phoneNumberId), graphUrl, graphVersion, graphTimeout, permissions, agent,
                    maxCalls,
                    adminToken, ringTimeout, dialTimeout, grantWait, maxCallDuration, mediaConnectTimeout, agentUnavailable,
                    agentTransport, agentFallback, agentStallTimeout,
                    instanceId == null || instanceId.isBlank() ? defaultInstanceId() : instanceId.trim(), internalUrl,
                    clusterSecret, drainTimeout, blankToNull(mediaPorts), warmup,
                    recordings == null ? RecordingSettings.DEFAULT : recordings);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}
