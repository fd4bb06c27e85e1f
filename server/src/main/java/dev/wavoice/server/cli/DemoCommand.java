package dev.wavoice.server.cli;

import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.demo.DemoServer;
import io.javalin.util.JavalinBindException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice demo}: the service on its embedded defaults plus a simulated Meta, so a browser can call it
 * without a Meta account. Settings are those of {@code serve} (environment variables), except that HTTP and
 * media bind 127.0.0.1 and the media port is any free one unless set.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run wavoice with a simulated WhatsApp: call it from the browser at http://localhost:8080/.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--http-port", description = "HTTP port (env WAVOICE_HTTP_PORT, default 8080).")
    Integer httpPort;

    @Option(names = "--http-host", description = "Address the HTTP server binds (env WAVOICE_HTTP_HOST, default 127.0.0.1).")
    String httpHost;

    @Option(names = "--agent", description = "local | echo | openai (env WAVOICE_AGENT; default openai when OPENAI_API_KEY is set, else local).")
    String agent;

    @Option(names = "--agent-transport", description = "websocket | webrtc: how the agent is reached; webrtc relays Opus to the agent without transcoding, the local agent included (env WAVOICE_AGENT_TRANSPORT, default websocket).")
    String agentTransport;

    /** {@code serve}'s settings with the demo's loopback defaults. */
    WavoiceConfig config(Map<String, String> env) {
        ServeCommand serve = new ServeCommand();
        serve.agent = agent;
        serve.agentTransport = agentTransport;
        serve.httpPort = httpPort;
        Settings in = new Settings(env);
        return serve.config(env).toBuilder()
                .httpHost(in.text(httpHost, "WAVOICE_HTTP_HOST", "127.0.0.1"))
                .mediaHost(in.text(null, "WAVOICE_MEDIA_HOST", "127.0.0.1"))
                .mediaPort(in.number(null, "WAVOICE_MEDIA_PORT", 0))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        DemoServer demo;
        try {
            WavoiceConfig config = config(System.getenv());
            demo = DemoServer.start(config, AgentDirectory.fromEnvironment(System.getenv(), config.agent(),
                    config.agentTransport()));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("wavoice: " + e.getMessage());
            return 2;
        } catch (JavalinBindException e) {
            System.err.println("wavoice: " + e.getMessage() + " (another program holds the port; choose one with"
                    + " --http-port, e.g. ./wavoice demo --http-port 8081)");
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "shutdown"));
        String page = demo.pageUrl().toString().replace("127.0.0.1", "localhost");
        System.out.printf("wavoice demo (agent: %s, transport: %s)%n  call it:    %s%n  dashboard:  %sdashboard%n"
                        + "  Ctrl-C to stop%n", demo.config().agent().configName(),
                demo.config().agentTransport().configName(), page, page);
        if (!demo.config().loopbackOnly()) {
            System.out.println("  note: listening beyond this machine; the dashboard needs WAVOICE_ADMIN_TOKEN, and"
                    + " anyone who can reach the page can place demo calls");
        }
        stopped.await();
        return 0;
    }
}
