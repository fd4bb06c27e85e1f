package dev.wavoice.server.cli;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.server.agent.LocalAgentServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice local-agent}: the built-in local agent on its own, on loopback: the Realtime WebSocket endpoint and
 * the WebRTC calls endpoint with its sideband socket. A server reaches it as an OpenAI-compatible agent
 * ({@code WAVOICE_AGENT=openai OPENAI_REALTIME_URL=ws://127.0.0.1:PORT/v1/realtime}); the load test runs it this way so
 * the agent's own decoding and encoding stay out of the server's process and off its core.
 */
@Command(name = "local-agent", mixinStandardHelpOptions = true,
        description = "Run the built-in local agent alone on 127.0.0.1 (Realtime WebSocket and WebRTC calls endpoints).")
public final class LocalAgentCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8090", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        OpusCodecs.Selection opus = OpusCodecs.select(OpusCodecs.Preference.AUTO, null);
        try (LocalAgentServer agent = LocalAgentServer.start(port, opus.codec())) {
            System.out.printf("wavoice local agent on %s (WebRTC calls at %s/calls), codec %s%n", agent.url(),
                    agent.url().toString().replace("ws://", "http://"), opus.codec().name());
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "shutdown"));
            stop.await();
        }
        return 0;
    }
}
