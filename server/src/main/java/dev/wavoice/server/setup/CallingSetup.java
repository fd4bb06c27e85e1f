package dev.wavoice.server.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code wavoice setup}'s work: read the number's calling settings, show what would change, and only when asked
 * POST exactly those fields, then read again to see that Graph holds them. Graph may take a change and still show
 * the old value (or refuse one silently, e.g. callback permission while calling is off), so the second read is
 * what says whether it worked.
 */
public final class CallingSetup {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final GraphTarget target;
    private final SettingsGraph graph;

    public CallingSetup(GraphTarget target, Duration timeout) {
        this.target = target;
        this.graph = new SettingsGraph(target, timeout);
    }

    /** Shows the diff and applies it when {@code apply}; 0 when done (or nothing to do), 1 on a Graph failure. */
    public int run(CallingSettings wanted, boolean apply, PrintStream out) throws InterruptedException {
        out.println("calling settings of number " + target.phoneNumberId() + " (" + target.graphUrl().getAuthority()
                + ", " + target.graphVersion() + ")");
        try {
            List<SettingChange> changes = wanted.changesFrom(graph.readCalling());
            if (changes.isEmpty()) {
                out.println("nothing to change");
                return 0;
            }
            changes.forEach(c -> out.println(c.line()));
            if (!apply) {
                out.println(changes.size() + " to change; nothing sent. Run again with --apply to make "
                        + (changes.size() == 1 ? "this change" : "these changes"));
                return 0;
            }
            ObjectNode post = JsonNodeFactory.instance.objectNode();
            changes.forEach(c -> post.set(c.field(), c.wanted()));
            graph.writeCalling(post);
            out.println("applied " + changes.size() + "; Graph answered success");
            JsonNode after = graph.readCalling();
            List<SettingChange> left = wanted.changesFrom(after);
            if (left.isEmpty()) {
                out.println("read back: the settings now match");
                return 0;
            }
            out.println("read back: " + left.size() + " still differ");
            left.forEach(c -> out.println(c.line()));
            out.println("  what to do: Graph accepted the change but shows otherwise; read again in a minute, and "
                    + "check the number's eligibility for calling (WhatsApp Manager > Phone numbers > Calls)");
            return 1;
        } catch (SettingsGraph.Failure e) {
            out.println("fail  " + e.getMessage());
            out.println("  what to do: " + e.advice());
            return 1;
        } finally {
            out.flush();
        }
    }
}
