package dev.wavoice.server.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.whatsapp.CallerIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A WhatsApp call id leads to the call the business placed, also when its webhook beats Graph's answer. */
class DialledCallsTest {
    final CallRegistry registry = new CallRegistry(10, new SimpleMeterRegistry());
    final DialledCalls dialled = new DialledCalls(registry);

    Call call(String id) {
        Call call = new Call(id, Call.Direction.BUSINESS_INITIATED, new CallerIdentity("15550001", null, null), null,
                "110000000000001", "echo", "test");
        registry.register(call);
        return call;
    }

    @Test
    void anUnknownIdIsNoCallAtOnceWhenNothingIsBeingDialled() {
        long started = System.nanoTime();
        assertThat(dialled.find("wacid.UNKNOWN")).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aWebhookThatBeatsTheConnectAnswerWaitsForIt() throws Exception {
        Call call = call("wv.race");
        dialled.connecting();
        CompletableFuture<Call> found = CompletableFuture.supplyAsync(() -> dialled.find("wacid.RACE"));
        Thread.sleep(100); // the lookup is waiting
        assertThat(found).isNotDone();
        call.dialled("wacid.RACE");
        dialled.named("wacid.RACE", call);
        dialled.connectDone();
        assertThat(found.get()).isSameAs(call);
        assertThat(dialled.find("wacid.RACE")).isSameAs(call);
    }

    @Test
    void anEndedCallIsRememberedByWhatsAppsId() {
        Call call = call("wv.ended");
        call.dialled("wacid.ENDED");
        dialled.named("wacid.ENDED", call);
        registry.remove(call);
        dialled.ended(call);
        assertThat(dialled.find("wacid.ENDED")).isNull();
        assertThat(dialled.endedAs("wacid.ENDED")).isEqualTo("wv.ended");
        assertThat(dialled.endedAs("wacid.OTHER")).isNull();
    }
}
