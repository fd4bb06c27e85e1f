package dev.wavoice.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wavoice.media.interop.ChromiumBrowser;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium as the caller of {@code wavoice demo}: the page's Call button, the browser's offer wrapped by
 * the simulated Meta into a signed connect webhook, the answer from {@code pre_accept}, ICE+DTLS to the media
 * port, the tone from Chromium's fake microphone coming back and measured by the page's analyser, the dashboard
 * listing the call, hang-up as a terminate webhook, and the call row in the database. Screenshots of the page
 * and of the dashboard go to {@code target/}.
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
        // The caller speaks for a second, then pauses: an agent that takes turns hears each utterance end.
        Path wav = new BurstWav(TONE_HZ, Duration.ofMillis(1200), Duration.ofMillis(1300), 0.5)
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
        WavoiceConfig config = WavoiceConfig.builder()
                .httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0)
                .dbUrl("jdbc:h2:file:" + dir.resolve(db))
                .agent(agent)
                .build();
        DemoServer demo = DemoServer.start(config, AgentConfig.fromEnvironment(Map.of()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!demo.server().callLog().isMigrated() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return demo;
    }

    @Test
    void theBrowserCallsTheEchoAgentHearsItsToneAndTheCallIsLogged() throws Exception {
        try (DemoServer demo = startDemo(AgentKind.ECHO, "echo")) {
            ChromeDriver driver = chrome.openPage(demo.pageUrl() + "?processing=off");
            String pageWindow = driver.getWindowHandle();
            driver.findElement(By.id("call")).click();

            awaitPage(driver, "the page to report the call connected", d -> "connected".equals(attr(d, "state", "data-state")));
            String callId = driver.findElement(By.id("call-id")).getText();
            assertThat(callId).startsWith("wacid.demo-");
            CallRecord live = awaitRow(demo, callId, "CONNECTED");
            assertThat(live.agent()).isEqualTo("echo");
            assertThat(live.callerName()).isEqualTo(DemoWebhooks.CALLER_NAME);

            // The page measures what it receives: its own tone, echoed by wavoice.
            awaitPage(driver, "the echoed tone in the page", d -> Math.abs(number(attr(d, "remote-tone", "data-hz")) - TONE_HZ) < 0.02 * TONE_HZ);
            assertThat(number(attr(driver, "remote-tone", "data-hz"))).isCloseTo(TONE_HZ, within(0.02 * TONE_HZ));
            assertThat(number(attr(driver, "remote-tone", "data-db"))).isGreaterThan(-60);
            assertThat(driver.findElement(By.id("events")).getText()).contains("graph.pre_accept", "graph.accept");
            screenshot(driver, "demo-page.png");

            // The dashboard lists the live call, with the media figures, and after it the history.
            chrome.openPage(demo.pageUrl() + "dashboard");
            String dashboardWindow = driver.getWindowHandle();
            awaitPage(driver, "the live call on the dashboard",
                    d -> !d.findElements(By.cssSelector("#live tr[data-call-id='" + callId + "']")).isEmpty());
            assertThat(driver.findElement(By.id("live")).getText()).contains("CONNECTED", "echo", DemoWebhooks.CALLER_NAME);

            driver.switchTo().window(pageWindow);
            Thread.sleep(1500); // a little talk time
            driver.findElement(By.id("hangup")).click();
            awaitPage(driver, "the page to show the call ended", d -> "ended".equals(attr(d, "state", "data-state")));
            assertThat(driver.findElement(By.id("detail")).getText()).contains("caller_hangup");

            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(ended.durationMs()).isGreaterThanOrEqualTo(1000L);
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("webhook.connect", "media.answered", "graph.pre_accept", "media.connected",
                            "graph.accept", "webhook.terminate", "call.ended");

            driver.switchTo().window(dashboardWindow);
            By historyRow = By.cssSelector("#history tr[data-call-id='" + callId + "'][data-state='ENDED']");
            awaitPage(driver, "the ended call in the dashboard's history", d -> !d.findElements(historyRow).isEmpty());
            assertThat(driver.findElements(By.cssSelector("#live tr[data-call-id]"))).isEmpty();
            driver.findElement(historyRow).click();
            awaitPage(driver, "the call's events on the dashboard", d -> d.findElement(By.id("details-events")).getText().contains("call.ended"));
            assertThat(driver.findElement(By.id("total-calls")).getText()).isEqualTo("1");
            screenshot(driver, "demo-dashboard.png");
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
