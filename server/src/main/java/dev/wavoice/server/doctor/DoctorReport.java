package dev.wavoice.server.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;

/** The outcome of one doctor run: one line per check in text, or JSON for scripts and {@code GET /api/doctor}. */
public record DoctorReport(List<Check> checks, Duration took) {

    public DoctorReport {
        checks = List.copyOf(checks);
    }

    /** Any check failed: {@code wavoice doctor} then exits non-zero. */
    public boolean failed() {
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
    }

    public long count(Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** {@code ok   name: found}, one line a check, the advice indented under each warning and failure. */
    public String text() {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append(String.format("%-4s %-" + width + "s  %s%n", c.status().label(), c.name(), c.found()));
            if (!c.advice().isBlank()) {
                out.append(" ".repeat(5 + width + 2)).append("-> ").append(c.advice()).append(System.lineSeparator());
            }
        }
        out.append(String.format("%d ok, %d warn, %d fail in %d ms%n", count(Check.Status.OK),
                count(Check.Status.WARN), count(Check.Status.FAIL), took.toMillis()));
        return out.toString();
    }

    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("status", failed() ? "fail" : count(Check.Status.WARN) > 0 ? "warn" : "ok");
        root.put("tookMs", took.toMillis());
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode n = list.addObject();
            n.put("name", c.name());
            n.put("status", c.status().label());
            n.put("found", c.found());
            n.put("advice", c.advice());
        }
        return root;
    }
}
