package dev.wavoice.server.sim;

import java.util.List;

/**
 * Holes in the audio the callers heard back: per call, the longest time between two packets back-to-back in the
 * stream (see {@link ArrivalStats#maxGapNanos()}); over the run, how many holes passed 60 ms and in how many calls.
 *
 * @param longestPerCall percentiles over the calls of each call's longest hole, ms
 */
public record AudioGaps(LoadFigures.Percentiles longestPerCall, long holesOver60ms, int callsWithHoleOver60ms) {

    static AudioGaps of(List<SimulatedCaller> callers) {
        LoadFigures.Percentiles longest = LoadFigures.Percentiles.of(callers.stream()
                .filter(c -> c.arrivals().maxGapNanos() > 0).mapToDouble(c -> c.arrivals().maxGapNanos() / 1e6));
        long holes = callers.stream().mapToLong(c -> c.arrivals().gapsOver60ms()).sum();
        int calls = (int) callers.stream().filter(c -> c.arrivals().gapsOver60ms() > 0).count();
        return new AudioGaps(longest, holes, calls);
    }
}
