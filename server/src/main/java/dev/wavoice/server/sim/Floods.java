package dev.wavoice.server.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The floods running beside a {@link LoadRun}: badly signed webhooks at the server's webhook path and garbage at
 * its media port. The datagram flood starts once the first call has connected (that tells it the port).
 */
public final class Floods {

    /** Rates per second; 0 for no such flood. */
    public record Plan(double webhooksPerSecond, double datagramsPerSecond) {
        public static final Plan NONE = new Plan(0, 0);

        public boolean any() {
            return webhooksPerSecond > 0 || datagramsPerSecond > 0;
        }
    }

    /**
     * What the floods sent and what came of it.
     *
     * @param webhooks           null without a webhook flood
     * @param datagrams          null without a datagram flood (or no call ever connected to aim it)
     * @param floodCallsCreated  Graph actions on the forged calls: each a call the server took from a bad signature
     */
    public record Figures(Plan plan, WebhookFlood.Result webhooks, DatagramFlood.Result datagrams,
                          long floodCallsCreated) {}

    private final Plan plan;
    private final SimulatedWhatsApp whatsapp;
    private final long floodCallsBefore;
    private final WebhookFlood webhooks;
    private final CompletableFuture<DatagramFlood> datagrams;

    private Floods(Plan plan, SimulatedWhatsApp whatsapp) {
        this.plan = plan;
        this.whatsapp = whatsapp;
        this.floodCallsBefore = whatsapp.graphActionsForFloodCalls();
        this.webhooks = plan.webhooksPerSecond() > 0
                ? new WebhookFlood(whatsapp.serverUrl(), whatsapp.appSecret(), plan.webhooksPerSecond()).start() : null;
        this.datagrams = plan.datagramsPerSecond() > 0
                ? whatsapp.serverMediaAddress().thenApply(this::datagramFlood) : CompletableFuture.completedFuture(null);
    }

    public static Floods start(Plan plan, SimulatedWhatsApp whatsapp) {
        return new Floods(plan, whatsapp);
    }

    private DatagramFlood datagramFlood(InetSocketAddress target) {
        try {
            return new DatagramFlood(target, plan.datagramsPerSecond()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both floods, waits for the webhooks' answers, and reports. */
    public Figures stop() {
        WebhookFlood.Result w = null;
        if (webhooks != null) {
            w = webhooks.stop();
            webhooks.close();
        }
        DatagramFlood.Result d = null;
        datagrams.cancel(false); // a flood not started yet (no call connected) is never started
        DatagramFlood flood = datagrams.isDone() && !datagrams.isCompletedExceptionally() ? datagrams.join() : null;
        if (flood != null) {
            d = flood.stop();
            try {
                flood.close();
            } catch (IOException ignored) {
                // the socket is gone either way
            }
        }
        return new Figures(plan, w, d, whatsapp.graphActionsForFloodCalls() - floodCallsBefore);
    }
}
