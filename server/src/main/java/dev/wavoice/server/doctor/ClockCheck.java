package dev.wavoice.server.doctor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * This host's clock against the {@code Date} of Graph's answer (any answer: no token is sent). A clock that is off
 * shows as trouble elsewhere: a DTLS certificate not yet valid for the peer, call permissions expiring early or late,
 * webhook timestamps and the call log out of step with Meta's. The {@code Date} header has whole seconds, so a few
 * seconds of difference are within its precision and the request's time.
 */
final class ClockCheck implements DoctorCheck {
    static final String NAME = "clock";
    static final Duration WARN_AFTER = Duration.ofSeconds(5);
    static final Duration FAIL_AFTER = Duration.ofSeconds(60);
    private static final String ADVICE = "synchronise this host's clock (NTP: chrony, systemd-timesyncd; in a "
            + "container, the host's)";

    private final DoctorSetup setup;

    ClockCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() throws InterruptedException {
        URI graph = setup.config().graphUrl();
        HttpClient http = HttpClient.newBuilder().connectTimeout(setup.requestTimeout()).build();
        Instant asked = setup.clock().instant();
        HttpResponse<Void> response;
        try {
            response = http.send(HttpRequest.newBuilder(graph).timeout(setup.requestTimeout()).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return Check.warn(NAME, "not compared: " + graph.getHost() + " did not answer (" + setup.describe(e) + ")",
                    "see the graph token line");
        } finally {
            http.shutdownNow();
        }
        Instant answered = setup.clock().instant();
        var date = response.headers().firstValue("Date");
        if (date.isEmpty()) {
            return Check.warn(NAME, "not compared: Graph's answer had no Date header", "");
        }
        Instant theirs;
        try {
            theirs = ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return Check.warn(NAME, "not compared: Graph's Date header is not a date (" + date.get() + ")", "");
        }
        // Ours at the middle of the exchange against theirs, which is whole seconds (truncated): up to 1 s early.
        Instant ours = asked.plus(Duration.between(asked, answered).dividedBy(2));
        long offsetMs = Duration.between(theirs.plusMillis(500), ours).toMillis();
        String found = "this host is " + Math.abs(offsetMs) / 1000.0 + " s " + (offsetMs >= 0 ? "ahead of" : "behind")
                + " " + graph.getHost() + "'s Date";
        Duration off = Duration.ofMillis(Math.abs(offsetMs));
        if (off.compareTo(FAIL_AFTER) > 0) {
            return Check.fail(NAME, found, ADVICE);
        }
        if (off.compareTo(WARN_AFTER) > 0) {
            return Check.warn(NAME, found, ADVICE);
        }
        return Check.ok(NAME, found);
    }
}
