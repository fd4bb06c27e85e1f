package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wavoice.server.testsupport.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP tools against a local server: every failure becomes an error output the agent can read, never a throw. */
class HttpToolInvokerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "{\"type\":\"object\"}";

    private HttpServer http;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private HttpToolInvoker invoker;

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/order", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
            reply(ex, 200, "application/json", "{\"order\":\"A-17\",\"status\":\"shipped\"}");
        });
        http.createContext("/text", ex -> reply(ex, 200, "text/plain; charset=utf-8", "Shipped \"today\"\n"));
        http.createContext("/broken-json", ex -> reply(ex, 200, "application/json", "{\"status\":"));
        http.createContext("/fails", ex -> reply(ex, 500, "application/json", "{\"error\":\"db down\"}"));
        http.createContext("/slow", ex -> {
            try {
                releaseSlow.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(ex, 200, "application/json", "{\"late\":true}");
        });
        http.start();
        invoker = new HttpToolInvoker(Duration.ofMillis(1_000));
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        invoker.close();
        http.stop(0);
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private AgentTool tool(String name, String path) {
        return new AgentTool(name, "test tool", SCHEMA,
                URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path));
    }

    private static JsonNode output(String json) throws IOException {
        return JSON.readTree(json);
    }

    @Test
    void theArgumentsArePostedAndTheJsonAnswerReturned() throws Exception {
        String out = invoker.invoke("call-t", tool("lookup_order", "/order"), "{\"order\":\"A-17\"}")
                .get(5, TimeUnit.SECONDS);
        assertThat(output(out)).isEqualTo(output("{\"order\":\"A-17\",\"status\":\"shipped\"}"));
        assertThat(requests).containsExactly("POST application/json {\"order\":\"A-17\"}");
    }

    @Test
    void plainTextIsWrappedAsAResult() throws Exception {
        String out = invoker.invoke(tool("status", "/text"), "{}").get(5, TimeUnit.SECONDS);
        assertThat(output(out).path("result").asText()).isEqualTo("Shipped \"today\"\n");
    }

    @Test
    void failuresBecomeErrorOutputs() throws Exception {
        assertThat(output(invoker.invoke(tool("lookup_order", "/fails"), "{}").get(5, TimeUnit.SECONDS)))
                .isEqualTo(output("{\"error\":\"tool lookup_order failed with HTTP 500\"}"));
        assertThat(output(invoker.invoke(tool("lookup_order", "/broken-json"), "{}").get(5, TimeUnit.SECONDS)))
                .isEqualTo(output("{\"error\":\"tool lookup_order returned invalid JSON\"}"));

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AgentTool refused = new AgentTool("lookup_order", "d", SCHEMA, URI.create("http://127.0.0.1:" + closedPort + "/x"));
        assertThat(output(invoker.invoke(refused, "{}").get(5, TimeUnit.SECONDS)))
                .isEqualTo(output("{\"error\":\"tool lookup_order could not connect\"}"));
    }

    @Test
    void aSlowToolTimesOutWithinItsTimeout() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            long started = System.nanoTime();
            String out = invoker.invoke("call-t", tool("lookup_order", "/slow"), "{}").get(10, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(output(out)).isEqualTo(output("{\"error\":\"tool lookup_order timed out after 1000 ms\"}"));
            assertThat(tookMs).as("answered by the 1 s timeout, not the 20 s server").isLessThan(8_000);
            assertThat(logs.all()).contains("http tool finished callId=call-t tool=lookup_order ok=false");
        }
    }

    @Test
    void toolCallsAreMatchedByNameAndUnknownNamesAnsweredWithAnError() throws Exception {
        List<AgentTool> tools = List.of(tool("status", "/text"), tool("lookup_order", "/order"));
        String out = invoker.invoke("call-t", tools, new AgentEvent.ToolCall("c1", "lookup_order", "{}"))
                .get(15, TimeUnit.SECONDS);
        assertThat(output(out).path("status").asText()).isEqualTo("shipped");
        assertThat(output(invoker.invoke("call-t", tools, new AgentEvent.ToolCall("c2", "nope", "{}"))
                .get(15, TimeUnit.SECONDS))).isEqualTo(output("{\"error\":\"no tool named nope\"}"));
        assertThat(output(invoker.invoke(new AgentTool("builtin", "d", SCHEMA, null), "{}").get(15, TimeUnit.SECONDS))
                .path("error").asText()).isEqualTo("tool builtin has no url");
    }

    @Test
    void theTimeoutComesFromTheEnvironment() {
        try (HttpToolInvoker fromEnv = HttpToolInvoker.fromEnvironment(Map.of(HttpToolInvoker.TIMEOUT_ENV, "2500"));
             HttpToolInvoker byDefault = HttpToolInvoker.fromEnvironment(Map.of())) {
            assertThat(fromEnv.timeout()).isEqualTo(Duration.ofMillis(2_500));
            assertThat(byDefault.timeout()).isEqualTo(HttpToolInvoker.DEFAULT_TIMEOUT);
        }
    }
}
