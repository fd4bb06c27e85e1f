package dev.wavoice.server.sim;

/**
 * One call the server placed to a simulated user, as the user saw it.
 *
 * @param callId             wavoice's id of the call (null when the API did not place it)
 * @param to                 the user's number
 * @param connectSentMillis  {@code POST /api/calls} sent → Graph {@code connect} received by the stand-in
 * @param apiAnsweredMillis  {@code POST /api/calls} sent → the API's answer received
 * @param media              the call's media from the user's side; its times run from the answer webhook (the
 *                           business-initiated {@code connect}) being sent, so {@code connectedMillis} is answer →
 *                           ICE + DTLS connected at the user
 */
public record OutboundCallResult(String callId, String to, double connectSentMillis, double apiAnsweredMillis,
                                 CallResult media) {

    /** The media verdict (the tone heard back, or why not), and whether the call got that far at all. */
    public CallResult.Verdict verdict() {
        return media.verdict();
    }
}
