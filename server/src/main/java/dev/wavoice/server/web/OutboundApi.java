package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentOverrides;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.call.OutboundCalls.DialOutcome;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/calls}: the business places a call. The body names the user ({@code to}: phone number or BSUID) and
 * optionally the business number ({@code phone_number_id}), this call's agent ({@code agent.instructions},
 * {@code agent.voice}, {@code agent.first_message}), {@code callback_data} for WhatsApp to echo, and what to do
 * without permission ({@code request_permission}, {@code dial_on_grant}). Answers 201 with both call ids once Graph has
 * the call, 202 when a permission request went out instead, or an error with Meta's code.
 */
final class OutboundApi {
    /** A call request is a few lines of JSON; agent instructions make it a few kilobytes at most. */
    private static final int MAX_BODY = 64 * 1024;

    private final OutboundCalls outbound;
    private final ObjectMapper json;

    OutboundApi(OutboundCalls outbound, ObjectMapper json) {
        this.outbound = outbound;
        this.json = json;
    }

    void place(Context ctx) throws IOException {
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BODY) {
            respond(ctx, 413, Map.of("error", "request body over " + MAX_BODY + " bytes"));
            return;
        }
        OutboundCalls.DialRequest request;
        try {
            request = parse(json.readTree(raw));
        } catch (IOException | IllegalArgumentException e) {
            respond(ctx, 400, Map.of("error", "bad request: " + e.getMessage()));
            return;
        }
        DialOutcome outcome = outbound.dial(request);
        Map<String, Object> body = new LinkedHashMap<>();
        switch (outcome) {
            case DialOutcome.Dialled d -> {
                body.put("call_id", d.callId());
                body.put("wa_call_id", d.waCallId());
                body.put("state", "DIALLING");
            }
            case DialOutcome.PermissionRequested p -> {
                if (p.callId() != null) {
                    body.put("call_id", p.callId());
                    body.put("state", "AWAITING_PERMISSION");
                }
                body.put("permission", p.permission());
                body.put("permission_request_sent", p.requestSent());
                body.put("dial_on_grant", p.dialOnGrant());
            }
            case DialOutcome.Refused r -> {
                body.put("error", r.error());
                if (r.graphCode() != null) {
                    body.put("graph_error_code", r.graphCode());
                }
                if (r.permission() != null) {
                    body.put("permission", r.permission());
                }
                if (r.callId() != null) {
                    body.put("call_id", r.callId());
                }
            }
        }
        respond(ctx, outcome.httpStatus(), body);
    }

    static OutboundCalls.DialRequest parse(JsonNode in) {
        if (in == null || !in.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode agent = in.path("agent");
        if (!agent.isMissingNode() && !agent.isNull() && !agent.isObject()) {
            throw new IllegalArgumentException("agent must be an object");
        }
        AgentOverrides overrides = new AgentOverrides(text(agent, "instructions"), text(agent, "voice"),
                text(agent, "first_message"));
        String callbackData = text(in, "callback_data");
        if (callbackData != null && callbackData.length() > 512) {
            throw new IllegalArgumentException("callback_data is limited to 512 characters");
        }
        return new OutboundCalls.DialRequest(text(in, "to"), text(in, "phone_number_id"), overrides, callbackData,
                in.path("request_permission").asBoolean(false), in.path("dial_on_grant").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.asText();
    }

    private void respond(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
