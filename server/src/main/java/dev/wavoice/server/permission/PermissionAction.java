package dev.wavoice.server.permission;

import java.util.List;

/**
 * One entry of the permission check's {@code actions[]}: {@code send_call_permission_request} or
 * {@code start_call}, whether Meta lets the business do it now, and the limits that apply.
 */
public record PermissionAction(String name, boolean canPerform, List<ActionLimit> limits) {
    public static final String SEND_CALL_PERMISSION_REQUEST = "send_call_permission_request";
    public static final String START_CALL = "start_call";

    public PermissionAction {
        limits = limits == null ? List.of() : List.copyOf(limits);
    }

    /** The limit that stops the action (the first exhausted one), else the first limit, else null. */
    public ActionLimit bindingLimit() {
        return limits.stream().filter(ActionLimit::exhausted).findFirst()
                .orElse(limits.isEmpty() ? null : limits.getFirst());
    }

    /** Why the action is refused, in Meta's field names; null when it may be performed. */
    public String refusal() {
        if (canPerform) {
            return null;
        }
        ActionLimit limit = limits.stream().filter(ActionLimit::exhausted).findFirst().orElse(null);
        return name + ": can_perform_action=false" + (limit == null ? "" : " (limit " + limit.describe() + ")");
    }
}
