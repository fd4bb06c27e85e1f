package dev.wavoice.server.permission;

import dev.wavoice.server.call.CallPermissionGate;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.whatsapp.GraphApiException;

/**
 * Call control's view of the permission service: a {@link PermissionDecision} becomes a verdict, a permission request
 * goes out as Meta allows, and the user's replies reach the calls waiting for them ({@code dial_on_grant}).
 */
public final class PermissionGate implements CallPermissionGate {
    private final CallPermissionService service;

    public PermissionGate(CallPermissionService service) {
        this.service = service;
    }

    @Override
    public Verdict check(String phoneNumberId, String user) throws GraphApiException {
        PermissionDecision d = service.check(phoneNumberId, user);
        boolean limited = (d.callLimit() != null && d.callLimit().exhausted())
                || (!d.mayRequestPermission() && d.requestLimit() != null && d.requestLimit().exhausted());
        return new Verdict(d.mayDial(), d.status().wireName(), d.expiresAt(), d.mayRequestPermission(), d.reason(),
                limited && !d.mayDial());
    }

    @Override
    public RequestOutcome request(String phoneNumberId, String user) throws GraphApiException {
        try {
            PermissionRequestResult r = service.requestPermission(phoneNumberId, user, null);
            return RequestOutcome.sent(r.kind().name().toLowerCase(java.util.Locale.ROOT));
        } catch (PermissionRequestException e) {
            return RequestOutcome.refused(e.getMessage(),
                    e.reason() == PermissionRequestException.Reason.REQUEST_LIMIT_REACHED);
        }
    }

    /** Hands the user's replies to the calls placed with {@code dial_on_grant}. */
    public void notify(OutboundCalls outbound) {
        service.addGrantListener(new GrantListener() {
            @Override
            public void onGrant(PermissionReply.Granted g) {
                outbound.permissionGranted(g.phoneNumberId(), g.user());
            }

            @Override
            public void onReject(PermissionReply.Rejected r) {
                outbound.permissionRefused(r.phoneNumberId(), r.user(), "the user declined the call permission request");
            }
        });
    }
}
