package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.LoadFigures;

/**
 * The same calls against a server that records nothing and one that records every call, side by side, against issue
 * 17's goal: recording adds at most 10 % to the server's CPU per call. Judged on the figure over the calls' whole
 * lives (setup, talk, teardown and the file's last page); the figure while every call talks is shown beside it.
 */
record RecordingComparison(double cpuWithout, double cpuWith, double talkingWithout, double talkingWith,
                           long heapWithout, long heapWith, int passedWithout, int passedWith, int calls) {
    static final double CPU_RATIO_ALLOWED = 1.10;

    static RecordingComparison of(LoadFigures without, LoadFigures with) {
        return new RecordingComparison(without.cpuMillisPerCallSecond(), with.cpuMillisPerCallSecond(),
                without.steadyCpuMillisPerCallSecond(), with.steadyCpuMillisPerCallSecond(),
                without.heapPerCallBytes(), with.heapPerCallBytes(), without.passed(), with.passed(),
                with.plan().calls());
    }

    double cpuRatio() {
        return cpuWith / cpuWithout;
    }

    double talkingRatio() {
        return talkingWith / talkingWithout;
    }

    boolean goalMet() {
        return passedWith == calls && passedWithout == calls && cpuRatio() <= CPU_RATIO_ALLOWED;
    }

    String line() {
        return String.format("recorded vs not   server CPU %s vs %s ms per call-second (x%s, goal <= %.2f); while all"
                + " talk %s vs %s (x%s); heap per call %s vs %s KiB; passed %d vs %d of %d -> goal %s%n",
                num(cpuWith, 2), num(cpuWithout, 2), num(cpuRatio(), 3), CPU_RATIO_ALLOWED, num(talkingWith, 2),
                num(talkingWithout, 2), num(talkingRatio(), 3), kib(heapWith), kib(heapWithout), passedWith,
                passedWithout, calls, goalMet() ? "met" : "not met");
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format("%." + decimals + "f", v);
    }

    /** -1: the run could not read the heap (a small negative figure is real: the noise of a few calls). */
    private static String kib(long bytes) {
        return bytes == -1 ? "-" : String.format("%.1f", bytes / 1024.0);
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("cpu_ms_per_call_second_without", cpuWithout).put("cpu_ms_per_call_second_with", cpuWith)
                .put("cpu_ratio", cpuRatio()).put("talking_cpu_ms_per_call_second_without", talkingWithout)
                .put("talking_cpu_ms_per_call_second_with", talkingWith).put("talking_cpu_ratio", talkingRatio())
                .put("heap_per_call_bytes_without", heapWithout).put("heap_per_call_bytes_with", heapWith)
                .put("passed_without", passedWithout).put("passed_with", passedWith).put("calls", calls)
                .put("goal_met", goalMet());
        return n;
    }
}
