package dev.wavoice.server.demo;

import dev.wavoice.server.sim.CallWebhooks;
import java.time.Instant;

/**
 * The call webhooks the simulated Meta sends for the demo's one caller, built by {@link CallWebhooks} (WhatsApp's
 * shape, the same as {@code wavoice simulate} sends).
 */
final class DemoWebhooks {
    static final String PHONE_NUMBER_ID = CallWebhooks.PHONE_NUMBER_ID;
    static final String CALLER_PHONE = "15550100001";
    static final String CALLER_USER_ID = "US.10000000000000000001";
    static final String CALLER_NAME = "Demo Caller";
    private static final CallWebhooks.Caller CALLER = new CallWebhooks.Caller(CALLER_PHONE, CALLER_USER_ID, CALLER_NAME);

    /** {@code event=connect}: the caller's offer, as a user-initiated call to the business number. */
    byte[] connect(String callId, String offerSdp, Instant at) {
        return CallWebhooks.connect(callId, CALLER, offerSdp, at);
    }

    /** {@code event=terminate, status=COMPLETED}: the caller hung up; duration in whole seconds, as WhatsApp. */
    byte[] terminate(String callId, Instant acceptedAt, Instant at) {
        return CallWebhooks.terminate(callId, CALLER, acceptedAt, at);
    }
}
