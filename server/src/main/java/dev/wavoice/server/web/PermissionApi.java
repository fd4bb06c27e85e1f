package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.permission.ActionLimit;
import dev.wavoice.server.permission.CallPermission;
import dev.wavoice.server.permission.CallPermissionService;
import dev.wavoice.server.permission.PermissionAction;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code GET /api/permissions}: the stored WhatsApp call permissions, most recently changed first. */
final class PermissionApi {
    private final CallPermissionService permissions;
    private final ObjectMapper json;

    PermissionApi(CallPermissionService permissions, ObjectMapper json) {
        this.permissions = permissions;
        this.json = json;
    }

    /**
     * One row as the dashboard shows it: {@code status} as of now (an expired temporary grant reads
     * no_permission), {@code storedStatus} as last stored, the {@code start_call} limit Meta last gave, and whether
     * the user's customer-service window is open.
     */
    record PermissionRow(String phoneNumberId, String user, String status, String storedStatus, Instant expiresAt,
            String source, Instant updatedAt, Instant checkedAt, Instant lastInboundAt, boolean serviceWindowOpen,
            ActionLimit startCallLimit, Boolean mayStartCall, List<PermissionAction> actions) {

        static PermissionRow of(CallPermission p, Instant now) {
            PermissionAction startCall = p.action(PermissionAction.START_CALL);
            return new PermissionRow(p.phoneNumberId(), p.user(), p.statusAt(now).wireName(), p.status().wireName(),
                    p.expiresAt(), p.source().wireName(), p.updatedAt(), p.checkedAt(), p.lastInboundAt(),
                    p.inServiceWindow(now), startCall == null ? null : startCall.bindingLimit(),
                    startCall == null ? null : startCall.canPerform(), p.actions());
        }
    }

    void list(Context ctx) throws Exception {
        int limit = Math.max(1, Math.min(500, ctx.queryParamAsClass("limit", Integer.class).getOrDefault(100)));
        Instant now = Instant.now();
        try {
            List<PermissionRow> rows = permissions.list(limit).stream().map(p -> PermissionRow.of(p, now)).toList();
            respond(ctx, 200, Map.of("permissions", rows));
        } catch (SQLException e) {
            respond(ctx, 503, Map.of("error", "permission database unavailable"));
        }
    }

    private void respond(Context ctx, int status, Object body) throws Exception {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(body));
    }
}
