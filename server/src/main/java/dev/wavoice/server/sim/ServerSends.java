package dev.wavoice.server.sim;

/**
 * The server pacer's counters as its {@code /metrics} shows them ({@code wavoice_pacer_ticks_total},
 * {@code wavoice_pacer_send_late_ticks_total}), so a load run can take the difference over its own window.
 *
 * @param known     the server exports the counters
 * @param ticks     pacer ticks
 * @param lateTicks ticks in which some frame left more than the pacer's threshold (5 ms) after its deadline
 */
public record ServerSends(boolean known, long ticks, long lateTicks) {
    static final ServerSends NONE = new ServerSends(false, 0, 0);
    static final ServerSends ZERO = new ServerSends(true, 0, 0);

    static ServerSends of(String metrics) {
        var series = LoadFigures.series(metrics,
                name -> name.equals("wavoice_pacer_ticks_total") || name.equals("wavoice_pacer_send_late_ticks_total"));
        Double ticks = series.get("wavoice_pacer_ticks_total");
        Double late = series.get("wavoice_pacer_send_late_ticks_total");
        return ticks == null || late == null ? NONE : new ServerSends(true, ticks.longValue(), late.longValue());
    }

    /** This reading minus an earlier one (or a window inside it); unknown when either side is. */
    ServerSends minus(ServerSends earlier) {
        return known && earlier.known ? new ServerSends(true, ticks - earlier.ticks, lateTicks - earlier.lateTicks)
                : NONE;
    }
}
