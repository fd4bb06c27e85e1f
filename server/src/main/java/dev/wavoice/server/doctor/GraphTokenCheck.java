package dev.wavoice.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The access token is accepted and may act on {@code WHATSAPP_PHONE_NUMBER_ID}: reading the number's own fields
 * needs both, and shows which number the service answers for.
 */
final class GraphTokenCheck implements DoctorCheck {
    static final String NAME = "graph token";

    private final DoctorSetup setup;

    GraphTokenCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() throws InterruptedException {
        JsonNode body;
        switch (GraphProbe.ask(setup, NAME, "?fields=display_phone_number,verified_name,quality_rating")) {
            case GraphProbe.Asked.Failed f -> {
                return f.check();
            }
            case GraphProbe.Asked.Body b -> body = b.json();
        }
        String found = "token accepted for " + body.path("display_phone_number").asText("?") + " ("
                + setup.scrub(body.path("verified_name").asText("no verified name")) + "), quality "
                + body.path("quality_rating").asText("unknown");
        if (body.path("quality_rating").asText("").equalsIgnoreCase("RED")) {
            return Check.warn(NAME, found, "the number's quality rating is RED: Meta may limit it");
        }
        return Check.ok(NAME, found);
    }
}
