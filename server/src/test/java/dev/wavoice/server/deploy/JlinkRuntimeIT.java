package dev.wavoice.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.RecordedPacket;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.PostgresServer;
import dev.wavoice.server.testsupport.TestServer;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's runtime, proven on this machine: the Java runtime the Dockerfiles link ({@code jdeps
 * --print-module-deps} on the shaded jar, then {@code jlink} with the same flags), started with the image's JVM
 * options on {@code server/target/wavoice.jar serve} as a separate process, answers a real call placed by Pion
 * (WhatsApp's ICE-lite edge) through the signed webhook, and stops on SIGTERM.
 *
 * <ul>
 *   <li>echo, {@code WAVOICE_OPUS=java}: pre_accept and accept reach the Graph API stand-in, Pion hears its
 *       packets back; the measured run (sizes, idle RSS, webhook → pre_accept).</li>
 *   <li>local agent, {@code WAVOICE_OPUS=java}: the pure-Java Opus codec on the linked runtime (the greeting
 *       chime reaches Pion).</li>
 *   <li>pcm-echo, {@code WAVOICE_OPUS=native}, PostgreSQL: libopus through the FFM API on the linked runtime
 *       (refused at startup if it cannot load), the call log on PostgreSQL, and nothing written to the working
 *       directory (the Deployment's read-only root filesystem).</li>
 * </ul>
 *
 * Runs in failsafe after {@code package}. A JDK without jdeps or jlink fails it: nothing here is skipped.
 */
@Timeout(240)
class JlinkRuntimeIT {
    static final Duration T = Duration.ofSeconds(15);
    static final String IMAGE_DOCKERFILE = "Dockerfile";
    /** Where the image keeps the ahead-of-time cache its build records. */
    static final String IMAGE_AOT_CACHE = "/app/wavoice.aot";
    static final double GOAL_RUNTIME_PLUS_JAR_MB = 120, GOAL_IDLE_RSS_MIB = 150, GOAL_PRE_ACCEPT_MS = 100;

    static Path jar;
    static Path runtime;
    static String modules;
    static List<String> jvmOptions;
    static final Map<String, String> REPORT = new LinkedHashMap<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final WebhookSignature SIGNATURE = new WebhookSignature(TestServer.APP_SECRET);

    @TempDir
    Path dir;

    @BeforeAll
    static void linkTheRuntime() throws Exception {
        PionPeer.binary();
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jdeps = javaHome.resolve("bin/jdeps");
        Path jlink = javaHome.resolve("bin/jlink");
        for (Path tool : List.of(jdeps, jlink)) {
            if (!Files.isExecutable(tool)) {
                fail(tool.getFileName() + " not found at " + tool + ": the build runs on a JRE or a trimmed JDK. Run"
                        + " Maven with a full JDK 21+ (e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64); the"
                        + " container build needs jdeps and jlink too.");
            }
        }
        Path module = DeploymentFiles.root().resolve("server");
        jar = module.resolve("target/wavoice.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing: this test runs in failsafe's integration-test phase, after the shade plugin"
                    + " has packaged the jar (mvn verify)");
        }
        int release = Runtime.version().feature();
        long t0 = System.nanoTime();
        String out = run(List.of(jdeps.toString(), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", Integer.toString(release), jar.toString()), Duration.ofMinutes(2));
        long jdepsMs = (System.nanoTime() - t0) / 1_000_000;
        modules = out.lines().map(String::strip).filter(l -> l.matches("[a-z][a-z0-9.]*(,[a-z][a-z0-9.]*)*"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("jdeps printed no module list:\n" + out));
        assertThat(modules.split(",")).contains("java.base", "java.sql", "java.net.http");

        runtime = module.resolve("target/jlink-runtime");
        deleteTree(runtime);
        t0 = System.nanoTime();
        run(List.of(jlink.toString(), "--add-modules", modules, "--strip-debug", "--no-header-files",
                "--no-man-pages", "--compress=zip-6", "--output", runtime.toString()), Duration.ofMinutes(3));
        long jlinkMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(runtime.resolve("bin/java")).isExecutable();

        // The image's JVM options, and the pod's memory limit standing in for the container limit the JVM reads.
        long limitMib = DeploymentFiles.mebibytes(DeploymentFiles.deploymentContainer().path("resources")
                .path("limits").path("memory").asText());
        jvmOptions = new ArrayList<>(DeploymentFiles.jvmOptions(IMAGE_DOCKERFILE));
        int aot = jvmOptions.indexOf("-XX:AOTCache=" + IMAGE_AOT_CACHE);
        if (aot >= 0) { // the image records its ahead-of-time cache at build time: so does this runtime, the same way
            Path cache = module.resolve("target/jlink-wavoice.aot");
            t0 = System.nanoTime();
            recordAotCache(jvmOptions.subList(0, aot), cache);
            REPORT.put("AOT cache (training run)", String.format("%.1f MB in %d ms", Files.size(cache) / 1e6,
                    (System.nanoTime() - t0) / 1_000_000));
            jvmOptions.set(aot, "-XX:AOTCache=" + cache);
        }
        jvmOptions.add("-XX:MaxRAM=" + limitMib + "m");

        double runtimeMb = treeBytes(runtime) / 1e6, jarMb = Files.size(jar) / 1e6;
        REPORT.put("JDK linking", System.getProperty("java.home") + " (" + Runtime.version() + ")");
        REPORT.put("modules (jdeps)", modules + "  [jdeps " + jdepsMs + " ms, jlink " + jlinkMs + " ms]");
        REPORT.put("runtime on disk", String.format("%.1f MB (%s)", runtimeMb, runtime));
        REPORT.put("jar", String.format("%.1f MB (%s)", jarMb, jar));
        REPORT.put("runtime + jar", String.format("%.1f MB  (goal <= %.0f MB: %s)", runtimeMb + jarMb,
                GOAL_RUNTIME_PLUS_JAR_MB, runtimeMb + jarMb <= GOAL_RUNTIME_PLUS_JAR_MB ? "met" : "NOT met"));
        REPORT.put("JVM options", String.join(" ", jvmOptions) + "  (the image's ENTRYPOINT; MaxRAM = the pod's memory limit)");
    }

    @AfterAll
    static void printReport() throws IOException {
        StringBuilder sb = new StringBuilder("\n==== jlink runtime (JlinkRuntimeIT) ====\n");
        REPORT.forEach((k, v) -> sb.append(String.format("  %-34s %s%n", k + ":", v)));
        sb.append("========================================\n");
        System.out.print(sb);
        if (runtime != null) {
            Files.writeString(runtime.resolveSibling("jlink-runtime-report.txt"), sb.toString());
        }
    }

    @Test
    void anEchoCallOnTheLinkedRuntimeWithPureJavaOpus() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            frames.add(("\u00f8jlink-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path says = dir.resolve("caller.opus");
        OpusStreamFile.write(says, frames);
        Call call = placeCall("echo", "java", null, says, 50, true);

        List<String> heard = call.heard().stream().map(p -> new String(p.payload(), StandardCharsets.ISO_8859_1)).toList();
        assertThat(heard).as("the caller's packets come back (echo)").contains("\u00f8jlink-20", "\u00f8jlink-40");
        assertThat(call.log()).as("the AOT cache is taken, not refused").doesNotContain("[error][aot]")
                .doesNotContain("[warning][aot]");
        REPORT.put("echo call", call.summary());
    }

    @Test
    void theLocalAgentGreetsThroughPureJavaOpus() throws Exception {
        Path says = TestAudio.silenceFile(dir, 150);
        // The greeting is 300 ms (15 packets); the local agent sends nothing while it only listens.
        Call call = placeCall("local", "java", null, says, 10, false);

        assertThat(call.log()).contains("codec=\"concentus: configured (opus codec = java)\"");
        short[] pcm = TestAudio.decode(call.heard());
        assertThat(TestAudio.windowsAt(pcm, 660) + TestAudio.windowsAt(pcm, 880))
                .as("the greeting chime (660 then 880 Hz), decoded").isGreaterThanOrEqualTo(1);
        REPORT.put("local agent call", call.summary());
    }

    @Test
    void pcmEchoThroughNativeLibopusWithTheCallLogOnPostgres() throws Exception {
        double hz = 523;
        Path says = TestAudio.toneFile(dir, hz, 150);
        try (PostgresServer pg = PostgresServer.start()) {
            Call call = placeCall("pcm-echo", "native", pg.jdbcUrl(), says, 50, false);

            assertThat(call.log()).as("WAVOICE_OPUS=native: libopus loaded through the FFM API")
                    .contains("codec=\"libopus: configured (opus codec = native)").contains("db=postgresql");
            assertThat(TestAudio.windowsAt(TestAudio.decode(call.heard()), hz))
                    .as("the caller's %.0f Hz back through libopus", hz).isGreaterThanOrEqualTo(10);
            REPORT.put("pcm-echo call (libopus, PostgreSQL)", call.summary());
        }
    }

    /** What one call on one fresh server showed. */
    record Call(List<RecordedPacket> heard, String log, long preAcceptMs, long stopMs) {
        String summary() {
            return "webhook -> pre_accept " + preAcceptMs + " ms, SIGTERM -> exit " + stopMs + " ms, "
                    + heard.size() + " packets heard";
        }
    }

    /**
     * Starts the linked runtime on the jar, rings it from Pion with a signed connect webhook, hands the
     * pre_accept's answer to Pion, waits for accept and {@code packetsBack} packets of audio back, then SIGTERMs the
     * server with the call live.
     */
    private Call placeCall(String agent, String opus, String dbUrl, Path says, int packetsBack, boolean measure)
            throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-" + agent));
        Path log = dir.resolve("server-" + agent + ".log");
        int port = freePort();
        String callId = "wacid.JLINK-" + agent.toUpperCase();
        try (FakeGraphApi graph = new FakeGraphApi();
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says)
                     .withRecord(dir.resolve("heard-" + agent + ".rec")).withDuration(Duration.ofSeconds(30)))) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("WAVOICE_HTTP_HOST", "127.0.0.1");
            env.put("WAVOICE_HTTP_PORT", Integer.toString(port));
            env.put("WAVOICE_MEDIA_HOST", "127.0.0.1");
            env.put("WAVOICE_MEDIA_PORT", "0");
            env.put("WAVOICE_DB_URL", dbUrl != null ? dbUrl : "jdbc:h2:file:" + dir.resolve("db-" + agent).resolve("wavoice"));
            env.put("WAVOICE_AGENT", agent);
            env.put("WAVOICE_OPUS", opus);
            env.put("WAVOICE_DRAIN_SECONDS", "2");
            env.put("WAVOICE_INSTANCE_ID", "jlink-it-" + agent);
            env.put("WHATSAPP_APP_SECRET", TestServer.APP_SECRET);
            env.put("WHATSAPP_VERIFY_TOKEN", TestServer.VERIFY_TOKEN);
            env.put("WHATSAPP_ACCESS_TOKEN", TestServer.ACCESS_TOKEN);
            env.put("WHATSAPP_GRAPH_URL", graph.url().toString());
            Process server = start(work, log, env);
            try {
                URI base = URI.create("http://127.0.0.1:" + port);
                String offer = whatsapp.offer(T);
                awaitReady(server, base, log);
                if (measure) {
                    Thread.sleep(1000); // let startup's garbage and the first JIT work settle
                    double idleRssMib = rssKib(server.pid()) / 1024.0;
                    REPORT.put("idle RSS after /ready (echo)", String.format("%.1f MiB  (goal <= %.0f MiB: %s)",
                            idleRssMib, GOAL_IDLE_RSS_MIB, idleRssMib <= GOAL_IDLE_RSS_MIB ? "met" : "NOT met"));
                }

                byte[] body = TestServer.connectWebhook(callId, "1764002000", v -> {
                    ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", offer);
                    return v;
                }).getBytes(StandardCharsets.UTF_8);
                long t0 = System.nanoTime();
                HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(base.resolve("/webhook"))
                        .header("Content-Type", "application/json").header(WebhookSignature.HEADER, SIGNATURE.sign(body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(posted.statusCode()).as("signed connect webhook").isEqualTo(200);
                FakeGraphApi.Request preAccept = awaitGraph(graph, callId, "pre_accept", server, log);
                long preAcceptMs = (preAccept.receivedNanos() - t0) / 1_000_000;
                if (measure) {
                    REPORT.put("webhook POST -> pre_accept (1st call)", String.format("%d ms  (goal <= %.0f ms: %s)",
                            preAcceptMs, GOAL_PRE_ACCEPT_MS, preAcceptMs <= GOAL_PRE_ACCEPT_MS ? "met" : "NOT met"));
                }
                assertThat(preAccept.sdp()).contains("a=setup:active").doesNotContain("a=ice-lite");
                whatsapp.sendAnswer(preAccept.sdp());
                whatsapp.awaitConnected(T);
                awaitGraph(graph, callId, "accept", server, log);
                whatsapp.awaitPacketsReceived(packetsBack, T);
                Thread.sleep(300); // the rest of a short sound (the greeting) still on its way
                if (measure) {
                    REPORT.put("RSS with the call up (echo)", String.format("%.1f MiB", rssKib(server.pid()) / 1024.0));
                }

                // SIGTERM with the call live: the service drains (/ready 503 at once, the call runs on for
                // WAVOICE_DRAIN_SECONDS, then the agent says goodbye), hangs up through Graph and exits 0.
                long s0 = System.nanoTime();
                server.destroy();
                long draining = System.nanoTime() + T.toNanos();
                int ready = 200;
                while (ready != 503 && System.nanoTime() < draining && server.isAlive()) {
                    ready = HTTP.send(HttpRequest.newBuilder(base.resolve("/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                }
                assertThat(ready).as("/ready while draining").isEqualTo(503);
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    fail("the server did not exit within 30 s of SIGTERM; log:\n" + tail(log));
                }
                long stopMs = (System.nanoTime() - s0) / 1_000_000;
                assertThat(server.exitValue()).as("exit status after a drain; log:\n%s", tail(log)).isZero();
                String text = Files.readString(log);
                assertThat(text).as("drain and shutdown ran").contains("cluster.draining")
                        .contains("wavoice.drained").contains("wavoice.stopped");
                assertThat(graph.actions()).as("the live call was hung up through Graph").contains("terminate");
                try (Stream<Path> left = Files.list(work)) {
                    assertThat(left.toList()).as("nothing written to the working directory").isEmpty();
                }
                whatsapp.requestClose();
                whatsapp.awaitExit(T);
                return new Call(whatsapp.recording(), text, preAcceptMs, stopMs);
            } finally {
                if (server.isAlive()) {
                    server.destroyForcibly();
                }
            }
        }
    }

    /**
     * The Dockerfile's training run on the linked runtime: {@code serve --exit-after-warmup} on loopback ports with a
     * throwaway database and the built-in agent, recording {@code cache} at exit.
     */
    private static void recordAotCache(List<String> options, Path cache) throws Exception {
        Path work = Files.createTempDirectory("jlink-aot-training");
        List<String> command = new ArrayList<>();
        command.add(runtime.resolve("bin/java").toString());
        command.addAll(options);
        command.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-jar", jar.toString(), "serve", "--exit-after-warmup"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("training.log").toFile());
        pb.environment().keySet().removeIf(k -> DeploymentFiles.SETTING.matcher(k).matches()
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        pb.environment().putAll(Map.of("WAVOICE_HTTP_HOST", "127.0.0.1", "WAVOICE_HTTP_PORT", "0",
                "WAVOICE_MEDIA_HOST", "127.0.0.1", "WAVOICE_MEDIA_PORT", "0", "WAVOICE_AGENT", "local",
                "WAVOICE_DB_URL", "jdbc:h2:file:" + work.resolve("db").resolve("wavoice")));
        Files.deleteIfExists(cache);
        Process training = pb.start();
        if (!training.waitFor(120, TimeUnit.SECONDS)) {
            training.destroyForcibly();
            fail("the AOT training run did not end within 120 s; log:\n" + tail(work.resolve("training.log")));
        }
        assertThat(training.exitValue()).as("AOT training run; log:\n%s", tail(work.resolve("training.log"))).isZero();
        assertThat(cache).as("the AOT cache the training run recorded").isNotEmptyFile();
        deleteTree(work);
    }

    private Process start(Path work, Path log, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(runtime.resolve("bin/java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Only what this test sets: nothing of the build's environment reaches the server's configuration.
        pb.environment().keySet().removeIf(k -> DeploymentFiles.SETTING.matcher(k).matches()
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitReady(Process server, URI base, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                fail("the server exited with " + server.exitValue() + " before /ready; log:\n" + tail(log));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        fail("/ready not 200 within 30 s (" + last + "); log:\n" + tail(log));
    }

    private static FakeGraphApi.Request awaitGraph(FakeGraphApi graph, String callId, String action, Process server,
            Path log) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<FakeGraphApi.Request> r = graph.requests(q -> action.equals(q.action()) && callId.equals(q.callId()))
                    .stream().findFirst();
            if (r.isPresent()) {
                return r.get();
            }
            if (!server.isAlive()) {
                break;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("no " + action + " for " + callId + " at the Graph API stand-in; it saw "
                + graph.actions() + "; log:\n" + tail(log));
    }

    /** Resident set size of a process, from /proc/<pid>/status (VmRSS, KiB). */
    private static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static long treeBytes(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            long total = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
