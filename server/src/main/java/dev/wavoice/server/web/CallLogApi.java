package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.store.CallLogRepository;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Read-only JSON view of the call log: {@code GET /api/calls} and {@code GET /api/calls/{callId}}. */
final class CallLogApi {
    private final CallLogRepository repo;
    private final ObjectMapper json;

    CallLogApi(CallLogRepository repo, ObjectMapper json) {
        this.repo = repo;
        this.json = json;
    }

    void list(Context ctx) throws Exception {
        int limit = Math.max(1, Math.min(500, ctx.queryParamAsClass("limit", Integer.class).getOrDefault(50)));
        try {
            respond(ctx, 200, Map.of("calls", repo.recentCalls(limit)));
        } catch (SQLException e) {
            respond(ctx, 503, Map.of("error", "call log database unavailable"));
        }
    }

    void one(Context ctx) throws Exception {
        String callId = ctx.pathParam("callId");
        try {
            var call = repo.findCall(callId);
            if (call.isEmpty()) {
                respond(ctx, 404, Map.of("error", "no such call"));
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("call", call.get());
            body.put("events", repo.events(callId));
            body.put("transcripts", repo.transcripts(callId));
            body.put("usage", repo.usage(callId));
            respond(ctx, 200, body);
        } catch (SQLException e) {
            respond(ctx, 503, Map.of("error", "call log database unavailable"));
        }
    }

    private void respond(Context ctx, int status, Object body) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
