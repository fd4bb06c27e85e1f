package dev.wavoice.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for a live view: the feed's items as they happen ({@code call}, {@code event},
 * {@code transcript}, {@code notice}, each carrying its record as JSON), and every {@code tick} a {@code live}
 * event with the view's current figures (durations, packet loss, jitter). Runs on the request's own virtual
 * thread; the call path only ever touches the subscription's bounded queue.
 */
public final class LiveStream {
    private static final Logger log = LoggerFactory.getLogger(LiveStream.class);

    private final LiveFeed feed;
    private final ObjectMapper json;
    private final Duration tick;
    /** Streams still running: the server waits for them to end before it stops its HTTP side. */
    private final java.util.concurrent.Phaser running = new java.util.concurrent.Phaser(1);

    public LiveStream(LiveFeed feed, ObjectMapper json, Duration tick) {
        this.feed = feed;
        this.json = json;
        this.tick = tick;
    }

    /**
     * Streams until the browser goes away, the subscription is dropped for falling behind (the browser's
     * EventSource then reconnects and starts from a fresh {@code live} snapshot), or the feed closes.
     *
     * @param callId one call's items, or null for every call's
     * @param live   the current figures, sent first and then every tick
     */
    public void stream(SseClient client, String callId, Supplier<Object> live) {
        running.register();
        try (LiveFeed.Subscription sub = feed.subscribe(callId)) {
            client.sendEvent("live", toJson(live.get()));
            long nextTick = System.nanoTime() + tick.toNanos();
            while (sub.isOpen() && !client.terminated()) {
                LiveItem item = sub.next(Duration.ofNanos(Math.max(0, nextTick - System.nanoTime())));
                if (item != null) {
                    client.sendEvent(item.kind(), toJson(payload(item)));
                }
                if (System.nanoTime() >= nextTick) {
                    client.sendEvent("live", toJson(live.get()));
                    nextTick = System.nanoTime() + tick.toNanos();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The response went away under us (browser gone, server stopping): nothing left to tell.
            log.debug("live.stream_ended callId={} error=\"{}\"", callId, e.toString());
        } finally {
            try {
                client.close();
            } catch (RuntimeException e) {
                log.debug("live.stream_close_failed error=\"{}\"", e.toString());
            }
            running.arriveAndDeregister();
        }
    }

    /**
     * Waits up to {@code timeout} for the running streams to end (once the feed is closed they end within a tick):
     * a stream still answering when the HTTP server stops finds its request recycled under it.
     */
    public void awaitStreamsEnded(Duration timeout) {
        try {
            running.awaitAdvanceInterruptibly(running.arrive(), timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            log.debug("live.streams_still_running count={}", running.getRegisteredParties());
        }
    }

    private static Object payload(LiveItem item) {
        return switch (item) {
            case LiveItem.CallRow r -> r.call();
            case LiveItem.Event e -> e.event();
            case LiveItem.Transcript t -> t.transcript();
            case LiveItem.Notice n -> n;
        };
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
