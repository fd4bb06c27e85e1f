package dev.wavoice.server.agent.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The Python Media Streams bot ({@code src/test/python/media_streams_bot.py}) as a process a test can drive: it
 * listens on 127.0.0.1, reports what it hears as JSON lines (collected here) and acts on JSON commands written to its
 * stdin. Line formats and commands are listed in the bot's module docstrings and in the fixtures' README.
 *
 * <p>Every line carries {@code tNs}, Python's {@code time.monotonic_ns()}: on Linux the same CLOCK_MONOTONIC that
 * {@link System#nanoTime()} reads, so bot and server timings compare directly.
 */
public final class MediaStreamsBot implements AutoCloseable {
    /** Relative to the server module, where Maven runs the tests. */
    public static final Path SCRIPT_DIR = Path.of("src", "test", "python");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Writer stdin;
    private final int port;
    private final List<ObjectNode> lines = new CopyOnWriteArrayList<>();
    private final StringBuffer stderr = new StringBuffer();

    private MediaStreamsBot(List<String> args) {
        List<String> command = new ArrayList<>(List.of("python3", "-u",
                scriptDir().resolve("media_streams_bot.py").toString(), "--port", "0"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start python3 for the Media Streams bot", e);
        }
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("bot-stdout").start(() -> readStdout(listening));
        Thread.ofPlatform().daemon().name("bot-stderr").start(() -> drain(process.getErrorStream()));
        try {
            port = listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the Media Streams bot did not print LISTENING; stderr:\n" + stderr, e);
        }
    }

    /** Starts the bot with extra arguments, e.g. {@code "--listen-hz", "440,660", "--auto-reply", "880"}. */
    public static MediaStreamsBot start(String... args) {
        return new MediaStreamsBot(List.of(args));
    }

    /** The directory of the bot and its self-test, whether tests run from the module or the repository root. */
    public static Path scriptDir() {
        Path fromModule = SCRIPT_DIR.toAbsolutePath();
        return Files.isDirectory(fromModule) ? fromModule : Path.of("server").resolve(SCRIPT_DIR).toAbsolutePath();
    }

    /** One of the Twilio-shaped fixtures in {@code src/test/resources/mediastreams/}, e.g. {@code "start.json"}. */
    public static ObjectNode fixture(String name) {
        try (InputStream in = MediaStreamsBot.class.getResourceAsStream("/mediastreams/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture mediastreams/" + name);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    /** Every JSON line so far, in order. */
    public List<ObjectNode> lines() {
        return List.copyOf(lines);
    }

    public List<ObjectNode> lines(String type) {
        return lines.stream().filter(line -> type.equals(line.path("type").asText())).toList();
    }

    public List<ObjectNode> violations() {
        return lines("violation");
    }

    /** Waits for the first line matching, and returns it; on timeout fails with the bot's last lines and stderr. */
    public ObjectNode await(Predicate<ObjectNode> matching, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).until(() -> lines.stream().anyMatch(matching));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no matching bot line within " + timeout + "\n" + diagnostics(), e);
        }
        return lines.stream().filter(matching).findFirst().orElseThrow();
    }

    /** Waits for the first line of a type, e.g. {@code "tone"}, {@code "mark"}, {@code "closed"}. */
    public ObjectNode await(String type, Duration timeout) {
        return await(line -> type.equals(line.path("type").asText()), timeout);
    }

    /** Writes one command line, e.g. {@code Map.of("cmd", "say", "hz", 1000, "ms", 2000)}. */
    public void send(Map<String, ?> command) {
        send((JsonNode) JSON.valueToTree(command));
    }

    public synchronized void send(JsonNode command) {
        try {
            stdin.write(JSON.writeValueAsString(command));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the Media Streams bot's stdin is closed\n" + diagnostics(), e);
        }
    }

    public String stderr() {
        return stderr.toString();
    }

    /** The last lines and stderr, for an assertion's message. */
    public String diagnostics() {
        List<ObjectNode> all = lines();
        return "bot exit: " + (process.isAlive() ? "running" : process.exitValue()) + "\nlast lines:\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()).stream()
                        .map(JsonNode::toString).toList())
                + "\nstderr:\n" + stderr;
    }

    private void readStdout(CompletableFuture<Integer> listening) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String first = reader.readLine();
            if (first == null || !first.startsWith("LISTENING ")) {
                listening.completeExceptionally(new IllegalStateException("first line: " + first));
                return;
            }
            listening.complete(Integer.parseInt(first.substring("LISTENING ".length()).trim()));
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add((ObjectNode) JSON.readTree(line));
            }
        } catch (IOException | RuntimeException e) {
            listening.completeExceptionally(e);
            stderr.append("\n[stdout reader stopped: ").append(e).append(']');
        }
    }

    private void drain(InputStream err) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                stderr.append(line).append('\n');
            }
        } catch (IOException ignored) {
            // the process is gone; what was read is kept
        }
    }

    /** Closing stdin makes the bot exit by itself; it is killed if it has not within two seconds. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (process.exitValue() != 0 && !stderr.isEmpty()) {
            System.err.println("[media streams bot stderr]\n" + stderr);
        }
    }
}
