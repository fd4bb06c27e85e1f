package dev.wavoice.server.sim;

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
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The answerer a bench measures: a wavoice started here in its own JVM (loopback only, temporary H2 database,
 * stopped and deleted on {@link #close()}), or any server already running at a URL, optionally with its process
 * id for CPU and heap figures. CPU comes from {@code /proc/<pid>/stat} (any process); heap from {@code jcmd}
 * (JVMs only).
 */
public final class ServerUnderTest implements AutoCloseable {
    /** The last line of {@code GC.class_histogram}: instances and bytes of every live object. */
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final long CLOCK_TICKS_PER_SECOND = clockTicks();

    private final URI url;
    private final long pid;
    private final Process process;
    private final Path workDir;

    private ServerUnderTest(URI url, long pid, Process process, Path workDir) {
        this.url = url;
        this.pid = pid;
        this.process = process;
        this.workDir = workDir;
    }

    /** A server someone else started; {@code pid} may be 0 when unknown (no CPU or heap figures then). */
    public static ServerUnderTest attach(URI url, long pid) {
        return new ServerUnderTest(url, pid, null, null);
    }

    /**
     * Starts {@code wavoice serve} in a new JVM (this JVM's java binary and class path) on a free loopback port,
     * with the given agent, Graph API URL and app secret, and at least {@code maxCalls} allowed calls.
     */
    public static ServerUnderTest launch(String agent, URI graphUrl, String appSecret, int maxCalls,
            List<String> jvmOptions) throws IOException {
        return launch(agent, graphUrl, appSecret, maxCalls, jvmOptions, Map.of(), null);
    }

    /**
     * As above, with more environment variables for the server (they win over the bench's own), and pinned to
     * {@code cpus} ({@code taskset -c}, e.g. {@code "0"}) when it is not null, so the callers can be kept off its core.
     */
    public static ServerUnderTest launch(String agent, URI graphUrl, String appSecret, int maxCalls,
            List<String> jvmOptions, Map<String, String> extraEnv, String cpus) throws IOException {
        Path dir = Files.createTempDirectory("wavoice-bench");
        int port = freePort();
        List<String> command = javaCommand(jvmOptions, cpus);
        command.add("serve");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        Map<String, String> env = pb.environment();
        env.remove("OPENAI_API_KEY");
        env.put("WAVOICE_HTTP_HOST", "127.0.0.1");
        env.put("WAVOICE_HTTP_PORT", Integer.toString(port));
        env.put("WAVOICE_MEDIA_HOST", "127.0.0.1");
        env.put("WAVOICE_MEDIA_PORT", "0");
        env.put("WAVOICE_DB_URL", "jdbc:h2:file:" + dir.resolve("db").resolve("wavoice"));
        env.put("WAVOICE_AGENT", agent);
        env.put("WAVOICE_MAX_CALLS", Integer.toString(Math.max(maxCalls, 1)));
        env.put("WHATSAPP_APP_SECRET", appSecret);
        env.put("WHATSAPP_ACCESS_TOKEN", "bench-access-token");
        env.put("WHATSAPP_GRAPH_URL", graphUrl.toString());
        env.put("WAVOICE_GRAPH_URL", graphUrl.toString()); // the name other answerers of the bench contract read
        env.putAll(extraEnv);
        Process p = pb.start();
        return new ServerUnderTest(URI.create("http://127.0.0.1:" + port), p.pid(), p, dir);
    }

    /**
     * Starts {@code wavoice local-agent} (the built-in agent's WebSocket and WebRTC endpoints) in a JVM of its own, so
     * a load test measures the server without the agent's decoding and encoding in its process.
     */
    public static ServerUnderTest launchLocalAgent(List<String> jvmOptions, String cpus) throws IOException {
        Path dir = Files.createTempDirectory("wavoice-bench-agent");
        int port = freePort();
        List<String> command = javaCommand(jvmOptions, cpus);
        command.addAll(List.of("local-agent", "--port", Integer.toString(port)));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        return new ServerUnderTest(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"), p.pid(), p, dir);
    }

    private static List<String> javaCommand(List<String> jvmOptions, String cpus) {
        List<String> command = new ArrayList<>();
        if (cpus != null && !cpus.isBlank()) {
            command.addAll(List.of("taskset", "-c", cpus.trim()));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED"); // libopus through the FFM API, as the launcher allows
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", absoluteClassPath(), "dev.wavoice.server.cli.Main"));
        return command;
    }

    private Path keepLogIn;
    private String logName;

    public URI url() {
        return url;
    }

    public long pid() {
        return pid;
    }

    /** True when this bench started the server (and will stop it). */
    public boolean started() {
        return process != null;
    }

    /** The started server's log (null for an attached one). */
    public Path log() {
        return workDir == null ? null : workDir.resolve("server.log");
    }

    /** Polls {@code GET /ready} until 200; fails early when a started server exits. */
    public void awaitReady(HttpClient http, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before it was ready; log:\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IOException(url + "/ready not ready within " + timeout.toSeconds() + " s (" + last + ")"
                + (process == null ? "" : "; log:\n" + tail()));
    }

    /** User + system CPU time of the server process so far, from {@code /proc/<pid>/stat}. */
    public OptionalLong cpuNanos() {
        return cpuNanosOf(pid);
    }

    /** User + system CPU time of any process, from {@code /proc/<pid>/stat} (Linux). */
    public static OptionalLong cpuNanosOf(long pid) {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
            return OptionalLong.of(ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The server's live heap: the bytes of every object a full GC keeps ({@code jcmd GC.class_histogram}, which
     * collects and counts in one safepoint); empty when not a JVM. Reading the heap's "used" after a separate
     * {@code GC.run} also counted whatever the live calls allocated between the two commands, enough to swing a
     * per-call figure by tens of KiB.
     */
    public OptionalLong liveHeapAfterGc() {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        try {
            Matcher m = HISTOGRAM_TOTAL.matcher(jcmd("GC.class_histogram"));
            return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** The server's {@code /metrics} text, or empty when it has none. */
    public String metrics(HttpClient http) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " failed");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The last lines of a started server's log (for a failure report). */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log)";
        }
    }

    /** Whether the started server process is still running (false for an attached one). */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Copies the process's log to {@code dir/<name>.log} when it is stopped (for a run worth reading later). */
    public synchronized void keepLogIn(Path dir, String name) {
        this.keepLogIn = dir;
        this.logName = name;
    }

    /** Stops a started server (SIGTERM, then kill after 15 s) and deletes its directory; nothing for attached. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (keepLogIn != null && workDir != null && Files.exists(workDir.resolve("server.log"))) {
            try {
                Files.createDirectories(keepLogIn);
                Files.copy(workDir.resolve("server.log"), keepLogIn.resolve(logName + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                System.err.println("could not keep " + workDir.resolve("server.log") + ": " + e);
            }
        }
        if (workDir != null && Files.exists(workDir)) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }

    /**
     * This JVM's class path with absolute entries (the server runs in its own directory), or the system property
     * {@code wavoice.serverClassPath} when set: e.g. {@code server/target/wavoice.jar}, the class path an ahead-of-time
     * cache was made for.
     */
    private static String absoluteClassPath() {
        String classPath = System.getProperty("wavoice.serverClassPath", System.getProperty("java.class.path"));
        return Stream.of(classPath.split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
