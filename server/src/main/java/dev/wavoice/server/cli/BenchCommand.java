package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.sim.Floods;
import dev.wavoice.server.sim.LoadFigures;
import dev.wavoice.server.sim.LoadRun;
import dev.wavoice.server.sim.OutboundFigures;
import dev.wavoice.server.sim.ServerUnderTest;
import dev.wavoice.server.sim.SimulatedWhatsApp;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wavoice bench}: N simulated WhatsApp callers against a server in its own process (started here, or at
 * {@code --url}), reporting setup latency, server CPU per call, frame timing, loss and heap per call. Everything
 * binds loopback; a server started here is stopped and deleted at the end, on failure, and on Ctrl-C. With {@code
 * --outbound}, the server places the calls instead ({@link OutboundBench}). With {@code --record} the started server
 * records every call into a temporary directory ({@link RecordedFiles}); {@code --compare-record} first runs the same
 * calls against a server of its own that records nothing ({@link RecordingComparison}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Load test: N simulated WhatsApp calls against a wavoice in its own JVM (or any server at --url",
                "speaking the same webhook + Graph API contract), with setup latency, CPU and heap per call."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--calls", defaultValue = "10", description = "Concurrent calls (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--seconds", defaultValue = "10", description = "Seconds each caller talks (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--ramp", defaultValue = "10", description = "Calls started per second (default ${DEFAULT-VALUE}).")
    double ramp;

    @Option(names = "--agent", defaultValue = "echo", description = "Agent of the started server: echo | pcm-echo | local (default ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = "--agent-transport", defaultValue = "websocket", description = "How the started server reaches a local or OpenAI agent: websocket | webrtc (default ${DEFAULT-VALUE}).")
    String agentTransport;

    @Option(names = "--agent-process", description = "With --agent local: run the local agent in a JVM of its own (wavoice local-agent) and the server as an OpenAI-compatible client of it, so the server's CPU figure is the bridge's alone.")
    boolean agentProcess;

    @Option(names = "--server-cpus", description = "Pin the started server (and a separate agent, on the other CPUs than the server when --agent-cpus is unset) with taskset -c, e.g. 0; run the bench itself under taskset -c 1 to keep the callers off the server's core.")
    String serverCpus;

    @Option(names = "--caller-cpus", description = "Pin this process, the simulated callers, with taskset (all its threads), e.g. 1; with --server-cpus 0 the load stays off the server's core.")
    String callerCpus;

    @Option(names = "--agent-cpus", description = "Pin the separate local agent (--agent-process) with taskset -c, e.g. 1.")
    String agentCpus;

    @Option(names = "--tone", defaultValue = "440", description = "Tone the callers speak in bursts, Hz (default ${DEFAULT-VALUE}).")
    double toneHz;

    @Option(names = "--url", description = "Measure the server at this URL instead of starting one (it must use --graph-port for its Graph API).")
    URI url;

    @Option(names = "--server-pid", defaultValue = "0", description = "Process id of the server at --url, for CPU (and, for a JVM, heap) figures.")
    long serverPid;

    @Option(names = "--app-secret", defaultValue = "${env:WHATSAPP_APP_SECRET}",
            description = "App secret of the server at --url (env WHATSAPP_APP_SECRET); random for a started server.")
    String appSecret;

    @Option(names = "--graph-port", defaultValue = "0", description = "Loopback port of the Graph API stand-in (default: any free port; fix it for --url).")
    int graphPort;

    @Option(names = "--warmup", defaultValue = "3", description = "Seconds of one warm-up call before measuring, 0 for none (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--find-max", description = "Then search the largest number of calls with every frame on time (doubling, then bisecting).")
    boolean findMax;

    @Option(names = "--max-limit", defaultValue = "2000", description = "Upper bound for --find-max (default ${DEFAULT-VALUE}).")
    int maxLimit;

    @Option(names = "--server-java-opts", description = "Extra JVM options for the started server, space-separated (e.g. -XX:StartFlightRecording=...).")
    String serverJavaOpts;

    @Option(names = "--echo-timing", description = "The server at --url echoes the callers' audio: time frames against their send time (automatic with --agent echo).")
    boolean echoTimingFlag;

    @Option(names = "--keep-logs", description = "Copy the started server's (and a separate agent's) log into this directory when they stop.")
    Path keepLogs;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Option(names = "--connect-timeout", defaultValue = "20", description = "Seconds a call may take to connect (default ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    @Option(names = "--flood-webhooks", defaultValue = "0", paramLabel = "RATE",
            description = "Meanwhile POST badly signed webhooks at RATE per second to the server's webhook path; every one must be refused (401/403) and none may create a call.")
    double floodWebhooks;

    @Option(names = "--flood-udp", defaultValue = "0", paramLabel = "RATE",
            description = "Meanwhile send garbage datagrams of every kind (random, STUN, DTLS, RTP, RTCP, truncated, oversized) at RATE per second to the server's media port, from this process.")
    double floodUdp;

    @Option(names = "--compare-flood", description = "First run the same calls without the floods, then with them, and compare late frames and holes in the audio.")
    boolean compareFlood;

    @Option(names = "--record", description = "The started server records every call (WAVOICE_RECORDING=on) into a temporary directory deleted at the end; the report adds the recordings written, their bytes and bytes per call-minute.")
    boolean record;

    @Option(names = "--compare-record", description = "First run the same calls against a started server that records nothing, then against one that records every call (each with its own warm-up), and compare server CPU per call (implies --record).")
    boolean compareRecord;

    @Option(names = "--outbound", description = "Measure calls the server places instead: POST /api/calls to simulated users who pick up; reports Graph connect after the request and media connected after the answer webhook (p50/p95/p99/max). The warm-up then calls the same N users first, so a permission the server keeps is known.")
    boolean outbound;

    @Option(names = "--admin-token", defaultValue = "${env:WAVOICE_ADMIN_TOKEN}",
            description = "With --outbound and --url: the server's admin token for POST /api/calls (env WAVOICE_ADMIN_TOKEN).")
    String adminToken;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (url != null && (appSecret == null || appSecret.isBlank())) {
            System.err.println("wavoice bench: --url needs the server's app secret (--app-secret or WHATSAPP_APP_SECRET)");
            return 2;
        }
        if (url != null && graphPort == 0) {
            System.err.println("wavoice bench: --url needs --graph-port (the port the server's Graph API URL points to)");
            return 2;
        }
        boolean recorded = record || compareRecord;
        if (recorded && (url != null || outbound)) {
            System.err.println("wavoice bench: --record and --compare-record need a server started here and calls to it"
                    + " (not --url, not --outbound)");
            return 2;
        }
        if (callerCpus != null && !pinCallers(callerCpus)) {
            return 2;
        }
        String secret = url != null ? appSecret : randomSecret();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Path recordings = recorded ? Files.createTempDirectory("wavoice-bench-recordings") : null;
        AtomicReference<ServerUnderTest> current = new AtomicReference<>();
        AtomicReference<ServerUnderTest> separateAgent = new AtomicReference<>();
        // Ctrl-C: the running server, a separate agent and the recordings go too (each close is idempotent).
        Runnable stopAll = () -> {
            ServerUnderTest s = current.get();
            if (s != null) {
                s.close();
            }
            ServerUnderTest a = separateAgent.get();
            if (a != null) {
                a.close();
            }
            if (recordings != null) {
                RecordedFiles.delete(recordings);
            }
        };
        Thread cleanup = new Thread(stopAll, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (SimulatedWhatsApp whatsapp = SimulatedWhatsApp.open(graphPort)) {
            int maxCalls = findMax ? maxLimit : calls;
            if (url == null && agentProcess && "local".equalsIgnoreCase(agent)) {
                separateAgent.set(ServerUnderTest.launchLocalAgent(List.of(), agentCpus));
            }
            Map<String, String> env = new HashMap<>();
            env.put("WAVOICE_AGENT_TRANSPORT", agentTransport);
            if (separateAgent.get() != null) {
                env.put("WAVOICE_AGENT", "openai");
                env.put("OPENAI_REALTIME_URL", separateAgent.get().url().toString());
            }
            LoadFigures unrecorded = null;
            if (compareRecord) {
                out.println("without recording:");
                unrecorded = unrecordedRun(whatsapp, http, secret, maxCalls, env, current, separateAgent.get(), out);
                out.println("with recording:");
            }
            if (recordings != null) {
                env.put(AgentDirectory.RECORDING_ENV, "on");
                env.put("WAVOICE_RECORDINGS_DIR", recordings.toString());
            }
            ServerUnderTest server = startServer(whatsapp, http, secret, maxCalls, env, current, separateAgent.get(),
                    "server", out);
            try {
                if (outbound) {
                    return outbound(whatsapp, server, mapper, out);
                }
                return inbound(whatsapp, server, http, mapper, separateAgent.get(), recordings, unrecorded, out);
            } finally {
                server.close();
            }
        } finally {
            stopAll.run();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the same things
            }
        }
    }

    /**
     * Starts the server (in its own JVM, or attaches to the one at {@code --url}), puts it where {@code current}
     * lets Ctrl-C stop it, waits until it is ready, points the simulated WhatsApp at it and says so.
     */
    private ServerUnderTest startServer(SimulatedWhatsApp whatsapp, HttpClient http, String secret, int maxCalls,
            Map<String, String> env, AtomicReference<ServerUnderTest> current, ServerUnderTest separateAgent,
            String logName, PrintWriter out) throws IOException, InterruptedException {
        ServerUnderTest server = url != null ? ServerUnderTest.attach(url, serverPid)
                : ServerUnderTest.launch(agent, whatsapp.graphUrl(), secret, maxCalls + 10, javaOpts(), env,
                        serverCpus);
        current.set(server);
        if (keepLogs != null) {
            server.keepLogIn(keepLogs, logName);
            if (separateAgent != null) {
                separateAgent.keepLogIn(keepLogs, "agent");
            }
        }
        server.awaitReady(http, Duration.ofSeconds(60));
        whatsapp.target(server.url(), secret);
        out.printf("wavoice bench: %s server %s (pid %d), agent %s%s, %d calls x %d s, ramp %.1f/s%s%n",
                server.started() ? "started" : "attached", server.url(), server.pid(),
                url != null ? "(as configured)" : agent + " over " + agentTransport,
                separateAgent == null ? "" : " (its own JVM, pid " + separateAgent.pid() + ")",
                calls, seconds, ramp, env.containsKey(AgentDirectory.RECORDING_ENV) ? ", every call recorded" : "");
        out.flush();
        return server;
    }

    /** {@code --compare-record}'s first half: the same calls against a server of its own that records nothing. */
    private LoadFigures unrecordedRun(SimulatedWhatsApp whatsapp, HttpClient http, String secret, int maxCalls,
            Map<String, String> env, AtomicReference<ServerUnderTest> current, ServerUnderTest separateAgent,
            PrintWriter out) throws IOException, InterruptedException {
        ServerUnderTest server = startServer(whatsapp, http, secret, maxCalls, env, current, separateAgent,
                "server-unrecorded", out);
        try {
            if (warmupSeconds > 0) {
                LoadRun.run(whatsapp, server, http, plan(1, warmupSeconds, false));
            }
            LoadFigures f = LoadRun.run(whatsapp, server, http, plan(calls, seconds, true));
            out.print(f.table());
            if (!f.failures().isEmpty()) {
                out.println("server log tail:\n" + server.tail());
            }
            out.flush();
            return f;
        } finally {
            server.close();
        }
    }

    private int inbound(SimulatedWhatsApp whatsapp, ServerUnderTest server, HttpClient http, ObjectMapper mapper,
            ServerUnderTest separateAgent, Path recordings, LoadFigures unrecorded, PrintWriter out)
            throws IOException, InterruptedException {
        if (warmupSeconds > 0) {
            LoadRun.run(whatsapp, server, http, plan(1, warmupSeconds, false));
        }
        Floods.Plan flood = new Floods.Plan(floodWebhooks, floodUdp);
        LoadFigures baseline = null;
        if (compareFlood && flood.any()) {
            baseline = LoadRun.run(whatsapp, server, http, plan(calls, seconds, true));
            out.println("without the floods:");
            out.print(baseline.table());
            out.println("with the floods:");
            out.flush();
        }
        // The warm-up's (and a flood baseline's) recordings are not the run's.
        RecordedFiles.Snapshot recordedBefore = recordings == null ? null
                : RecordedFiles.snapshot(recordings, server.metrics(http));
        LoadFigures main = LoadRun.run(whatsapp, server, http, plan(calls, seconds, true).withFlood(flood));
        out.print(main.table());
        ObjectNode report = header(mapper, server);
        report.set("result", main.json(mapper));
        if (baseline != null) {
            report.set("without_flood", baseline.json(mapper));
            report.set("flood_comparison", FloodComparison.of(baseline, main).json(mapper));
            out.print(FloodComparison.of(baseline, main).line());
        }
        if (recordedBefore != null) {
            RecordedFiles written = RecordedFiles.since(recordedBefore, () -> server.metrics(http),
                    Duration.ofSeconds(20));
            out.print(written.line());
            report.set("recording", written.json(mapper).put("dir", recordings.toString()));
            if (unrecorded != null) {
                RecordingComparison c = RecordingComparison.of(unrecorded, main);
                report.set("without_recording", unrecorded.json(mapper));
                report.set("recording_comparison", c.json(mapper));
                out.print(c.line());
            }
        }
        serverSeries(http, server, report.putObject("server_metrics"), out);
        out.flush();
        int code = main.failures().isEmpty() && main.floodBreaches().isEmpty()
                && (unrecorded == null || unrecorded.failures().isEmpty()) ? 0 : 1;
        if (!main.failures().isEmpty() && server.started()) {
            out.println("server log tail:\n" + server.tail());
            if (separateAgent != null) {
                out.println("agent log tail:\n" + separateAgent.tail());
            }
        }
        if (findMax) {
            report.set("find_max", findMax(whatsapp, server, http, mapper, main, out));
        }
        if (json != null) {
            Files.writeString(json, mapper.writeValueAsString(report));
            out.printf("JSON written to %s%n", json);
        }
        out.flush();
        return code;
    }

    private int outbound(SimulatedWhatsApp whatsapp, ServerUnderTest server, ObjectMapper mapper, PrintWriter out)
            throws IOException, InterruptedException {
        ObjectNode report = header(mapper, server);
        ((ObjectNode) report.path("settings")).put("outbound", true);
        OutboundFigures f = OutboundBench.run(whatsapp, server, new OutboundBench.Settings(calls,
                Duration.ofSeconds(seconds), ramp, toneHz, Duration.ofSeconds(connectTimeoutSeconds),
                Duration.ofSeconds(warmupSeconds), url != null ? adminToken : null), mapper, report, out);
        if (!f.failures().isEmpty() && server.started()) {
            out.println("server log tail:\n" + server.tail());
        }
        if (json != null) {
            Files.writeString(json, mapper.writeValueAsString(report));
            out.printf("JSON written to %s%n", json);
        }
        out.flush();
        return f.failures().isEmpty() ? 0 : 1;
    }

    /** {@code taskset -a -p -c cpus <this pid>}: threads started later inherit the mask of the one starting them. */
    private static boolean pinCallers(String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus.trim(),
                Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            System.err.println("wavoice bench: could not pin the callers to CPUs " + cpus + ": " + said);
            return false;
        }
        return true;
    }

    /** The server's own figures a run cannot see from outside: relay latency and codec work, from its metrics. */
    private static void serverSeries(HttpClient http, ServerUnderTest server, ObjectNode into, PrintWriter out) {
        LoadFigures.series(server.metrics(http), name -> name.startsWith("wavoice_relay_latency_seconds{")
                || name.startsWith("wavoice_opus_frames_total{")).forEach((name, value) -> {
                    into.put(name, value);
                    out.printf("server            %s = %s%n", name, name.startsWith("wavoice_relay")
                            ? String.format("%.3f ms", value * 1000) : Long.toString(value.longValue()));
                });
    }

    private ObjectNode findMax(SimulatedWhatsApp whatsapp, ServerUnderTest server, HttpClient http, ObjectMapper mapper,
            LoadFigures first, PrintWriter out) throws InterruptedException {
        ObjectNode node = mapper.createObjectNode();
        ArrayNode runs = node.putArray("runs");
        runs.add(step(mapper, first));
        int good = first.onTime() ? calls : 0;
        int bad = first.onTime() ? -1 : calls;
        while (bad < 0 && good < maxLimit) {
            int n = Math.min(maxLimit, good * 2);
            LoadFigures f = measureStep(whatsapp, server, http, n, runs, mapper, out);
            if (f.onTime()) {
                good = n;
            } else {
                bad = n;
            }
        }
        while (bad > 0 && bad - good > Math.max(1, good / 10)) {
            int n = (good + bad) / 2;
            LoadFigures f = measureStep(whatsapp, server, http, n, runs, mapper, out);
            if (f.onTime()) {
                good = n;
            } else {
                bad = n;
            }
        }
        node.put("largest_on_time_calls", good);
        node.put("first_late_calls", bad);
        out.printf("find-max: largest N with every frame on time = %d%s%n", good,
                bad > 0 ? " (late at " + bad + ")" : " (the limit)");
        return node;
    }

    private LoadFigures measureStep(SimulatedWhatsApp whatsapp, ServerUnderTest server, HttpClient http, int n,
            ArrayNode runs, ObjectMapper mapper, PrintWriter out) throws InterruptedException {
        LoadFigures f = LoadRun.run(whatsapp, server, http, plan(n, seconds, false));
        out.printf("find-max: %d calls -> %d passed, at the callers %d of %d frames later than 5 ms, at the server"
                + " %s, %.2f CPU ms per call-second -> %s%n", n, f.passed(), f.framesLateOver5ms(), f.framesTimed(),
                f.serverSends().known() ? f.serverSends().lateTicks() + " of " + f.serverSends().ticks()
                        + " pacer ticks late" : "no pacer counters", f.cpuMillisPerCallSecond(),
                f.onTime() ? "on time" : "late");
        out.flush();
        runs.add(step(mapper, f));
        return f;
    }

    private static ObjectNode step(ObjectMapper mapper, LoadFigures f) {
        ObjectNode n = mapper.createObjectNode();
        n.put("calls", f.plan().calls()).put("passed", f.passed()).put("frames_timed", f.framesTimed())
                .put("late_over_5ms", f.framesLateOver5ms()).put("server_late_ticks", f.serverSends().lateTicks())
                .put("server_ticks", f.serverSends().ticks()).put("cpu_ms_per_call_second", f.cpuMillisPerCallSecond())
                .put("on_time", f.onTime());
        return n;
    }

    private LoadRun.Plan plan(int n, int talkSeconds, boolean measureHeap) {
        // pcm-echo re-encodes, so its frames cannot be matched to what was sent: judged on the RTP grid instead.
        boolean echo = url == null ? "echo".equalsIgnoreCase(agent) : echoTimingFlag;
        return new LoadRun.Plan(n, Duration.ofSeconds(talkSeconds), ramp, toneHz, Duration.ofSeconds(connectTimeoutSeconds),
                measureHeap, echo, Floods.Plan.NONE);
    }

    private ObjectNode header(ObjectMapper mapper, ServerUnderTest server) {
        ObjectNode n = mapper.createObjectNode();
        n.put("date", Instant.now().toString());
        ObjectNode machine = n.putObject("machine");
        machine.put("cpu", cpuModel()).put("cores", Runtime.getRuntime().availableProcessors())
                .put("java", System.getProperty("java.version"));
        ObjectNode s = n.putObject("server");
        s.put("url", server.url().toString()).put("pid", server.pid()).put("started_by_bench", server.started())
                .put("agent", url != null ? null : agent).put("agent_transport", url != null ? null : agentTransport)
                .put("agent_process", agentProcess).put("server_cpus", serverCpus).put("caller_cpus", callerCpus);
        ObjectNode settings = n.putObject("settings");
        settings.put("calls", calls).put("seconds", seconds).put("ramp_per_second", ramp).put("tone_hz", toneHz)
                .put("warmup_seconds", warmupSeconds).put("find_max", findMax)
                .put("flood_webhooks_per_second", floodWebhooks).put("flood_datagrams_per_second", floodUdp)
                .put("compare_flood", compareFlood).put("record", record || compareRecord)
                .put("compare_record", compareRecord);
        return n;
    }

    private List<String> javaOpts() {
        List<String> opts = new ArrayList<>();
        if (serverJavaOpts != null && !serverJavaOpts.isBlank()) {
            opts.addAll(List.of(serverJavaOpts.trim().split("\\s+")));
        }
        return opts;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String randomSecret() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
