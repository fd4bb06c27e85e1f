package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.LoadFigures;

/**
 * The same calls without and with the floods, side by side, against issue 15's goal: no hole in the audio over
 * 60 ms, and late frames no more than 1 percentage point above the run without the flood.
 */
record FloodComparison(double latePercentWithout, double latePercentWith, double longestHoleWithout,
                       double longestHoleWith, long holesOver60Without, long holesOver60With, int passedWithout,
                       int passedWith, int calls) {
    static final double LATE_POINTS_ALLOWED = 1.0;
    static final double HOLE_MS_ALLOWED = 60.0;

    static FloodComparison of(LoadFigures without, LoadFigures with) {
        return new FloodComparison(without.latePercent(), with.latePercent(),
                without.gaps().longestPerCall().max(), with.gaps().longestPerCall().max(),
                without.gaps().holesOver60ms(), with.gaps().holesOver60ms(), without.passed(), with.passed(),
                with.plan().calls());
    }

    double latePointsAdded() {
        return latePercentWith - latePercentWithout;
    }

    boolean goalMet() {
        return passedWith == calls && latePointsAdded() <= LATE_POINTS_ALLOWED && !(longestHoleWith > HOLE_MS_ALLOWED);
    }

    String line() {
        return String.format("flood vs none     late frames %.3f %% vs %.3f %% (%+.3f points, goal <= %.0f); longest hole"
                + " %.1f ms vs %.1f ms (goal <= %.0f); holes over 60 ms %d vs %d; passed %d vs %d of %d -> goal %s%n",
                latePercentWith, latePercentWithout, latePointsAdded(), LATE_POINTS_ALLOWED, longestHoleWith,
                longestHoleWithout, HOLE_MS_ALLOWED, holesOver60With, holesOver60Without, passedWith, passedWithout,
                calls, goalMet() ? "met" : "not met");
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("late_percent_without", latePercentWithout).put("late_percent_with", latePercentWith)
                .put("late_points_added", latePointsAdded()).put("longest_hole_ms_without", longestHoleWithout)
                .put("longest_hole_ms_with", longestHoleWith).put("holes_over_60ms_without", holesOver60Without)
                .put("holes_over_60ms_with", holesOver60With).put("passed_without", passedWithout)
                .put("passed_with", passedWith).put("calls", calls).put("goal_met", goalMet());
        return n;
    }
}
