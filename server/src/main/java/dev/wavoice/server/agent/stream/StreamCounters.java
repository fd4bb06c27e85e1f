package dev.wavoice.server.agent.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What went wrong with Media Streams bots, counted for every call together
 * ({@code wavoice_stream_dropped_total{reason}}): a bot's bad message is dropped, counted, and changes nothing else.
 */
public final class StreamCounters {

    /** Why a message was dropped. */
    public enum Drop {
        /** Not JSON, or not a JSON object. */
        BAD_JSON,
        /** An {@code event} this protocol does not have. */
        UNKNOWN_EVENT,
        /** A known event without the fields it needs, or for another stream. */
        BAD_MESSAGE,
        /** A {@code media} payload that is not base64. */
        BAD_MEDIA,
        /** Longer than {@link StreamSettings#maxMessageChars()}. */
        OVERSIZED,
        /** Caller audio not sent: about a second of it already waits for a bot that does not read. */
        BACKLOG;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);

    public StreamCounters(MeterRegistry metrics) {
        for (Drop d : Drop.values()) {
            drops.put(d, Counter.builder("wavoice.stream.dropped")
                    .description("Media Streams messages dropped (from a bot, or caller audio a stalled bot did not take)")
                    .tag("reason", d.label()).register(metrics));
        }
    }

    void dropped(Drop why) {
        drops.get(why).increment();
    }

    public double count(Drop why) {
        return drops.get(why).count();
    }
}
