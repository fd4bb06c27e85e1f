package dev.wavoice.server.sim;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Calls the server places: {@code calls} simulated users, asked for at {@code rampPerSecond}, each picking up,
 * talking for {@code talk}, listening for {@code listen} more, then hanging up.
 */
public final class OutboundRun {

    /**
     * What to run.
     *
     * @param firstNumber   the first user's number (the next ones count up from it); null for generated numbers
     * @param phoneNumberId the business number the server calls from
     * @param adminToken    the server's {@code WAVOICE_ADMIN_TOKEN}, or null when it has none
     * @param record        keep what the (single) user heard
     */
    public record Plan(int calls, Duration talk, Duration listen, double rampPerSecond, VoiceSource voice,
                       Duration connectTimeout, String firstNumber, String phoneNumberId, String callbackData,
                       String adminToken, boolean record) {}

    /**
     * What each call came to, in the order asked, what the single user heard (when recorded), and how many call
     * permission checks the server sent Graph meanwhile.
     */
    public record Outcome(List<OutboundCallResult> calls, short[] recording, double elapsedSeconds,
                          long permissionChecks) {
        public OutboundFigures figures() {
            return OutboundFigures.of(calls, elapsedSeconds, permissionChecks);
        }
    }

    private OutboundRun() {}

    public static Outcome run(SimulatedWhatsApp whatsapp, URI server, Plan plan) throws InterruptedException {
        long started = System.nanoTime();
        long checksBefore = whatsapp.graph.permissionChecks();
        long gapNanos = plan.rampPerSecond() <= 0 ? 0 : (long) (1e9 / plan.rampPerSecond());
        // A bench's many users replay one encoding; a single user encodes as it talks (and can play a recording).
        EncodedVoice encoded = plan.calls() > 1 ? whatsapp.encode(plan.voice(), 200) : null;
        List<SimulatedUser> users = new ArrayList<>();
        List<Future<OutboundCallResult>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < plan.calls(); i++) {
                long wait = started + i * gapNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                SimulatedUser user = whatsapp.user(number(plan.firstNumber(), i), plan.phoneNumberId(),
                        plan.callbackData(), plan.voice(), encoded, plan.record());
                users.add(user);
                results.add(threads.submit(() -> oneCall(user, server, plan)));
            }
            List<OutboundCallResult> done = new ArrayList<>();
            for (Future<OutboundCallResult> f : results) {
                try {
                    done.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a simulated call crashed", e.getCause());
                }
            }
            short[] heard = plan.record() && !users.isEmpty() ? users.getFirst().recording() : new short[0];
            return new Outcome(List.copyOf(done), heard, (System.nanoTime() - started) / 1e9,
                    whatsapp.graph.permissionChecks() - checksBefore);
        }
    }

    /**
     * The {@code i}-th user's number: the first counted up (a BSUID cannot be, so it is for one call only), or null
     * for a generated one.
     */
    static String number(String first, int i) {
        if (first == null) {
            return null;
        }
        // Graph takes a number without its plus, and the webhooks name the user so.
        String digits = first.startsWith("+") ? first.substring(1) : first;
        if (i == 0) {
            return digits;
        }
        if (!digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("only a phone number can be counted up for more calls: " + first);
        }
        return Long.toString(Long.parseLong(digits) + i);
    }

    private static OutboundCallResult oneCall(SimulatedUser user, URI server, Plan plan) throws InterruptedException {
        if (user.callAndPickUp(server, plan.adminToken(), plan.connectTimeout())) {
            user.play(plan.talk());
            long end = System.nanoTime() + plan.talk().plus(plan.listen()).toNanos();
            while (System.nanoTime() < end && !user.serverHungUp()) {
                Thread.sleep(50);
            }
        }
        return user.hangUp();
    }
}
