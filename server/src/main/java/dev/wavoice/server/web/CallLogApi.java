package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.store.CallLogRepository;
import io.javalin.http.Context;
import dev.wavoice.server.store.RecordingRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only view of the call log: {@code GET /api/calls}, {@code GET /api/calls/{callId}} (JSON) and the call's
 * recording, {@code GET /api/calls/{callId}/recording}.
 */
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
            body.put("recording", repo.recording(callId).orElse(null));
            respond(ctx, 200, body);
        } catch (SQLException e) {
            respond(ctx, 503, Map.of("error", "call log database unavailable"));
        }
    }

    /** {@code GET /api/calls/{callId}/recording}: the call's Ogg/Opus file, for the admin only. */
    void recording(Context ctx) throws Exception {
        String callId = ctx.pathParam("callId");
        Optional<RecordingRecord> recording;
        try {
            recording = repo.recording(callId);
        } catch (SQLException e) {
            respond(ctx, 503, Map.of("error", "call log database unavailable"));
            return;
        }
        if (recording.isEmpty()) {
            respond(ctx, 404, Map.of("error", "this call was not recorded"));
            return;
        }
        Path file = Path.of(recording.get().path());
        if (recording.get().deletedAt() != null) {
            respond(ctx, 410, Map.of("error", "the recording was deleted by the retention (WAVOICE_RECORDING_DAYS)"));
            return;
        }
        if (!Files.isRegularFile(file)) {
            // Each instance records to its own disk: the file is where the call's media ran, unless it was removed.
            String owner = repo.findCall(callId).map(c -> c.ownerInstance()).orElse("?");
            respond(ctx, 404, Map.of("error", "the recording's file is not on this instance's disk (the call ran on "
                    + owner + ")"));
            return;
        }
        // Seekable: a browser's player asks for byte ranges (to find the length at the end, to jump).
        ctx.header("Content-Disposition", "inline; filename=\"" + file.getFileName() + "\"");
        ctx.writeSeekableStream(Files.newInputStream(file), "audio/ogg", Files.size(file));
    }

    private void respond(Context ctx, int status, Object body) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
