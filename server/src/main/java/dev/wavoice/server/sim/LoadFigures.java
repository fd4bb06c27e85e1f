package dev.wavoice.server.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.playout.PacerStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one {@link LoadRun}, as a table and as JSON.
 *
 * @param serverCpuNanos server CPU time over the run (-1: unknown)
 * @param steadyCpuNanos server CPU time while every call was up and talking (-1: unknown, or the talk too short)
 * @param steadyCallSeconds call-seconds in that window
 * @param callSeconds    sum over calls of connected → hang-up
 * @param upTogether     calls connected at the same time (when the heap was read)
 * @param serverPacing   the server's own pacer/outbound series from {@code /metrics}, when it exports any
 * @param serverSends    the server pacer's ticks and late sends over this run (the heap reading's window left out)
 * @param gaps           holes in the audio the callers heard back
 * @param flood          what the floods beside the run sent and got (null: no flood)
 * @param edges          the server's media-port and webhook counters over the run
 */
public record LoadFigures(LoadRun.Plan plan, int passed, List<String> failures, Percentiles preAccept,
                          Percentiles connected, Percentiles firstAudio, Percentiles firstVoiced, Percentiles reply,
                          long serverCpuNanos,
                          double callSeconds, long steadyCpuNanos, double steadyCallSeconds,
                          long packetsSent, long packetsReceived, long packetsLost, long framesTimed,
                          long framesLateOver5ms, double latenessP50Millis, double latenessP99Millis,
                          long heapBeforeBytes, long heapWithCallsBytes, int upTogether,
                          Map<String, Double> serverPacing, ServerSends serverSends, PacerStats callerPacer,
                          double elapsedSeconds,
                          long callerCpuNanos, AudioGaps gaps, Floods.Figures flood, MediaPortDrops edges) {

    /** Nearest-rank percentiles of one setup step, in milliseconds, over the calls that reached it. */
    public record Percentiles(int n, double p50, double p95, double p99, double max) {
        static Percentiles of(List<CallResult> calls, ToDoubleFunction<CallResult> step) {
            return of(calls.stream().mapToDouble(step));
        }

        static Percentiles of(java.util.stream.DoubleStream values) {
            double[] v = values.filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length == 0) {
                return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Percentiles(v.length, rank(v, 0.50), rank(v, 0.95), rank(v, 0.99), v[v.length - 1]);
        }

        private static double rank(double[] sorted, double q) {
            return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
        }
    }

    static LoadFigures of(LoadRun.Plan plan, List<CallResult> calls, long[] lateness, long elapsedNanos,
            long steadyCpuNanos, double steadyCallSeconds, long serverCpuNanos, OptionalLong heapBefore, OptionalLong heapWith, int upTogether, String metrics,
            ServerSends serverSends, PacerStats callerPacer, long callerCpuNanos, AudioGaps gaps, Floods.Figures flood,
            MediaPortDrops edges) {
        List<String> failures = new ArrayList<>();
        int passed = 0;
        for (CallResult c : calls) {
            CallResult.Verdict v = c.verdict();
            if (v.pass()) {
                passed++;
            } else {
                failures.add(c.callId() + ": " + v.reason());
            }
        }
        long timed = calls.stream().mapToLong(CallResult::timedPackets).sum();
        return new LoadFigures(plan, passed, failures,
                Percentiles.of(calls, CallResult::preAcceptMillis), Percentiles.of(calls, CallResult::connectedMillis),
                Percentiles.of(calls, CallResult::firstAudioMillis), Percentiles.of(calls, CallResult::firstVoicedMillis),
                Percentiles.of(calls.stream().flatMap(c -> c.replyMillis().stream()).mapToDouble(Double::doubleValue)),
                serverCpuNanos,
                calls.stream().mapToDouble(CallResult::callSeconds).sum(), steadyCpuNanos, steadyCallSeconds,
                calls.stream().mapToLong(CallResult::packetsSent).sum(),
                calls.stream().mapToLong(CallResult::packetsReceived).sum(),
                calls.stream().mapToLong(CallResult::packetsLost).sum(), timed,
                calls.stream().mapToLong(CallResult::lateOver5ms).sum(),
                ArrivalStats.percentileMillis(lateness, 0.50), ArrivalStats.percentileMillis(lateness, 0.99),
                heapBefore.orElse(-1), heapWith.orElse(-1), upTogether, pacing(metrics), serverSends, callerPacer,
                elapsedNanos / 1e9, callerCpuNanos, gaps, flood, edges);
    }

    /** The server's own send timing: its pacer and outbound series, when it exports any ({@code wavoice_pacer_*}). */
    static Map<String, Double> pacing(String metrics) {
        return series(metrics, name -> name.contains("pacer") || name.contains("outbound"));
    }

    /** The samples of a Prometheus text whose series (name and labels) {@code wanted} accepts, in order. */
    public static Map<String, Double> series(String metrics, Predicate<String> wanted) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String name = line.substring(0, Math.max(0, line.lastIndexOf(' ')));
            if (wanted.test(name)) {
                try {
                    out.put(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        }
        return out;
    }

    public double lossFraction() {
        long expected = packetsReceived + packetsLost;
        return expected == 0 ? 0 : packetsLost / (double) expected;
    }

    /** Server CPU milliseconds per second of call (NaN when unknown). */
    public double cpuMillisPerCallSecond() {
        return serverCpuNanos < 0 || callSeconds <= 0 ? Double.NaN : serverCpuNanos / 1e6 / callSeconds;
    }

    /** Server CPU milliseconds per call-second while every call talked, setup and teardown left out (NaN: unknown). */
    public double steadyCpuMillisPerCallSecond() {
        return steadyCpuNanos < 0 || steadyCallSeconds <= 0 ? Double.NaN : steadyCpuNanos / 1e6 / steadyCallSeconds;
    }

    /** Calls one core could carry at this cost. */
    public double callsPerCore() {
        double ms = cpuMillisPerCallSecond();
        return Double.isNaN(ms) || ms <= 0 ? Double.NaN : 1000 / ms;
    }

    public long heapPerCallBytes() {
        return heapBeforeBytes < 0 || heapWithCallsBytes < 0 || upTogether == 0 ? -1
                : (heapWithCallsBytes - heapBeforeBytes) / upTogether;
    }

    /**
     * Every call passed and every frame left the server on time. Paced audio (any agent that speaks) is judged at
     * the server's send side, by its pacer: no tick's frames left more than 5 ms after their deadline. The echo line
     * sends from the receive path, not the pacer, so it is judged by the echoed frames' return at the callers; so is
     * a server that exports no pacer counters.
     */
    public boolean onTime() {
        if (!failures.isEmpty()) {
            return false;
        }
        return plan.echoTiming() || !serverSends.known() ? framesLateOver5ms == 0 : serverSends.lateTicks() == 0;
    }

    /** Frames back later than 5 ms, as a percentage of those timed. */
    public double latePercent() {
        return framesTimed == 0 ? 0.0 : 100.0 * framesLateOver5ms / framesTimed;
    }

    /**
     * A flood got through: a badly signed webhook answered other than 401/403, or one of its forged calls reached
     * the Graph API. Garbage datagrams cannot get through this way (none names a call's ufrag or comes from its
     * address); those the port did not count were lost before it read them, shown by {@link #datagramsUncounted}.
     */
    public List<String> floodBreaches() {
        List<String> breaches = new ArrayList<>();
        if (flood == null) {
            return breaches;
        }
        WebhookFlood.Result w = flood.webhooks();
        if (w != null && w.otherStatus() > 0) {
            breaches.add(w.otherStatus() + " badly signed webhooks were answered other than 401/403");
        }
        if (flood.floodCallsCreated() > 0) {
            breaches.add(flood.floodCallsCreated() + " Graph API actions on calls only a badly signed webhook named");
        }
        return breaches;
    }

    /** Garbage datagrams sent that the port never counted: lost in the socket's buffer while it was not read. */
    public long datagramsUncounted() {
        DatagramFlood.Result d = flood == null ? null : flood.datagrams();
        return d == null ? 0 : Math.max(0, d.sent() - edges.dropped());
    }

    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("calls %d (%d passed, %d up together), talk %d s each, ramp %.1f/s, %.1f s in all%n",
                plan.calls(), passed, upTogether, plan.talk().toSeconds(), plan.rampPerSecond(), elapsedSeconds));
        b.append(String.format("%-34s %8s %8s %8s %8s %5s%n", "setup (ms from webhook sent)", "p50", "p95", "p99", "max", "n"));
        row(b, "  -> pre_accept received", preAccept);
        row(b, "  -> DTLS connected (caller)", connected);
        row(b, "  -> first audio back", firstAudio);
        row(b, "  -> first voiced audio back", firstVoiced);
        row(b, "caller pauses -> voiced audio back", reply);
        b.append(String.format("server CPU        %s ms per call-second (%.1f CPU s over %.1f call-s) = %s calls per core%n",
                num(cpuMillisPerCallSecond(), 2), serverCpuNanos / 1e9, callSeconds, num(callsPerCore(), 0)));
        double steadyMs = steadyCpuMillisPerCallSecond();
        if (!Double.isNaN(steadyMs)) {
            b.append(String.format("  while all talk %s ms per call-second (%.1f CPU s over %.1f call-s) = %s calls per core"
                    + " (setup and teardown left out)%n", num(steadyMs, 2), steadyCpuNanos / 1e9, steadyCallSeconds,
                    num(1000 / steadyMs, 0)));
        }
        b.append(String.format("frames back       %d timed (vs %s), %d later than 5 ms (%.3f %%), lateness p50 %s ms, p99 %s ms%n",
                framesTimed, plan.echoTiming() ? "send time" : "RTP grid", framesLateOver5ms, framesTimed == 0 ? 0.0 : 100.0 * framesLateOver5ms / framesTimed,
                num(latenessP50Millis, 1), num(latenessP99Millis, 1)));
        b.append(String.format("audio             sent %d, received %d, lost %d (%.3f %%)%n", packetsSent,
                packetsReceived, packetsLost, 100 * lossFraction()));
        b.append(String.format("heap              %s live after GC with %d calls, %s before: %s per call%n",
                kib(heapWithCallsBytes), upTogether, kib(heapBeforeBytes), kib(heapPerCallBytes())));
        b.append(String.format("callers           %.1f CPU s in this process; clock %d late ticks of %d, p99 %.2f ms (late ticks here blur the figures above)%n",
                callerCpuNanos / 1e9, callerPacer.lateTicks(), callerPacer.ticks(), callerPacer.latenessP99Nanos() / 1e6));
        if (serverSends.known()) {
            b.append(String.format("server sends      %d pacer ticks over the run, %d with a frame leaving more than 5 ms late"
                    + " (the heap reading's GC left out)%n", serverSends.ticks(), serverSends.lateTicks()));
        }
        if (!serverPacing.isEmpty()) {
            b.append("server pacing     ").append(serverPacing).append('\n');
        }
        b.append(String.format("audio holes       longest per call p50 %s ms, max %s ms; %d holes over 60 ms in %d calls%n",
                num(gaps.longestPerCall().p50(), 1), num(gaps.longestPerCall().max(), 1), gaps.holesOver60ms(),
                gaps.callsWithHoleOver60ms()));
        b.append(String.format("server edges      media port: %d datagrams, %d dropped %s; webhooks %s%n",
                edges.datagramsReceived(), edges.dropped(), edges.droppedByReason(), edges.webhooksByResult()));
        if (flood != null) {
            WebhookFlood.Result w = flood.webhooks();
            if (w != null) {
                b.append(String.format("flood webhooks    %d sent at %.0f/s over %.1f s: %d refused 401/403, %d other,"
                        + " %d unanswered; not sent: %d with %d in flight, %d with the sender over 1 s behind;"
                        + " %d forged calls reached the Graph API%n",
                        w.sent(), w.ratePerSecond(), w.seconds(), w.refused(), w.otherStatus(), w.failed(),
                        w.heldBack(), WebhookFlood.MAX_IN_FLIGHT, w.behind(), flood.floodCallsCreated()));
            }
            DatagramFlood.Result d = flood.datagrams();
            if (d != null) {
                b.append(String.format("flood datagrams   %d sent at %.0f/s over %.1f s (%d send errors, %d not sent): %s;"
                        + " %d never counted at the port (lost in its socket buffer before it read them)%n",
                        d.sent(), d.ratePerSecond(), d.seconds(), d.sendErrors(), d.notSent(), d.byKind(),
                        datagramsUncounted()));
            }
            floodBreaches().forEach(x -> b.append("FLOOD GOT THROUGH ").append(x).append('\n'));
        }
        failures.stream().limit(10).forEach(f -> b.append("FAILED ").append(f).append('\n'));
        return b.toString();
    }

    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("calls", plan.calls()).put("talk_seconds", plan.talk().toSeconds()).put("ramp_per_second", plan.rampPerSecond())
                .put("tone_hz", plan.toneHz()).put("passed", passed).put("failed", failures.size())
                .put("up_together", upTogether).put("elapsed_seconds", elapsedSeconds);
        n.putArray("failures").addAll(failures.stream().limit(50).map(mapper.getNodeFactory()::textNode).toList());
        ObjectNode setup = n.putObject("setup_ms");
        percentiles(setup.putObject("pre_accept"), preAccept);
        percentiles(setup.putObject("dtls_connected"), connected);
        percentiles(setup.putObject("first_audio_back"), firstAudio);
        percentiles(setup.putObject("first_voiced_audio_back"), firstVoiced);
        percentiles(n.putObject("reply_after_pause_ms"), reply);
        ObjectNode cpu = n.putObject("server_cpu");
        cpu.put("cpu_seconds", serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / 1e9).put("call_seconds", callSeconds)
                .put("cpu_ms_per_call_second", cpuMillisPerCallSecond()).put("calls_per_core", callsPerCore())
                .put("steady_cpu_ms_per_call_second", steadyCpuMillisPerCallSecond())
                .put("steady_call_seconds", steadyCallSeconds);
        ObjectNode frames = n.putObject("frames_back");
        frames.put("reference", plan.echoTiming() ? "caller send time of each echoed frame" : "sender's RTP timestamp grid")
                .put("timed", framesTimed).put("late_over_5ms", framesLateOver5ms)
                .put("lateness_p50_ms", latenessP50Millis).put("lateness_p99_ms", latenessP99Millis);
        frames.putObject("server_sends").put("known", serverSends.known()).put("pacer_ticks", serverSends.ticks())
                .put("late_ticks", serverSends.lateTicks());
        ObjectNode pacing = frames.putObject("server_metrics");
        serverPacing.forEach(pacing::put);
        ObjectNode audio = n.putObject("audio");
        audio.put("packets_sent", packetsSent).put("packets_received", packetsReceived).put("packets_lost", packetsLost)
                .put("loss_fraction", lossFraction());
        ObjectNode heap = n.putObject("heap");
        heap.put("before_bytes", heapBeforeBytes).put("with_calls_bytes", heapWithCallsBytes)
                .put("per_call_bytes", heapPerCallBytes());
        ObjectNode clock = n.putObject("callers");
        clock.put("caller_cpu_seconds", callerCpuNanos < 0 ? Double.NaN : callerCpuNanos / 1e9)
                .put("ticks", callerPacer.ticks()).put("late_ticks", callerPacer.lateTicks())
                .put("lateness_p99_ms", callerPacer.latenessP99Nanos() / 1e6);
        ObjectNode holes = n.putObject("audio_holes");
        percentiles(holes.putObject("longest_per_call_ms"), gaps.longestPerCall());
        holes.put("over_60ms", gaps.holesOver60ms()).put("calls_with_one_over_60ms", gaps.callsWithHoleOver60ms());
        frames.put("late_percent", latePercent());
        ObjectNode edge = n.putObject("server_edges");
        edge.put("datagrams_received", edges.datagramsReceived()).put("datagrams_dropped", edges.dropped());
        edges.droppedByReason().forEach(edge.putObject("dropped_by_reason")::put);
        edges.webhooksByResult().forEach(edge.putObject("webhooks_by_result")::put);
        if (flood != null) {
            ObjectNode f = n.putObject("flood");
            WebhookFlood.Result w = flood.webhooks();
            if (w != null) {
                f.putObject("webhooks").put("rate_per_second", w.ratePerSecond()).put("seconds", w.seconds())
                        .put("sent", w.sent()).put("refused", w.refused()).put("other_status", w.otherStatus())
                        .put("unanswered", w.failed()).put("not_sent_in_flight_cap", w.heldBack())
                        .put("not_sent_sender_behind", w.behind());
            }
            DatagramFlood.Result d = flood.datagrams();
            if (d != null) {
                ObjectNode dn = f.putObject("datagrams");
                dn.put("rate_per_second", d.ratePerSecond()).put("seconds", d.seconds()).put("sent", d.sent())
                        .put("send_errors", d.sendErrors()).put("not_sent", d.notSent())
                        .put("uncounted_at_port", datagramsUncounted());
                ObjectNode kinds = dn.putObject("by_kind");
                d.byKind().forEach((k, v) -> kinds.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
            }
            f.put("forged_calls_created", flood.floodCallsCreated());
            f.putArray("breaches").addAll(floodBreaches().stream().map(mapper.getNodeFactory()::textNode).toList());
        }
        n.put("on_time", onTime());
        return n;
    }

    private static void percentiles(ObjectNode n, Percentiles p) {
        n.put("n", p.n()).put("p50", p.p50()).put("p95", p.p95()).put("p99", p.p99()).put("max", p.max());
    }

    private static void row(StringBuilder b, String label, Percentiles p) {
        b.append(String.format("%-34s %8s %8s %8s %8s %5d%n", label, num(p.p50(), 1), num(p.p95(), 1), num(p.p99(), 1),
                num(p.max(), 1), p.n()));
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format("%." + decimals + "f", v);
    }

    private static String kib(long bytes) {
        return bytes < 0 ? "-" : String.format("%.1f KiB", bytes / 1024.0);
    }

    @Override
    public String toString() {
        return table();
    }

}
