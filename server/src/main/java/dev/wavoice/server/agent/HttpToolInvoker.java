package dev.wavoice.server.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the HTTP tools of the agent config: a tool call's arguments are POSTed as JSON to {@link AgentTool#url()},
 * and the response body becomes the {@code function_call_output}. Whatever happens (timeout, refused connection,
 * non-2xx status, a body that is not JSON) the future completes normally with JSON the agent can read, e.g.
 * {@code {"error":"tool lookup_order timed out after 5000 ms"}}: a broken tool never leaves the call stuck.
 *
 * <p>Bodies: a JSON body is passed on as is; a body that is not declared JSON (e.g. {@code text/plain}) is wrapped
 * as {@code {"result":"..."}}; a body declared JSON but unparseable is an error. At most {@link #MAX_BODY_BYTES} are
 * read. One invoker serves all calls; close it with the server.
 */
public final class HttpToolInvoker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpToolInvoker.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Env var: the tool timeout in milliseconds (default 5000). */
    public static final String TIMEOUT_ENV = "WAVOICE_AGENT_TOOL_TIMEOUT_MS";
    /** A tool result goes into the model's context; more than this is a mistake, not an answer. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private final Duration timeout;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public HttpToolInvoker(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigException(TIMEOUT_ENV + " must be positive (got " + timeout.toMillis() + " ms)");
        }
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** With the timeout from {@value #TIMEOUT_ENV}, or {@link #DEFAULT_TIMEOUT}. */
    public static HttpToolInvoker fromEnvironment(Map<String, String> env) {
        String value = env.get(TIMEOUT_ENV);
        if (value == null || value.isBlank()) {
            return new HttpToolInvoker(DEFAULT_TIMEOUT);
        }
        try {
            return new HttpToolInvoker(Duration.ofMillis(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            throw new ConfigException(TIMEOUT_ENV + " must be a number of milliseconds (got '" + value + "')");
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * The bridge's entry point for a {@link AgentEvent.ToolCall}: finds the tool by name among {@code tools} (an
     * unknown name or a tool without URL is an error output) and invokes it. {@code callId} is only logged.
     */
    public CompletableFuture<String> invoke(String callId, List<AgentTool> tools, AgentEvent.ToolCall call) {
        for (AgentTool tool : tools) {
            if (tool.name().equals(call.name())) {
                return invoke(callId, tool, call.argumentsJson());
            }
        }
        log.warn("http tool unknown callId={} tool={}", callId, call.name());
        return CompletableFuture.completedFuture(error("no tool named " + call.name()));
    }

    public CompletableFuture<String> invoke(AgentTool tool, String argumentsJson) {
        return invoke(null, tool, argumentsJson);
    }

    /**
     * POSTs {@code argumentsJson} to the tool's URL; always completes normally, within the timeout (possibly on a
     * timer thread: keep what follows quick, e.g. {@link AgentSession#sendToolOutput}).
     */
    public CompletableFuture<String> invoke(String callId, AgentTool tool, String argumentsJson) {
        if (tool.url() == null) {
            return CompletableFuture.completedFuture(error("tool " + tool.name() + " has no url"));
        }
        long started = System.nanoTime();
        String timedOut = error("tool " + tool.name() + " timed out after " + timeout.toMillis() + " ms");
        CompletableFuture<String> result = new CompletableFuture<>();
        Future<?> running;
        try {
            running = executor.submit(() -> {
                try {
                    result.complete(call(tool, argumentsJson));
                } catch (RuntimeException e) { // e.g. a URL the HTTP client rejects
                    result.complete(error("tool " + tool.name() + " failed: " + e.getClass().getSimpleName()));
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(error("tool " + tool.name() + " is unavailable (shutting down)"));
        }
        // The request timeout covers the wait for headers; this one also bounds a body that trickles in.
        result.completeOnTimeout(timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return result.whenComplete((output, e) -> {
            running.cancel(true);
            boolean failed = output.startsWith("{\"error\"");
            log.info("http tool finished callId={} tool={} ok={} ms={}", callId, tool.name(), !failed,
                    (System.nanoTime() - started) / 1_000_000);
        });
    }

    private String call(AgentTool tool, String argumentsJson) {
        String name = tool.name();
        String body = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        HttpRequest request = HttpRequest.newBuilder(tool.url()).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<InputStream> response;
        byte[] bytes;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            }
        } catch (HttpTimeoutException e) {
            return error("tool " + name + " timed out after " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return error("tool " + name + " could not connect");
        } catch (IOException e) {
            return error("tool " + name + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("tool " + name + " was cancelled");
        }
        return output(name, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), bytes);
    }

    /**
     * The {@code function_call_output} for a tool's response: its JSON, its text wrapped as {@code {"result":…}}, or
     * an error object; always JSON the agent can read.
     */
    String output(String name, int status, String contentType, byte[] bytes) {
        if (status < 200 || status > 299) {
            return error("tool " + name + " failed with HTTP " + status);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            return error("tool " + name + " returned more than " + MAX_BODY_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean declaredJson = contentType.toLowerCase(java.util.Locale.ROOT).contains("json");
        JsonNode parsed = parse(text);
        if (parsed != null && (declaredJson || parsed.isContainerNode())) {
            return parsed.toString();
        }
        if (declaredJson) {
            return error("tool " + name + " returned invalid JSON");
        }
        return json.createObjectNode().put("result", text).toString();
    }

    private JsonNode parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private String error(String message) {
        return json.createObjectNode().put("error", message).toString();
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
