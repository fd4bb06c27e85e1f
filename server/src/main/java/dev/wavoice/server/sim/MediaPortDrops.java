package dev.wavoice.server.sim;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server's own counters say a run's traffic came to at its edges, read from {@code /metrics} before and
 * after: datagrams its media port received and dropped (by reason), and webhook POSTs by result. Empty maps for a
 * server that exports none of these.
 */
public record MediaPortDrops(long datagramsReceived, Map<String, Long> droppedByReason,
                             Map<String, Long> webhooksByResult) {

    private static final Pattern LABEL = Pattern.compile("(?:reason|result|class)=\"([^\"]*)\"");

    public long dropped() {
        return droppedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    static MediaPortDrops between(String before, String after) {
        return new MediaPortDrops(
                delta(before, after, "wavoice_udp_datagrams_total").getOrDefault("all", 0L),
                delta(before, after, "wavoice_udp_dropped_total"),
                delta(before, after, "wavoice_webhook_requests_total"));
    }

    /** The increase of each labelled series of one counter (by its label's value), leaving out those that stayed. */
    private static Map<String, Long> delta(String before, String after, String counter) {
        Map<String, Double> was = LoadFigures.series(before, name -> name.startsWith(counter + "{"));
        Map<String, Long> out = new TreeMap<>();
        LoadFigures.series(after, name -> name.startsWith(counter + "{")).forEach((name, value) -> {
            long increase = Math.round(value - was.getOrDefault(name, 0.0));
            Matcher m = LABEL.matcher(name);
            if (increase != 0 && m.find()) {
                out.merge(m.group(1), increase, Long::sum);
            }
        });
        return out;
    }
}
