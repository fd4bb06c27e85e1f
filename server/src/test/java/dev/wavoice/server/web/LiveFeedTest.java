package dev.wavoice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.store.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LiveFeedTest {
    /** What reached the wrapped call log. */
    static final class RecordingLog implements CallLog {
        final List<Object> writes = new ArrayList<>();
        public void saveCall(CallRecord call) { writes.add(call); }
        public void event(CallEventRecord event) { writes.add(event); }
        public void transcript(TranscriptRecord transcript) { writes.add(transcript); }
        public void usage(UsageRecord usage) { writes.add(usage); }
    }

    final RecordingLog log = new RecordingLog();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    static CallRecord row(String callId, String state) {
        return new CallRecord(callId, "USER_INITIATED", "15550100001", null, "Ada", "15550001111", "1", state, "echo",
                Instant.now(), null, null, null, null, null, null);
    }

    @Test
    void everyWriteReachesTheLogAndTheSubscribersOfItsCall() throws Exception {
        LiveFeed feed = new LiveFeed(log, 16, metrics);
        try (LiveFeed.Subscription all = feed.subscribe(null); LiveFeed.Subscription one = feed.subscribe("a")) {
            feed.saveCall(row("a", "RINGING"));
            feed.event("b", "webhook.connect", null);
            feed.transcript(new TranscriptRecord(UUID.randomUUID(), "a", Instant.now(), "caller", "hello", true, false));
            feed.usage(new UsageRecord(UUID.randomUUID(), "a", Instant.now(), 1, 2, 3, 4));
            feed.notice("a", "meta.accept", null);

            assertThat(log.writes).hasSize(4); // notices are not call-log rows
            assertThat(drain(all)).extracting(LiveItem::kind).containsExactly("call", "event", "transcript", "notice");
            assertThat(drain(one)).extracting(LiveItem::kind).containsExactly("call", "transcript", "notice");
        }
        assertThat(feed.subscriberCount()).isZero();
    }

    @Test
    void aSubscriberThatFallsBehindIsDroppedWithoutHoldingUpTheWriter() throws Exception {
        LiveFeed feed = new LiveFeed(log, 8, metrics);
        LiveFeed.Subscription slow = feed.subscribe(null);
        LiveFeed.Subscription reading = feed.subscribe(null);
        List<LiveItem> read = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            feed.event("a", "step-" + i, null); // never blocks: a full queue drops its subscriber
            LiveItem item = reading.next(Duration.ZERO);
            if (item != null) {
                read.add(item);
            }
        }
        assertThat(log.writes).hasSize(100);
        assertThat(slow.isOpen()).isFalse();
        assertThat(slow.wasDropped()).isTrue();
        assertThat(reading.isOpen()).isTrue();
        assertThat(read).hasSize(100);
        assertThat(feed.subscriberCount()).isEqualTo(1);
        assertThat(metrics.counter("wavoice.live.subscribers.dropped").count()).isEqualTo(1.0);
    }

    @Test
    void closingTheFeedEndsEverySubscription() {
        LiveFeed feed = new LiveFeed(log, 8, metrics);
        LiveFeed.Subscription s = feed.subscribe(null);
        feed.close();
        assertThat(s.isOpen()).isFalse();
        assertThat(s.wasDropped()).isFalse();
    }

    private static List<LiveItem> drain(LiveFeed.Subscription s) throws InterruptedException {
        List<LiveItem> out = new ArrayList<>();
        LiveItem item;
        while ((item = s.next(Duration.ZERO)) != null) {
            out.add(item);
        }
        return out;
    }
}
