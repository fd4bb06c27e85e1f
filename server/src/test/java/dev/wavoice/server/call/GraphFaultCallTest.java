package dev.wavoice.server.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.TestServer;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Graph failing on each action a call depends on ({@code pre_accept}, {@code accept}, {@code terminate}), one fault
 * at a time, at the level of whole calls: a signed connect webhook in, the call row and its events in the database,
 * the Graph requests out. A fault that clears after one attempt must be retried through (the call goes on as if
 * nothing happened); one that does not must end the call with {@code graph_error} stored (or, for {@code terminate},
 * the call's own reason and a {@code graph.terminate.failed} event) after a bounded number of attempts. Each case
 * runs a healthy call beside the faulty one, which must not notice. The server's Graph timeout is shortened through
 * its configuration, so a "slow" Graph costs a second per attempt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphFaultCallTest {
    /** Per HTTP attempt (10 s by default): short, with a margin for a loaded 2-core machine; slow answers after it. */
    static final Duration GRAPH_TIMEOUT = Duration.ofMillis(1000);
    /** {@code RetryPolicy.DEFAULT}: the client gives up after this many attempts. */
    static final int MAX_ATTEMPTS = 4;

    enum Action {
        PRE_ACCEPT("pre_accept"), ACCEPT("accept"), TERMINATE("terminate");

        final String wire;

        Action(String wire) {
            this.wire = wire;
        }
    }

    enum Fault {
        HTTP_500(Reply.graphError(500, 1, null, "An unknown error occurred")),
        HTTP_429(Reply.graphError(429, 4, null, "Application request limit reached")),
        HTTP_429_RETRY_AFTER(Reply.graphError(429, 4, null, "Application request limit reached").withRetryAfter("1")),
        SLOW(Reply.delayed(GRAPH_TIMEOUT.multipliedBy(5).dividedBy(2))),
        DROPPED(Reply.dropConnection()),
        REFUSED(null);

        final Reply reply;

        Fault(Reply reply) {
            this.reply = reply;
        }
    }

    /** One case: {@code persistent} faults never clear; the others fail the first attempt only. */
    record Case(Action action, Fault fault, boolean persistent) {
        String callId() {
            return "wacid.F-" + action + "-" + fault + (persistent ? "-ALWAYS" : "-ONCE");
        }

        @Override
        public String toString() {
            return action.wire + " " + fault + (persistent ? " always" : " once");
        }
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (Action action : Action.values()) {
            for (Fault fault : List.of(Fault.HTTP_500, Fault.HTTP_429, Fault.HTTP_429_RETRY_AFTER, Fault.SLOW, Fault.DROPPED)) {
                all.add(new Case(action, fault, false));
            }
            // Retry-After only stretches the waits of the 429 case; refusing is only ever persistent here.
            for (Fault fault : List.of(Fault.HTTP_500, Fault.HTTP_429, Fault.SLOW, Fault.DROPPED, Fault.REFUSED)) {
                all.add(new Case(action, fault, true));
            }
        }
        return all.stream();
    }

    static final List<String> HEALTHY_EVENTS = List.of("webhook.connect", "media.answered", "graph.pre_accept",
            "media.connected", "graph.accept", "webhook.terminate", "call.ended");

    TestServer t;
    final ScriptedMedia media = new ScriptedMedia();
    final AtomicInteger timestamps = new AtomicInteger(1_764_100_000);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        t = new TestServer(dir, media, b -> b.graphTimeout(GRAPH_TIMEOUT).mediaConnectTimeout(Duration.ofSeconds(10)));
    }

    @AfterAll
    void stop() {
        t.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aGraphFaultIsRetriedThroughOrEndsOnlyItsOwnCallWithTheReasonStored(Case c) throws Exception {
        String faulty = c.callId();
        String healthy = faulty + "-HEALTHY";
        double attemptsBefore = attempts(c.action().wire);
        long lostBefore = t.server.callLog().lostWrites();

        if (c.fault() == Fault.REFUSED) {
            // Refusing is for every call at once: the healthy call is up first and needs Graph no more.
            ring(healthy);
            t.awaitCall(healthy, r -> r.state().equals("CONNECTED"));
            try {
                runRefused(c, faulty);
                awaitEnded(faulty);
            } finally {
                t.graph.acceptConnections();
            }
        } else {
            t.graph.failing(faulty, c.action().wire, c.persistent() ? Integer.MAX_VALUE : 1, c.fault().reply);
            ring(faulty);
            ring(healthy); // rings while the faulty call's Graph requests fail
            t.awaitCall(faulty, r -> r.state().equals(
                    c.action() == Action.TERMINATE || !c.persistent() ? "CONNECTED" : "ENDED"));
            if (c.action() == Action.TERMINATE) {
                loseMedia(faulty);
                // Hanging up must not wait on Graph: the caller's audio and the agent stop before terminate is
                // even answered, whatever Graph does with it.
                await().atMost(Duration.ofSeconds(5)).until(() -> hasRequest(faulty, "terminate"));
                assertThat(media.session(faulty).closed).as("media closed while terminate is in flight").isTrue();
            }
            t.awaitCall(healthy, r -> r.state().equals("CONNECTED"));
        }

        CallRecord row = outcome(c, faulty);
        List<String> events = t.server.repository().events(faulty).stream().map(CallEventRecord::type).toList();
        List<String> actions = t.graph.requests(r -> faulty.equals(r.callId())).stream().map(r -> r.action()).toList();
        int attempts = (int) (attempts(c.action().wire) - attemptsBefore
                - t.graph.requests(r -> healthy.equals(r.callId()) && c.action().wire.equals(r.action())).size());
        int expectedAttempts = c.persistent() ? MAX_ATTEMPTS : 2;
        assertThat(attempts).as("HTTP attempts at %s, bounded by the retry policy", c.action().wire)
                .isEqualTo(expectedAttempts);
        if (c.fault() != Fault.REFUSED) {
            assertThat(actions.stream().filter(c.action().wire::equals).count()).as("requests Graph received")
                    .isEqualTo(expectedAttempts);
        }
        if (c.fault() == Fault.HTTP_429_RETRY_AFTER) {
            List<FakeGraphApi.Request> tries = t.graph.requests(
                    r -> faulty.equals(r.callId()) && c.action().wire.equals(r.action()));
            assertThat(Duration.ofNanos(tries.get(1).receivedNanos() - tries.get(0).receivedNanos()))
                    .as("the retry waited as Retry-After asked").isGreaterThanOrEqualTo(Duration.ofMillis(950));
        }

        if (!c.persistent()) {
            if (c.action() == Action.TERMINATE) {
                assertThat(row.endReason()).isEqualTo("media_failed");
                assertThat(events).containsExactly("webhook.connect", "media.answered", "graph.pre_accept",
                        "media.connected", "graph.accept", "graph.terminate", "call.ended");
            } else {
                assertThat(row.endReason()).isEqualTo("caller_hangup");
                assertThat(row.connectedAt()).isNotNull();
                assertThat(events).isEqualTo(HEALTHY_EVENTS);
            }
        } else {
            String told = c.fault() == Fault.REFUSED ? ".failed" : "";
            switch (c.action()) {
                case PRE_ACCEPT -> {
                    assertThat(row.endReason()).isEqualTo("graph_error");
                    assertThat(row.endDetail()).contains("pre_accept");
                    assertThat(row.connectedAt()).isNull();
                    assertThat(events).containsExactly("webhook.connect", "media.answered", "graph.reject" + told,
                            "call.ended");
                }
                case ACCEPT -> {
                    assertThat(row.endReason()).isEqualTo("graph_error");
                    assertThat(row.endDetail()).contains("accept");
                    assertThat(row.connectedAt()).isNull();
                    assertThat(events).containsExactly("webhook.connect", "media.answered", "graph.pre_accept",
                            "media.connected", "graph.reject" + told, "call.ended");
                }
                case TERMINATE -> {
                    assertThat(row.endReason()).isEqualTo("media_failed");
                    assertThat(events).containsExactly("webhook.connect", "media.answered", "graph.pre_accept",
                            "media.connected", "graph.accept", "graph.terminate.failed", "call.ended");
                }
            }
            if (c.action() != Action.TERMINATE && c.fault() != Fault.REFUSED) {
                assertThat(actions.getLast()).as("a call that failed to connect is rejected").isEqualTo("reject");
            }
        }
        assertThat(media.session(faulty).closed).as("the faulty call's media is closed").isTrue();

        // The healthy call beside it: up the whole time, and it ends as any call does.
        assertThat(t.server.repository().findCall(healthy).orElseThrow().state()).isEqualTo("CONNECTED");
        t.postSigned(TestServer.terminateWebhook(healthy, "COMPLETED", 30L));
        CallRecord healthyRow = t.awaitCall(healthy, r -> r.state().equals("ENDED"));
        assertThat(healthyRow.endReason()).isEqualTo("caller_hangup");
        assertThat(t.server.repository().events(healthy)).extracting(CallEventRecord::type).isEqualTo(HEALTHY_EVENTS);
        assertThat(t.graph.requests(r -> healthy.equals(r.callId()))).extracting(r -> r.action())
                .containsExactly("pre_accept", "accept");
        assertThat(t.server.callLog().lostWrites()).as("call-log writes lost").isEqualTo(lostBefore);
        assertThat(t.server.calls().find(faulty)).as("no call left behind").isEmpty();
        assertThat(t.server.calls().find(healthy)).as("no call left behind").isEmpty();
    }

    /** Graph refuses connections from the faulty action on (and for everything after it, reject included). */
    private void runRefused(Case c, String faulty) throws Exception {
        switch (c.action()) {
            case PRE_ACCEPT -> {
                t.graph.refuseConnections();
                ring(faulty);
            }
            case ACCEPT -> {
                media.behaviour = ScriptedMedia.Behaviour.NEVER_CONNECT;
                ring(faulty);
                await().atMost(Duration.ofSeconds(10)).until(() -> hasRequest(faulty, "pre_accept")
                        && media.sessions.stream().anyMatch(s -> s.callId.equals(faulty)));
                media.behaviour = ScriptedMedia.Behaviour.CONNECT;
                t.awaitCall(faulty, r -> r.state().equals("PRE_ACCEPTED"));
                t.graph.refuseConnections();
                media.session(faulty).connected.complete(null);
            }
            case TERMINATE -> {
                ring(faulty);
                t.awaitCall(faulty, r -> r.state().equals("CONNECTED"));
                t.graph.refuseConnections();
                loseMedia(faulty);
            }
        }
    }

    /** As {@code awaitCall(…ENDED)}, saying on failure what Graph received for the call and when. */
    private void awaitEnded(String callId) throws Exception {
        try {
            t.awaitCall(callId, r -> r.state().equals("ENDED"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; Graph received " + t.graph.requests(
                    r -> callId.equals(r.callId())).stream().map(r -> r.action() + "@" + r.receivedNanos()).toList(), e);
        }
    }

    private CallRecord outcome(Case c, String faulty) throws Exception {
        if (!c.persistent() && c.action() != Action.TERMINATE) {
            t.postSigned(TestServer.terminateWebhook(faulty, "COMPLETED", 12L));
        }
        return t.awaitCall(faulty, r -> r.state().equals("ENDED"));
    }

    private void loseMedia(String callId) {
        media.session(callId).ended.complete(new CallMedia.MediaEnd(EndReason.MEDIA_FAILED, "ICE consent lost"));
    }

    private boolean hasRequest(String callId, String action) {
        return !t.graph.requests(r -> callId.equals(r.callId()) && action.equals(r.action())).isEmpty();
    }

    private void ring(String callId) throws Exception {
        t.postSigned(TestServer.connectWebhook(callId, Integer.toString(timestamps.incrementAndGet()), v -> v));
    }

    /** HTTP attempts the server's Graph client made at {@code action}, whatever their outcome. */
    private double attempts(String action) {
        return t.server.metrics().find("wavoice.graph.request").tag("action", action).timers().stream()
                .mapToDouble(Timer::count).sum();
    }
}
