package dev.wavoice.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.interop.ChromiumBrowser;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.config.RecordingSettings;
import dev.wavoice.server.store.RecordingRecord;
import dev.wavoice.server.agent.RefusingEndpoint;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium as the caller of {@code wavoice demo}: the page's Call button, the browser's offer wrapped by
 * the simulated Meta into a signed connect webhook, the answer from {@code pre_accept}, ICE+DTLS to the media
 * port, the tone from Chromium's fake microphone coming back and measured by the page's analyser, the dashboard
 * listing the call, hang-up as a terminate webhook, and the call row in the database. Screenshots of the page
 * and of the dashboard go to {@code target/} (demo-page.png, demo-dashboard-live.png, demo-dashboard.png).
 */
@Timeout(120)
class DemoBrowserCallTest {
    static final double TONE_HZ = 440.0;
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static ChromiumBrowser chrome;

    @BeforeAll
    static void startChromium() {
        // The caller listens first (the agent greets the moment the call is up), then speaks for a second and
        // pauses: an agent that takes turns hears each utterance end.
        Path wav = new BurstWav(TONE_HZ, Duration.ofMillis(1000), Duration.ofMillis(2500), 0.5, true)
                .writeTo(dir.resolve("caller.wav"));
        chrome = ChromiumBrowser.start(wav);
    }

    @AfterAll
    static void stopChromium() {
        if (chrome != null) {
            chrome.close();
        }
    }

    static DemoServer startDemo(AgentKind agent, String db) throws Exception {
        return startDemo(agent, AgentTransport.WEBSOCKET, db);
    }

    static DemoServer startDemo(AgentKind agent, AgentTransport transport, String db) throws Exception {
        return startDemo(agent, transport, db, false);
    }

    /** @param recording whether the agent's calls are recorded (under {@code dir/<db>-recordings}) */
    static DemoServer startDemo(AgentKind agent, AgentTransport transport, String db, boolean recording)
            throws Exception {
        WavoiceConfig config = WavoiceConfig.builder()
                .httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0)
                .dbUrl("jdbc:h2:file:" + dir.resolve(db))
                .agent(agent)
                .agentTransport(transport)
                .recordings(new RecordingSettings(dir.resolve(db + "-recordings"), 30))
                .build();
        DemoServer demo = DemoServer.start(config, AgentDirectory.single(new AgentProfile(
                AgentProfile.defaultName(agent, transport), agent, transport, AgentConfig.fromEnvironment(Map.of()),
                null, recording)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!demo.server().callLog().isMigrated() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return demo;
    }

    /**
     * The demo's default agent: the local agent greets with a chime, and after each of the caller's bursts (once
     * its turn detection hears the pause) plays a chime and the caller's audio back, the "parrot" reply the page
     * measures; each turn leaves transcript rows.
     */
    @Test
    void theBrowserCallsTheLocalAgentHearsTheParrotReplyAndTheDashboardShowsTheTranscript() throws Exception {
        try (DemoServer demo = startDemo(AgentKind.LOCAL, AgentTransport.WEBSOCKET, "local", true)) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl() + "?processing=off");
            driver.manage().window().setSize(new Dimension(1100, 1400));
            String pageWindow = driver.getWindowHandle();
            driver.findElement(By.id("call")).click();

            awaitPage(driver, "the page to report the call connected", d -> "connected".equals(attr(d, "state", "data-state")));
            String callId = driver.findElement(By.id("call-id")).getText();
            assertThat(callId).startsWith("wacid.demo-");
            CallRecord live = awaitRow(demo, callId, "CONNECTED");
            assertThat(live.agent()).isEqualTo("local");
            assertThat(live.callerName()).isEqualTo(DemoWebhooks.CALLER_NAME);

            // The caller's tone can only come back as the agent's parrot reply (the chimes are 660, 880, 1320 Hz).
            awaitPage(driver, "the parrot reply's tone in the page",
                    d -> Math.abs(number(attr(d, "remote-tone", "data-hz")) - TONE_HZ) < 0.02 * TONE_HZ);
            assertThat(number(attr(driver, "remote-tone", "data-db"))).isGreaterThan(-60);
            awaitPage(driver, "the agent's transcript rows in the page",
                    d -> d.findElements(By.cssSelector("#transcript p.caller")).size() >= 1
                            && d.findElements(By.cssSelector("#transcript p.assistant")).size() >= 2);
            assertThat(driver.findElement(By.id("events")).getText()).contains("graph.pre_accept", "graph.accept");
            screenshot(driver, "demo-page.png");

            // The dashboard lists the live call with its media figures.
            chrome.openPage(demo.pageUrl() + "dashboard");
            driver.manage().window().setSize(new Dimension(1100, 900));
            String dashboardWindow = driver.getWindowHandle();
            By liveRow = By.cssSelector("#live tr[data-call-id='" + callId + "']");
            awaitPage(driver, "the live call on the dashboard", d -> !d.findElements(liveRow).isEmpty()
                    && !d.findElement(liveRow).getText().contains(" 0 / 0"));
            assertThat(driver.findElement(liveRow).getText()).contains("CONNECTED", "local", DemoWebhooks.CALLER_NAME);
            screenshot(driver, "demo-dashboard-live.png");

            driver.switchTo().window(pageWindow);
            driver.findElement(By.id("hangup")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("detail")).getText()).contains("caller_hangup");

            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(ended.durationMs()).isGreaterThanOrEqualTo(1000L);
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("webhook.connect", "media.answered", "graph.pre_accept", "media.connected",
                            "graph.accept", "webhook.terminate", "call.ended");
            List<TranscriptRecord> transcript = demo.server().repository().transcripts(callId);
            assertThat(transcript).extracting(TranscriptRecord::speaker).contains("caller", "assistant");
            assertThat(transcript).extracting(TranscriptRecord::text).anyMatch(t -> t.contains("s of caller audio"));

            // The history (from the database) shows the ended call; its details show transcript and events.
            driver.switchTo().window(dashboardWindow);
            driver.manage().window().setSize(new Dimension(1100, 1600));
            By historyRow = By.cssSelector("#history tr[data-call-id='" + callId + "'][data-state='ENDED']");
            awaitPage(driver, "the ended call in the dashboard's history", d -> !d.findElements(historyRow).isEmpty());
            assertThat(driver.findElements(By.cssSelector("#live tr[data-call-id]"))).isEmpty();
            driver.findElement(historyRow).click();
            awaitPage(driver, "the call's events on the dashboard",
                    d -> d.findElement(By.id("details-events")).getText().contains("call.ended"));
            assertThat(driver.findElement(By.id("details-transcript")).getText()).contains("s of caller audio");
            assertThat(driver.findElement(By.id("total-calls")).getText()).isEqualTo("1");

            // The call was recorded: the dashboard's player loads the Ogg/Opus file and Chromium reads its length.
            awaitPage(driver, "the recording's player", d -> !d.findElements(By.cssSelector("#details-recording audio"))
                    .isEmpty() || reloadDetails(d, historyRow));
            RecordingRecord rec = demo.server().repository().recording(callId).orElseThrow();
            driver.executeScript("const a = document.querySelector('#details-recording audio');"
                    + " a.preload = 'auto'; a.load();");
            awaitPage(driver, "Chromium to read the recording's length", d -> number(String.valueOf(
                    driver.executeScript("const a = document.querySelector('#details-recording audio');"
                            + " return a.readyState >= 1 && isFinite(a.duration) ? a.duration : -1;"))) > 0);
            double seconds = number(String.valueOf(driver.executeScript(
                    "return document.querySelector('#details-recording audio').duration;")));
            assertThat(seconds * 1000).as("the player's length, ms").isCloseTo(rec.durationMs(),
                    org.assertj.core.data.Offset.offset(100.0));
            assertThat(driver.findElement(By.id("details-recording")).getText()).contains("caller left, agent right");
            screenshot(driver, "demo-dashboard.png");
        }
    }

    /** Clicks the call again: its recording is written once the call has ended, maybe after the first click. */
    private static boolean reloadDetails(WebDriver d, By historyRow) {
        d.findElement(historyRow).click();
        return false;
    }

    /**
     * {@code WAVOICE_AGENT_TRANSPORT=webrtc ./wavoice demo}: the browser's call reaches the local agent over a WebRTC
     * leg of wavoice's own, the Opus relayed both ways; the parrot comes back, and the dashboard names the transport.
     */
    @Test
    void theBrowserCallsTheLocalAgentOverTheWebRtcTransport() throws Exception {
        try (DemoServer demo = startDemo(AgentKind.LOCAL, AgentTransport.WEBRTC, "local-webrtc")) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl() + "?processing=off");
            driver.findElement(By.id("call")).click();
            awaitPage(driver, "the page to report the call connected", d -> "connected".equals(attr(d, "state", "data-state")));
            String callId = driver.findElement(By.id("call-id")).getText();
            assertThat(awaitRow(demo, callId, "CONNECTED").agent()).isEqualTo("local/webrtc");
            awaitPage(driver, "the parrot reply's tone in the page",
                    d -> Math.abs(number(attr(d, "remote-tone", "data-hz")) - TONE_HZ) < 0.02 * TONE_HZ);
            awaitPage(driver, "the agent's transcript rows in the page",
                    d -> d.findElements(By.cssSelector("#transcript p.caller")).size() >= 1);
            screenshot(driver, "demo-page-webrtc.png");
            driver.findElement(By.id("hangup")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .contains("agent.leg", "agent.first_audio");
            assertThat(demo.server().metrics().scrape()).contains("wavoice_opus_frames_total{op=\"decode\"} 0.0");
        }
    }

    /**
     * "Let the agent call me": the page asks for a call, the service dials through its own outbound flow (offer, Graph
     * {@code connect} to the simulated Meta), the page rings (a RINGING status webhook) and answers with Chromium's
     * own SDP (a business-initiated connect webhook). The local agent greets first: its chime (660 then 880 Hz) is the
     * first tone the page hears; the caller's 440 Hz burst comes back after it as the parrot reply, so the agent hears
     * the browser too. Hang-up is a terminate webhook; the row says BUSINESS_INITIATED, with its events in order.
     */
    @Test
    void theAgentCallsTheBrowserWhichAnswersAndHearsTheGreetingFirst() throws Exception {
        try (DemoServer demo = startDemo(AgentKind.LOCAL, "outbound")) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl() + "?processing=off");
            driver.manage().window().setSize(new Dimension(1100, 1400));
            driver.findElement(By.id("call-me")).click();

            awaitPage(driver, "the page to ring", d -> "incoming".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("incoming")).isDisplayed()).isTrue();
            String callId = driver.findElement(By.id("call-id")).getText();
            assertThat(callId).startsWith("wv.");
            CallRecord ringing = awaitRow(demo, callId, "RINGING");
            assertThat(ringing.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(ringing.waCallId()).startsWith("wacid.demo-out-");
            screenshot(driver, "demo-page-incoming.png");

            driver.findElement(By.id("answer")).click();
            awaitPage(driver, "the page to report the call connected", d -> "connected".equals(attr(d, "state", "data-state")));
            CallRecord live = awaitRow(demo, callId, "CONNECTED");
            assertThat(live.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(live.callerPhone()).isEqualTo(DemoWebhooks.CALLER_PHONE);
            assertThat(live.callbackData()).isEqualTo(OutboundRinger.CALLBACK_DATA);

            awaitPage(driver, "the caller's tone back from the agent, after its greeting",
                    d -> heardIndex(d, TONE_HZ) >= 0);
            int greeting = Math.max(heardIndex(driver, 880), heardIndex(driver, 660));
            assertThat(greeting).as("the greeting chime among the tones heard: %s", attr(driver, "tones-heard", "data-hz"))
                    .isGreaterThanOrEqualTo(0);
            assertThat(greeting).as("the agent greets first: %s", attr(driver, "tones-heard", "data-hz"))
                    .isLessThan(heardIndex(driver, TONE_HZ));
            awaitPage(driver, "the agent's transcript of the caller",
                    d -> d.findElements(By.cssSelector("#transcript p.caller")).size() >= 1);
            assertThat(demo.server().repository().transcripts(callId)).extracting(TranscriptRecord::speaker)
                    .as("the greeting is the call's first turn").first().isEqualTo("assistant");
            assertThat(demo.server().repository().transcripts(callId).getFirst().text()).contains("greeting");
            assertThat(driver.findElement(By.id("events")).getText()).contains("webhook.status",
                    "webhook.connect", "media.connected", "call.connected");
            screenshot(driver, "demo-page-outbound.png");

            driver.findElement(By.id("hangup")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("detail")).getText()).contains("caller_hangup");
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(ended.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("call.requested", "graph.connect", "webhook.status", "webhook.connect",
                            "media.connected", "call.connected", "webhook.terminate", "call.ended");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .as("the user hung up: nothing for the service to tell Graph").doesNotContain("graph.terminate");
        }
    }

    /** Declining on the page is Meta's REJECTED status: the service ends the call, and says so on the page. */
    @Test
    void theBrowserDeclinesTheAgentsCall() throws Exception {
        try (DemoServer demo = startDemo(AgentKind.LOCAL, "outbound-declined")) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl().toString());
            driver.findElement(By.id("call-me")).click();
            awaitPage(driver, "the page to ring", d -> "incoming".equals(attr(d, "state", "data-state")));
            String callId = driver.findElement(By.id("call-id")).getText();
            driver.findElement(By.id("decline")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("detail")).getText()).contains("rejected_remote", "declined");
            assertThat(driver.findElement(By.id("incoming")).isDisplayed()).isFalse();
            assertThat(driver.findElement(By.id("call-me")).isEnabled()).as("another call can be asked for").isTrue();
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("rejected_remote");
            assertThat(ended.connectedAt()).isNull();
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("graph.connect", "webhook.status", "webhook.status", "call.ended")
                    .doesNotContain("webhook.connect", "media.connected");
        }
    }

    /** The position of a tone (within 2 %) among the tones the page heard, in order; -1 when not heard. */
    private static int heardIndex(WebDriver d, double hz) {
        String heard = attr(d, "tones-heard", "data-hz");
        if (heard == null || heard.isBlank()) {
            return -1;
        }
        String[] tones = heard.trim().split(" ");
        for (int i = 0; i < tones.length; i++) {
            if (Math.abs(number(tones[i]) - hz) < 0.02 * hz) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A new user's first call with a wrong key: the page says so before the call (the startup check), the call is
     * rejected while it rings, and the page shows why, with what to fix.
     */
    @Test
    void aWrongKeyIsShownOnThePageAndTheCallEndsWithTheReason() throws Exception {
        WavoiceConfig config = WavoiceConfig.builder()
                .httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0)
                .dbUrl("jdbc:h2:file:" + dir.resolve("wrong-key"))
                .agent(AgentKind.OPENAI)
                .build();
        try (RefusingEndpoint openai = new RefusingEndpoint(401);
             DemoServer demo = DemoServer.start(config, AgentConfig.defaults(openai.url(), Secret.of("sk-wrong")))) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl().toString());
            driver.manage().window().setSize(new Dimension(1100, 900));
            awaitPage(driver, "the agent's refusal on the page before any call",
                    d -> d.findElement(By.id("agent-status")).isDisplayed());
            assertThat(driver.findElement(By.id("agent-status")).getText())
                    .contains("The agent refuses calls", "OPENAI_API_KEY was refused", "http_401");

            driver.findElement(By.id("call")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("detail")).getText())
                    .contains("agent_failed", "OPENAI_API_KEY was refused", "http_401");
            screenshot(driver, "demo-agent-refused.png");
            String callId = driver.findElement(By.id("call-id")).getText();
            assertThat(awaitRow(demo, callId, "ENDED").endReason()).isEqualTo("agent_failed");
        }
    }

    private static String attr(WebDriver d, String id, String attribute) {
        return d.findElement(By.id(id)).getDomAttribute(attribute);
    }

    private static double number(String s) {
        try {
            return s == null ? Double.NaN : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static void awaitPage(WebDriver driver, String what, Function<WebDriver, Boolean> done) {
        new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).withMessage(() -> what + "; page state: "
                + driver.findElement(By.id("state")).getText() + " / " + Optional.ofNullable(
                        driver.findElements(By.id("detail")).stream().findFirst().map(e -> e.getText()).orElse("")))
                .until(done::apply);
    }

    private static CallRecord awaitRow(DemoServer demo, String callId, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<CallRecord> row = Optional.empty();
        while (System.nanoTime() < deadline) {
            demo.server().callLog().awaitDrained(Duration.ofSeconds(2));
            row = demo.server().repository().findCall(callId);
            if (row.isPresent() && row.get().state().equals(state)) {
                return row.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("call " + callId + " never reached " + state + "; last row: " + row);
    }

    private static void screenshot(ChromeDriver driver, String name) throws Exception {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.write(target.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }
}
