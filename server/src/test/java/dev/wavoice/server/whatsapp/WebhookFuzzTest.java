package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.WavoiceServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Fuzzed webhook bodies, each signed with the app secret as Meta would sign it so that the bytes reach the parser,
 * and each also sent under wrong signatures. Invariants: a wrong signature never verifies; a signed body is parsed
 * or refused with {@link MalformedWebhookException} and nothing else; every event handed to the controller or to a
 * peer carries what the next step needs (an id, and a connect/terminate event; a connect's caller is readable; a user
 * message's id and sender);
 * what is handed to a peer is itself a webhook of exactly that one event; a repeat is never handled twice.
 */
class WebhookFuzzTest {
    static final String APP_SECRET = "fuzz-app-secret";
    static final WebhookSignature SIGNATURE = new WebhookSignature(APP_SECRET);
    static final WebhookSignature OTHER_KEY = new WebhookSignature("another-app-secret");
    static final ObjectMapper JSON = WavoiceServer.objectMapper();

    static {
        // Fuzzing only (its own JVM per target): junk is logged once per kind by design, and a fuzzer makes millions
        // of kinds. The replay of saved inputs shares a JVM with the other tests, whose log assertions need INFO.
        if (System.getenv("JAZZER_FUZZ") != null) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.wavoice.server.whatsapp")).setLevel(Level.ERROR);
        }
    }

    @FuzzTest
    void signedBodiesAreParsedAndRoutedOrRefused(byte[] body) {
        String signed = SIGNATURE.sign(body);
        assertThat(SIGNATURE.verify(body, signed)).isTrue();
        assertThat(SIGNATURE.verify(body, signed.toUpperCase(Locale.ROOT))).isTrue(); // Meta's hex case may vary
        for (String wrong : wrongSignatures(body, signed)) {
            assertThat(SIGNATURE.verify(body, wrong)).as("header %s", wrong).isFalse();
        }

        Handled handled = new Handled();
        WebhookProcessor processor = new WebhookProcessor(JSON, handled, handled, new EventDeduplicator(1000), handled,
                Runnable::run, new SimpleMeterRegistry());
        WebhookPayload payload;
        try {
            payload = processor.parse(body);
        } catch (MalformedWebhookException e) {
            assertThat(e.getMessage()).as("a refusal says why").isNotNull();
            return;
        }
        assertThat(payload).isNotNull();
        boolean taken = processor.process(payload);
        int events = 0;
        for (WebhookPayload.Entry entry : payload.entries()) {
            for (WebhookPayload.Change change : entry.changeList()) {
                events += change.value() == null ? 0 : change.value().path("calls").size()
                        + change.value().path("statuses").size();
            }
        }
        assertThat(handled.here.size() + handled.forwarded.size()).isLessThanOrEqualTo(events);
        for (byte[] forwarded : handled.forwarded) {
            assertForwardedIsOneEvent(processor, forwarded);
        }
        if (taken) {
            // Meta redelivers: every event is now a repeat, so nothing is handled or handed over a second time.
            int here = handled.here.size(), forwarded = handled.forwarded.size(), messages = handled.messages.size();
            assertThat(processor.process(payload)).isTrue();
            assertThat(handled.here).hasSize(here);
            assertThat(handled.forwarded).hasSize(forwarded);
            assertThat(handled.messages).hasSize(messages);
        }
    }

    /** Headers a forger could send for this body: near misses of the right one, and other keys' digests. */
    private static List<String> wrongSignatures(byte[] body, String signed) {
        List<String> wrong = new ArrayList<>();
        int at = "sha256=".length() + (body.length % 64);
        char c = signed.charAt(at);
        wrong.add(signed.substring(0, at) + (c == '0' ? '1' : '0') + signed.substring(at + 1));
        wrong.add(signed.substring(0, signed.length() - 1));
        wrong.add(signed + "0");
        wrong.add(signed.substring("sha256=".length()));
        wrong.add("sha1=" + signed.substring("sha256=".length()));
        wrong.add(OTHER_KEY.sign(body));
        wrong.add(SIGNATURE.sign(Arrays.copyOf(body, body.length + 1)));
        if (body.length > 0) {
            wrong.add(SIGNATURE.sign(Arrays.copyOf(body, body.length - 1)));
        }
        wrong.add("");
        wrong.add("sha256=");
        return wrong;
    }

    private static void assertForwardedIsOneEvent(WebhookProcessor processor, byte[] forwarded) {
        WebhookPayload one;
        try {
            one = processor.parse(forwarded);
        } catch (MalformedWebhookException e) {
            fail("a webhook handed to a peer does not parse: " + e.getMessage());
            return;
        }
        assertThat(one.entries()).hasSize(1);
        assertThat(one.entries().getFirst().changeList()).hasSize(1);
        var value = one.entries().getFirst().changeList().getFirst().value();
        assertThat(value.path("calls").size() + value.path("statuses").size()).isEqualTo(1);
    }

    /**
     * The controller and the cluster as the processor sees them: calls whose id hashes odd belong to a peer, which
     * takes every other hand-over. What the controller reads of an event is read here too.
     */
    static final class Handled implements CallWebhookListener, WebhookRouting, MessagesWebhookListener {
        final List<String> here = new ArrayList<>();
        /** User messages ({@code field: messages}): each has an id and a sender, and comes once. */
        final List<String> messages = new ArrayList<>();
        final List<byte[]> forwarded = new ArrayList<>();
        final Set<String> keys = new HashSet<>();
        private int offers;

        @Override
        public void onConnect(WebhookPayload.CallEvent event, WebhookPayload.CallsValue value) {
            assertThat(event.id()).isNotNull();
            assertThat(event.event()).isEqualToIgnoringCase("connect");
            assertThat(value).isNotNull();
            try {
                CallerIdentity caller = CallerIdentity.ofCaller(event, value);
                assertThat(caller.isKnown()).isEqualTo(caller.handle() != null);
            } catch (RuntimeException e) {
                throw new AssertionError("the controller cannot read this connect", e);
            }
            once("connect", event.id(), event.timestamp());
        }

        @Override
        public void onTerminate(WebhookPayload.CallEvent event) {
            assertThat(event.id()).isNotNull();
            assertThat(event.event()).isEqualToIgnoringCase("terminate");
            once("terminate", event.id(), event.timestamp());
        }

        @Override
        public void onStatus(WebhookPayload.CallStatus status) {
            assertThat(status.id()).isNotNull();
            once("status:" + status.status(), status.id(), status.timestamp());
        }

        @Override
        public void onMessage(String phoneNumberId, WebhookPayload.MessagesValue value,
                WebhookPayload.InboundMessage message) {
            assertThat(value).isNotNull();
            assertThat(message.id()).isNotNull();
            assertThat(message.from() != null || message.fromUserId() != null).as("a sender").isTrue();
            assertThat(keys.add(EventDeduplicator.key(message.id(), "message", message.timestamp())))
                    .as("handled twice").isTrue();
            messages.add(message.id());
        }

        private void once(String event, String id, String timestamp) {
            assertThat(keys.add(EventDeduplicator.key(id, event, timestamp))).as("handled twice").isTrue();
            here.add(id);
        }

        @Override
        public Route route(String callId, boolean connect) {
            return (callId.hashCode() & 1) == 0 ? HERE : new ToPeers(List.of("http://127.0.0.1:1"), false);
        }

        @Override
        public boolean forward(ToPeers route, String callId, byte[] body) {
            if ((offers++ & 1) == 0) {
                forwarded.add(body);
                return true;
            }
            return false;
        }
    }
}
