package dev.wavoice.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Calling is enabled in the number's settings: it is off by default, and while it is off WhatsApp shows no call
 * button and sends no {@code calls} webhook, which looks like "the phone rings forever" from our side.
 */
final class CallingCheck implements DoctorCheck {
    static final String NAME = "calling enabled";
    static final String ENABLE_ADVICE = "enable calling on the number: wavoice setup --calling enabled --apply "
            + "(or WhatsApp Manager > Phone numbers > Calls)";

    private final DoctorSetup setup;

    CallingCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() throws InterruptedException {
        JsonNode calling;
        switch (GraphProbe.ask(setup, NAME, "/settings")) {
            case GraphProbe.Asked.Failed f -> {
                return f.check();
            }
            case GraphProbe.Asked.Body b -> calling = b.json().path("calling");
        }
        if (!calling.isObject()) {
            return Check.fail(NAME, "the number's settings have no calling block", ENABLE_ADVICE);
        }
        String status = calling.path("status").asText("absent");
        String found = "calling " + status
                + ", call icon " + calling.path("call_icon_visibility").asText("unset")
                + ", callback permission " + calling.path("callback_permission_status").asText("unset");
        if (!status.equalsIgnoreCase("ENABLED")) {
            return Check.fail(NAME, found, ENABLE_ADVICE);
        }
        return Check.ok(NAME, found);
    }
}
