package dev.wavoice.server.media;

import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentMedia;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.store.CallLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Calls answered by an agent reached over WebRTC ({@code WAVOICE_AGENT_TRANSPORT=webrtc}): each call gets a
 * {@link PassthroughBridge} that opens WebRTC legs to the agent on the same media transport and relays Opus between
 * them and the caller without decoding.
 *
 * @param agentName    what the call log and the dashboard show ("openai/webrtc", "local/webrtc")
 * @param connector    opens one agent session per call over the bridge's legs
 * @param transport    where the agent legs are created (the caller's transport: same port, same ticker)
 * @param apologyOpus  the apology tone as 20 ms Opus packets, encoded once
 * @param fallback     carries the call over the WebSocket transport when the WebRTC agent fails; null for none
 * @param latency      how long packets spend in the relay, all calls together
 * @param recorder     records the calls (the relayed Opus as it is), or not
 */
public record PassthroughRoute(String agentName, Connector connector, WebRtcTransport transport,
                               AgentRoute.ToolRunner tools, CallLog callLog, ScheduledExecutorService timers,
                               AgentUnavailable unavailable, Duration goodbyeGrace, List<byte[]> apologyOpus,
                               AgentRoute fallback, RelayLatency latency, CallRecorder recorder)
        implements WebRtcCallMedia.AudioRoute {

    /** Opens an agent session whose connections are legs made by {@code media}. */
    @FunctionalInterface
    public interface Connector {
        CompletableFuture<AgentSession> open(String callId, AgentListener listener, AgentMedia media);
    }

    public PassthroughRoute {
        apologyOpus = List.copyOf(apologyOpus);
    }

    @Override
    public CallAudio attach(WebRtcCallMedia.CallContext call) {
        PassthroughBridge bridge = new PassthroughBridge(call, this);
        bridge.open();
        return bridge;
    }
}
