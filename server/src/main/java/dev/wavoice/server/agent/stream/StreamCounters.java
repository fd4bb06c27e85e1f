package dev.wavoice.server.agent.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
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
    /** From the pacer delivering a caller frame to its {@code media} message written to the bot's socket. */
    final Timer callerFrameDelay;
    /** From a bot's {@code clear} read off the socket to its queued audio dropped (the next tick sends none of it). */
    final Timer clearDelay;

    public StreamCounters(MeterRegistry metrics) {
        callerFrameDelay = Timer.builder("wavoice.stream.caller.frame.delay")
                .description("Pacer tick delivering a caller frame to its media message written to the bot's socket")
                .serviceLevelObjectives(Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
                        Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(20))
                .register(metrics);
        clearDelay = Timer.builder("wavoice.stream.clear.delay")
                .description("A bot's clear read off its socket to the call's queued audio dropped")
                .serviceLevelObjectives(Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(5),
                        Duration.ofMillis(20))
                .register(metrics);
        for (Drop d : Drop.values()) {
            drops.put(d, Counter.builder("wavoice.stream.dropped")
                    .description("Media Streams messages dropped (from a bot, or caller audio a stalled bot did not take)")
                    .tag("reason", d.label()).register(metrics));
        }
    }

    void dropped(Drop why) {
        drops.get(why).increment();
    }
}
