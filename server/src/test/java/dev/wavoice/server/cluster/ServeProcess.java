package dev.wavoice.server.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One {@code wavoice serve} in a process of its own (so it can be killed), on this test's classpath. */
final class ServeProcess implements AutoCloseable {
    final String instanceId;
    final int httpPort;
    final Process process;
    final Path log;

    private ServeProcess(String instanceId, int httpPort, Process process, Path log) {
        this.instanceId = instanceId;
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static ServeProcess start(String instanceId, Path dir, Map<String, String> env) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.wavoice.server.cli.Main", "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("WAVOICE_") || k.startsWith("WHATSAPP_")
                || k.startsWith("OPENAI_"));
        pb.environment().putAll(env);
        pb.environment().put("WAVOICE_INSTANCE_ID", instanceId);
        pb.environment().put("WAVOICE_HTTP_HOST", "127.0.0.1");
        pb.environment().put("WAVOICE_HTTP_PORT", Integer.toString(port));
        pb.environment().put("WAVOICE_MEDIA_HOST", "127.0.0.1");
        pb.environment().put("WAVOICE_MEDIA_PORT", "0");
        Path log = dir.resolve(instanceId + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ServeProcess(instanceId, port, pb.start(), log);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    void awaitReady(HttpClient http, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(instanceId + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri("/ready")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(instanceId + " not ready within " + timeout + "; see " + log);
    }

    /** SIGKILL: no drain, no goodbye, no last heartbeat. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
