package dev.wavoice.server.config;

import java.util.Locale;

/**
 * How wavoice talks to an OpenAI-compatible agent ({@code WAVOICE_AGENT_TRANSPORT}).
 */
public enum AgentTransport {
    /**
     * One WebSocket per call carries events and audio: the caller's Opus is decoded to 24 kHz PCM and sent as base64,
     * the agent's PCM is encoded back to Opus and paced. Works with every Realtime endpoint.
     */
    WEBSOCKET,
    /**
     * A second WebRTC leg per call to the agent ({@code POST /v1/realtime/calls}): Opus packets are relayed between
     * the two legs without decoding, and the events go over a sideband WebSocket ({@code ?call_id=}).
     */
    WEBRTC;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AgentTransport parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "websocket", "ws" -> WEBSOCKET;
            case "webrtc" -> WEBRTC;
            default -> throw new ConfigException(
                    "WAVOICE_AGENT_TRANSPORT must be websocket or webrtc (got '" + value + "')");
        };
    }

    /**
     * {@code WAVOICE_AGENT_FALLBACK}: {@code none}, or {@code websocket} to carry a call over the WebSocket transport
     * when its WebRTC agent leg cannot be set up or is lost for good. Null means none.
     */
    public static AgentTransport parseFallback(String value) {
        String v = value == null ? "none" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "none", "off" -> null;
            case "websocket", "ws" -> WEBSOCKET;
            default -> throw new ConfigException("WAVOICE_AGENT_FALLBACK must be none or websocket (got '" + value + "')");
        };
    }
}
