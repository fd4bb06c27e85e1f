package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.store.CallLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Calls answered by an AI agent: each answered call gets an {@link AgentBridge} between its audio stream and a
 * new agent session. Shared by all calls: the 20 ms pacer, the codec, the timer thread and the connector.
 *
 * @param agentName             what the call log and the dashboard show ("local", "openai")
 * @param connector             opens one agent session per call
 * @param tools                 runs the agent's tool calls other than {@code end_call}
 * @param unavailable           what a ringing call gets when its agent fails before the call is accepted: rejected,
 *                              or answered with a short apology tone
 * @param goodbyeGrace          after {@code end_call}, how long to wait for the response carrying the goodbye
 *                              to finish before hanging up once what is queued has played
 * @param work                  runs the hand-off of caller audio to each session, off the pacer thread
 * @param recorder              records the calls, or not
 */
public record AgentRoute(String agentName, Connector connector, ToolRunner tools, Pacer pacer, OpusCodec codec,
                         AudioStreamConfig audioConfig, CallLog callLog, ScheduledExecutorService timers,
                         AgentUnavailable unavailable, Duration goodbyeGrace, Executor work, CallRecorder recorder)
        implements WebRtcCallMedia.AudioRoute {

    /** Opens an agent session for a call; returns at once, the future completes when the agent is reachable. */
    @FunctionalInterface
    public interface Connector {
        CompletableFuture<AgentSession> open(String callId, AgentListener listener);
    }

    /** Runs a tool call; the future always completes with the JSON output to give the agent (errors included). */
    @FunctionalInterface
    public interface ToolRunner {
        CompletableFuture<String> run(String callId, AgentEvent.ToolCall call);

        /**
         * Runs the call and gives its output (or what went wrong, as JSON) to the session in service then, unless the
         * call is over by then.
         */
        default void runAndAnswer(String callId, AgentEvent.ToolCall call, Supplier<AgentSession> session,
                BooleanSupplier callClosed) {
            run(callId, call).whenComplete((output, error) -> {
                AgentSession s = session.get();
                String result = error == null ? output : "{\"error\":\"tool " + call.name() + " failed: "
                        + jsonSafe(rootMessage(error)) + "\"}";
                if (s != null && !callClosed.getAsBoolean()) {
                    s.sendToolOutput(call.callId(), result);
                }
            });
        }

        private static String rootMessage(Throwable t) {
            Throwable root = AgentFailures.rootCause(t);
            return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }

        private static String jsonSafe(String s) {
            return s.replace("\\", "\\\\").replace("\"", "'").replaceAll("[\\x00-\\x1f]", " ");
        }

        /** For an agent with no tools besides {@code end_call}. */
        static ToolRunner none() {
            return (callId, call) -> CompletableFuture.completedFuture(
                    "{\"error\":\"no tool named " + call.name() + "\"}");
        }
    }

    @Override
    public CallAudio attach(WebRtcCallMedia.CallContext call) {
        AgentBridge bridge = new AgentBridge(call, this);
        bridge.open();
        return bridge;
    }
}
