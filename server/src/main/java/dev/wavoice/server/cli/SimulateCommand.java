package dev.wavoice.server.cli;

import dev.wavoice.server.sim.CallResult;
import dev.wavoice.server.sim.CallWebhooks;
import dev.wavoice.server.sim.OutboundCallResult;
import dev.wavoice.server.sim.OutboundFigures;
import dev.wavoice.server.sim.OutboundRun;
import dev.wavoice.server.sim.SimulatedCaller;
import dev.wavoice.server.sim.SimulatedWhatsApp;
import dev.wavoice.server.sim.VoiceSource;
import dev.wavoice.server.sim.WavFile;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wavoice simulate}: one scripted WhatsApp call against a running wavoice, as a deployment check. This
 * process plays WhatsApp: the caller's media edge, the signed webhooks, and the Graph API (on {@code
 * --graph-port}; the server must be started with {@code WHATSAPP_GRAPH_URL=http://127.0.0.1:<port>}). With {@code
 * --outbound} the server calls instead: this process asks it to ({@code POST /api/calls}) and plays the user who
 * picks up.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Place one simulated WhatsApp call against a running wavoice and check the audio that comes back;",
                "with --outbound, have the server call simulated WhatsApp users instead.",
                "The server must send its Graph API calls here: start it with WHATSAPP_GRAPH_URL=http://127.0.0.1:<graph-port>."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, description = "Base URL of the wavoice under test, e.g. http://127.0.0.1:8080.")
    URI url;

    @Option(names = "--app-secret", defaultValue = "${env:WHATSAPP_APP_SECRET}",
            description = "The server's app secret, to sign the webhooks (env WHATSAPP_APP_SECRET).")
    String appSecret;

    @Option(names = "--graph-port", required = true,
            description = "Loopback port this command serves the Graph API on (the server's WHATSAPP_GRAPH_URL).")
    int graphPort;

    @Option(names = "--tone", defaultValue = "440", description = "Tone to play in talk spurts, Hz (default ${DEFAULT-VALUE}).")
    double toneHz;

    @Option(names = "--wav", description = "Play this 16-bit PCM WAV (8/16/24/48 kHz) instead of a tone.")
    Path wav;

    @Option(names = "--seconds", defaultValue = "6", description = "How long the caller talks (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--listen", defaultValue = "4",
            description = "Seconds to keep listening after talking, for an agent's reply (default ${DEFAULT-VALUE}).")
    int listenSeconds;

    @Option(names = "--record", description = "Write what came back to this WAV (48 kHz mono).")
    Path record;

    @Option(names = "--connect-timeout", defaultValue = "15", description = "Seconds to wait for media (default ${DEFAULT-VALUE}).")
    int connectTimeoutSeconds;

    @Option(names = "--outbound", description = "The server places the call(s): POST /api/calls, then this process plays the user who picks up.")
    boolean outbound;

    @Option(names = "--to", description = "With --outbound: the user's phone number (later calls count up from it) or BSUID (one call); default: generated numbers.")
    String to;

    @Option(names = "--calls", defaultValue = "1", description = "With --outbound: how many calls the server places (default ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--ramp", defaultValue = "5", description = "With --outbound: calls asked for per second (default ${DEFAULT-VALUE}).")
    double ramp;

    @Option(names = "--phone-number-id", defaultValue = CallWebhooks.PHONE_NUMBER_ID,
            description = "With --outbound: the business number to call from, as the webhooks name it (default ${DEFAULT-VALUE}).")
    String phoneNumberId;

    @Option(names = "--callback-data", description = "With --outbound: callback_data for each call (WhatsApp echoes it in the answer webhook).")
    String callbackData;

    @Option(names = "--admin-token", defaultValue = "${env:WAVOICE_ADMIN_TOKEN}",
            description = "With --outbound: the server's admin token for POST /api/calls (env WAVOICE_ADMIN_TOKEN; none needed on loopback without one).")
    String adminToken;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (appSecret == null || appSecret.isBlank()) {
            System.err.println("wavoice simulate: the app secret is needed to sign webhooks (--app-secret or WHATSAPP_APP_SECRET)");
            return 2;
        }
        VoiceSource source = wav == null ? VoiceSource.toneBursts(toneHz, 1_500, 2_500, 0.3)
                : VoiceSource.samples(WavFile.read48k(wav));
        if (outbound) {
            return outbound(out, source);
        }
        if (calls != 1 || to != null) {
            System.err.println("wavoice simulate: --calls and --to are for --outbound");
            return 2;
        }
        try (SimulatedWhatsApp whatsapp = SimulatedWhatsApp.open(graphPort).target(url, appSecret)) {
            SimulatedCaller caller = whatsapp.caller(source, record != null);
            out.printf("wavoice simulate: call %s to %s (Graph API served at %s)%n", caller.callId(), url, whatsapp.graphUrl());
            out.flush();
            caller.dial();
            if (caller.awaitConnected(Duration.ofSeconds(connectTimeoutSeconds))) {
                caller.play(Duration.ofSeconds(seconds));
                long end = System.nanoTime() + Duration.ofSeconds(seconds + listenSeconds).toNanos();
                while (System.nanoTime() < end && !caller.serverHungUp()) {
                    Thread.sleep(50);
                }
            }
            CallResult r = caller.hangUp();
            if (record != null) {
                short[] heard = caller.recording();
                WavFile.write(record, heard, heard.length, 48_000);
            }
            print(out, r);
            return r.verdict().pass() ? 0 : 1;
        }
    }

    private int outbound(PrintWriter out, VoiceSource source) throws Exception {
        if (calls < 1 || (calls > 1 && record != null)) {
            System.err.println("wavoice simulate: --calls must be at least 1, and --record is for a single call");
            return 2;
        }
        if (calls > 1 && to != null && !to.replaceFirst("^\\+", "").chars().allMatch(Character::isDigit)) {
            System.err.println("wavoice simulate: more than one call needs --to to be a phone number (a BSUID cannot be counted up)");
            return 2;
        }
        try (SimulatedWhatsApp whatsapp = SimulatedWhatsApp.open(graphPort).target(url, appSecret)) {
            out.printf("wavoice simulate --outbound: %d call(s) placed by %s (Graph API served at %s)%n", calls, url,
                    whatsapp.graphUrl());
            out.flush();
            OutboundRun.Outcome outcome = OutboundRun.run(whatsapp, url, new OutboundRun.Plan(calls,
                    Duration.ofSeconds(seconds), Duration.ofSeconds(listenSeconds), ramp, source,
                    Duration.ofSeconds(connectTimeoutSeconds), to, phoneNumberId, callbackData, adminToken,
                    record != null));
            for (OutboundCallResult r : outcome.calls()) {
                out.printf("call %s to %s: request -> Graph connect %s ms, -> 201 %s ms%n", r.callId(), r.to(),
                        ms(r.connectSentMillis()), ms(r.apiAnsweredMillis()));
                print(out, r.media());
            }
            if (record != null) {
                WavFile.write(record, outcome.recording(), outcome.recording().length, 48_000);
            }
            OutboundFigures figures = outcome.figures();
            if (calls > 1) {
                out.print(figures.table());
            }
            out.printf("%s: %d of %d calls placed by the server passed%n", figures.failures().isEmpty() ? "PASS" : "FAIL",
                    figures.passed(), figures.calls());
            out.flush();
            return figures.failures().isEmpty() ? 0 : 1;
        }
    }

    void print(PrintWriter out, CallResult r) {
        if (outbound) {
            out.printf("setup    answer webhook -> DTLS connected %s ms, -> first audio back %s ms, -> first voiced %s ms%n",
                    ms(r.connectedMillis()), ms(r.firstAudioMillis()), ms(r.firstVoicedMillis()));
        } else {
            out.printf("setup    webhook -> pre_accept %s ms, -> DTLS connected %s ms, -> accept %s ms, -> first audio back %s ms%n",
                    ms(r.preAcceptMillis()), ms(r.connectedMillis()), ms(r.acceptMillis()), ms(r.firstAudioMillis()));
        }
        out.printf("packets  sent %d, received %d, lost %d (%.2f %%), late > 5 ms %d of %d%n", r.packetsSent(),
                r.packetsReceived(), r.packetsLost(), 100 * r.lossFraction(), r.lateOver5ms(), r.timedPackets());
        out.printf("heard    detected %s Hz, frequencies %s Hz, %d voiced 100 ms windows (%d with the tone)%s%n",
                Double.isNaN(r.detectedHz()) ? "-" : String.format("%.1f", r.detectedHz()), r.frequenciesHeard(),
                r.voicedWindows(), r.toneWindows(), r.serverHungUp() ? "; the server hung up" : "");
        if (record != null) {
            out.printf("recorded %s%n", record);
        }
        CallResult.Verdict v = r.verdict();
        out.printf("%s: %s%n", v.pass() ? "PASS" : "FAIL", v.reason());
        out.flush();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.1f", v);
    }
}
