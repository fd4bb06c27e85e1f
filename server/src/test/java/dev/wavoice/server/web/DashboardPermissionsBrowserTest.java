package dev.wavoice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.ChromiumBrowser;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.TestServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's call permission table in headless Chromium: a user who granted permanently by replying, and one
 * whose Meta check says temporary with the start_call allowance used up, each shown as the page's script renders
 * {@code /api/permissions}.
 */
@Timeout(90)
class DashboardPermissionsBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PHONE_NUMBER_ID = "110000000000001";

    @TempDir
    Path dir;

    @Test
    void thePermissionTableShowsEachUsersStandingAndMetasAllowance() throws Exception {
        try (TestServer t = new TestServer(dir, new CallMedia.Unavailable("no media here"), b -> b);
                ChromiumBrowser chrome = ChromiumBrowser.start()) {
            ObjectNode reply = (ObjectNode) JSON.readTree(fixture("reply-accept-permanent.json"));
            ((ObjectNode) reply.path("entry").path(0).path("changes").path(0).path("value").path("messages").path(0))
                    .put("timestamp", Long.toString(Instant.now().getEpochSecond()));
            assertThat(t.postSigned(JSON.writeValueAsString(reply)).statusCode()).isEqualTo(200);
            ObjectNode check = (ObjectNode) JSON.readTree(fixture("check-call-limit-exhausted.json"));
            ((ObjectNode) check.path("permission")).put("expiration_time",
                    Instant.now().plus(Duration.ofDays(3)).getEpochSecond());
            t.graph.permissionAnswer("15550009999", Reply.status(200, check.toString()));
            t.server.permissions().check(PHONE_NUMBER_ID, "15550009999");

            ChromeDriver driver = chrome.openPage(t.uri("/dashboard").toString());
            By permanent = By.cssSelector("#permissions tr[data-status='permanent']");
            By temporary = By.cssSelector("#permissions tr[data-status='temporary']");
            new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> !d.findElements(permanent).isEmpty()
                    && !d.findElements(temporary).isEmpty());

            // The table is redrawn as the dashboard refreshes: read each row afresh until it reads whole.
            assertThat(rowText(driver, permanent)).contains("+15557654321", "no expiry", "open", "webhook_reply");
            assertThat(rowText(driver, temporary)).contains("+15550009999", "5 / 5", "closed", "graph_check");
            assertThat(driver.findElement(By.id("permissions-empty")).isDisplayed()).isFalse();
        }
    }

    private static String rowText(ChromeDriver driver, By row) {
        return new WebDriverWait(driver, Duration.ofSeconds(10))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(row).getText());
    }

    private static String fixture(String name) throws Exception {
        try (InputStream in = DashboardPermissionsBrowserTest.class.getResourceAsStream("/whatsapp/permissions/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
