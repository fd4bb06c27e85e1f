package dev.wavoice.server.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated WhatsApp user the business calls: asks the server to place the call ({@code POST /api/calls}),
 * takes the server's offer from the Graph stand-in's {@code connect}, rings (a {@code RINGING} status webhook),
 * picks up (answers the offer with the media module and sends the signed business-initiated {@code connect}
 * webhook), talks once connected and judges what comes back, then hangs up with the {@code terminate} webhook.
 *
 * <p>The answer is a full ICE agent's (controlled: the server offered), not ICE-lite as WhatsApp's edge answers: the
 * media module has no lite mode. Both sides run checks, where toward the real edge only the server does.
 */
public final class SimulatedUser extends SimulatedPhone {
    private static final Logger log = LoggerFactory.getLogger(SimulatedUser.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebhookSender webhooks;
    private final String number;
    private final String phoneNumberId;
    private final String callbackData;
    private final CompletableFuture<GraphStandIn.Action> dialled = new CompletableFuture<>();
    private volatile String callId;
    private volatile String waCallId;
    private volatile long requestSentNanos;
    private volatile long connectReceivedNanos;
    private volatile long apiAnsweredNanos;
    private volatile long answerSentNanos;
    private volatile CompletableFuture<Integer> answerDelivery = CompletableFuture.completedFuture(0);

    SimulatedUser(SimulatedWhatsApp side, WebhookSender webhooks, String number, String phoneNumberId,
            String callbackData, VoiceSource source, EncodedVoice encoded, boolean record) {
        super(side, source, encoded, record);
        this.webhooks = webhooks;
        this.number = number;
        this.phoneNumberId = phoneNumberId;
        this.callbackData = callbackData;
    }

    /** The user's phone number, the {@code to} of the call. */
    public String number() {
        return number;
    }

    /** wavoice's id of the call, once the API answered. */
    public String callId() {
        return callId;
    }

    /**
     * Has the server call this user, rings, picks up, and waits until ICE + DTLS are up (true), or the call failed or
     * {@code timeout} ran out at a step (false; see the result).
     */
    public boolean callAndPickUp(URI server, String adminToken, Duration timeout) throws InterruptedException {
        try {
            transport = side.openTransport();
        } catch (IOException e) {
            fail("could not open a media port: " + e);
            return false;
        }
        side.graph.expectCall(number, this::onGraphAction);
        if (!placeCall(server, adminToken, timeout)) {
            return false;
        }
        GraphStandIn.Action connect;
        try {
            connect = dialled.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            fail("the server answered 201 but its Graph connect never reached " + side.graphUrl());
            return false;
        }
        if (!connect.callId().equals(waCallId)) {
            fail("the API named WhatsApp call " + waCallId + ", Graph gave it " + connect.callId());
            return false;
        }
        if (!delivered("RINGING status", webhooks.status(waCallId, number, "RINGING"))) {
            return false;
        }
        try {
            endpoint = transport.answer(waCallId, connect.sdp(), media());
            audio.start(endpoint);
        } catch (Exception e) {
            fail("the server's offer is unusable: " + e.getMessage());
            return false;
        }
        answerSentNanos = System.nanoTime();
        answerDelivery = webhooks.answer(waCallId, number, endpoint.localDescription(), connect.callbackData());
        if (!delivered("answer (business-initiated connect)", answerDelivery)) {
            return false;
        }
        try {
            connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            fail("answered, media not connected within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            // fail() said why
        }
        return false;
    }

    /** {@code POST /api/calls} for this user; true on 201 with both call ids. */
    private boolean placeCall(URI server, String adminToken, Duration timeout) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("to", number).put("phone_number_id", phoneNumberId);
        if (callbackData != null) {
            body.put("callback_data", callbackData);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve("/api/calls")).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (adminToken != null && !adminToken.isBlank()) {
            request.header("Authorization", "Bearer " + adminToken);
        }
        HttpResponse<String> answer;
        HttpRequest built = request.build();
        requestSentNanos = System.nanoTime();
        try {
            answer = side.http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            fail("POST /api/calls failed: " + e);
            return false;
        }
        apiAnsweredNanos = System.nanoTime();
        if (answer.statusCode() != 201) {
            fail("POST /api/calls answered HTTP " + answer.statusCode() + ": " + answer.body()
                    + (answer.statusCode() == 401 ? " (--admin-token?)" : ""));
            return false;
        }
        try {
            JsonNode placed = JSON.readTree(answer.body());
            callId = placed.path("call_id").asText(null);
            waCallId = placed.path("wa_call_id").asText(null);
        } catch (IOException e) {
            fail("POST /api/calls answered 201 without JSON: " + answer.body());
            return false;
        }
        if (callId == null || waCallId == null) {
            fail("POST /api/calls answered 201 without call_id and wa_call_id: " + answer.body());
            return false;
        }
        return true;
    }

    private boolean delivered(String what, CompletableFuture<Integer> delivery) throws InterruptedException {
        try {
            int status = delivery.get(10, TimeUnit.SECONDS);
            if (status == 200) {
                return true;
            }
            fail(what + " webhook answered HTTP " + status);
        } catch (ExecutionException | TimeoutException e) {
            fail(what + " webhook not delivered: " + e);
        }
        return false;
    }

    /** Hangs up (the terminate webhook, unless the server ended the call or it was never placed), frees the media. */
    public OutboundCallResult hangUp() {
        long hangUpNanos = System.nanoTime();
        stopTalking();
        awaitDelivered(answerDelivery); // a terminate must not overtake the answer
        if (waCallId != null && !serverHungUp) {
            long seconds = connectedNanos == 0 ? 0 : Math.round((hangUpNanos - connectedNanos) / 1e9);
            awaitHangUp(waCallId, webhooks.userHungUp(waCallId, number, seconds));
        }
        side.graph.forgetUser(number);
        if (waCallId != null) {
            side.graph.unregister(waCallId);
        }
        freeMedia(waCallId);
        CallResult media = new CallResult(waCallId, failure, Double.NaN, Double.NaN, sinceAnswer(connectedNanos),
                sinceAnswer(firstAudioNanos), sinceAnswer(firstVoicedNanos), List.of(),
                connectedNanos == 0 ? 0 : (hangUpNanos - connectedNanos) / 1e9, audio.stats().framesEncoded(),
                arrivals.received(), arrivals.lost(), arrivals.lateOver5ms(), arrivals.timed(), source.frequency(),
                heard.detectedHz(), heard.voicedWindows(), heard.toneWindows(), heard.frequenciesHeard(), serverHungUp);
        return new OutboundCallResult(callId, number, sinceRequest(connectReceivedNanos),
                sinceRequest(apiAnsweredNanos), media);
    }

    private double sinceRequest(long nanos) {
        return nanos == 0 || requestSentNanos == 0 ? Double.NaN : (nanos - requestSentNanos) / 1e6;
    }

    private double sinceAnswer(long nanos) {
        return nanos == 0 || answerSentNanos == 0 ? Double.NaN : (nanos - answerSentNanos) / 1e6;
    }

    @Override
    void logFailure(String reason) {
        log.info("sim.outbound_call_failed to={} call_id={} reason=\"{}\"", number, waCallId, reason);
    }

    // ---- what the business did, relayed by the Graph stand-in on its worker thread ----

    private void onGraphAction(GraphStandIn.Action action) {
        switch (action.action()) {
            case "connect" -> {
                connectReceivedNanos = action.receivedNanos();
                dialled.complete(action);
            }
            case "terminate" -> {
                serverHungUp = true;
                if (connectedNanos == 0) {
                    fail("the server ended the call before media connected");
                }
            }
            default -> fail("the server sent Graph " + action.action() + " for a call it placed");
        }
    }
}
