package dev.wavoice.server.web;

import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.store.RecordingRecord;
import dev.wavoice.server.store.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call log as the call path sees it, plus live subscribers: every write goes to the wrapped log first, then
 * to each subscriber's bounded queue. Publishing never waits: a subscriber whose queue is full (a browser that
 * stopped reading) is dropped, and its stream closes; the call goes on untouched.
 */
public final class LiveFeed implements CallLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

    /** Items one subscriber may fall behind by before it is dropped. */
    public static final int DEFAULT_SUBSCRIBER_CAPACITY = 512;
    /** Put into a closed subscription's queue to wake its reader at once. */
    private static final LiveItem END = new LiveItem.Notice(null, Instant.EPOCH, "end", null);

    private final CallLog delegate;
    private final int capacity;
    private final CopyOnWriteArrayList<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private final Counter dropped;

    public LiveFeed(CallLog delegate, int subscriberCapacity, MeterRegistry metrics) {
        this.delegate = delegate;
        this.capacity = subscriberCapacity;
        this.dropped = Counter.builder("wavoice.live.subscribers.dropped")
                .description("live-view subscribers dropped because they fell behind")
                .register(metrics);
        Gauge.builder("wavoice.live.subscribers", subscribers, CopyOnWriteArrayList::size).register(metrics);
    }

    @Override
    public void saveCall(CallRecord call) {
        delegate.saveCall(call);
        publish(new LiveItem.CallRow(call));
    }

    @Override
    public void event(CallEventRecord event) {
        delegate.event(event);
        publish(new LiveItem.Event(event));
    }

    @Override
    public void transcript(TranscriptRecord transcript) {
        delegate.transcript(transcript);
        publish(new LiveItem.Transcript(transcript));
    }

    @Override
    public void usage(UsageRecord usage) {
        delegate.usage(usage); // token counts are in the call log; the live views do not show them
    }

    @Override
    public void recording(RecordingRecord recording) {
        delegate.recording(recording); // shown with the call's details, not in the live views
    }

    /** Tells live subscribers about something that is not a call-log row. */
    public void notice(String callId, String type, String detail) {
        publish(new LiveItem.Notice(callId, Instant.now(), type, detail));
    }

    /** Every call's items ({@code callId} null) or one call's. Close the subscription when done. */
    public Subscription subscribe(String callId) {
        Subscription s = new Subscription(callId, capacity);
        subscribers.add(s);
        return s;
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    private void publish(LiveItem item) {
        for (Subscription s : subscribers) {
            if (s.wants(item) && !s.queue.offer(item)) {
                s.dropped = true;
                subscribers.remove(s);
                dropped.increment();
                log.info("live.subscriber_dropped callId={} reason=\"{} items behind\"", s.callId, capacity);
            }
        }
    }

    /** Ends every subscription (service shutdown): their streams see the end within one poll. */
    @Override
    public void close() {
        subscribers.forEach(Subscription::close);
    }

    /** One live view's queue; read by that view's own thread, never by the call path. */
    public final class Subscription implements AutoCloseable {
        private final String callId;
        private final ArrayBlockingQueue<LiveItem> queue;
        private volatile boolean dropped;
        private volatile boolean closed;

        private Subscription(String callId, int capacity) {
            this.callId = callId;
            this.queue = new ArrayBlockingQueue<>(capacity);
        }

        private boolean wants(LiveItem item) {
            return callId == null || callId.equals(item.callId());
        }

        /** The next item, or null when none came within {@code timeout} or the subscription was closed. */
        public LiveItem next(Duration timeout) throws InterruptedException {
            LiveItem item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return item == END ? null : item;
        }

        /** False once dropped for falling behind, closed, or the feed shut down. */
        public boolean isOpen() {
            return !dropped && !closed;
        }

        public boolean wasDropped() {
            return dropped;
        }

        @Override
        public void close() {
            closed = true;
            subscribers.remove(this);
            queue.offer(END); // a full queue wakes its reader anyway
        }
    }
}
