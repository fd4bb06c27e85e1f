package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.call.MediaException;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wavoice call} against a running server: the request it sends ({@code POST /api/calls} with the admin token),
 * what it prints, its exit code, and {@code --wait} following the call to its end.
 */
class CallCommandTest {
    static final String ADMIN = "admin-call-cli";

    @TempDir
    Path dir;

    /** Media that offers a fixed SDP and never connects: the command's part ends at Graph. */
    static final class OfferOnly implements CallMedia {
        @Override
        public MediaSession answer(String callId, String offerSdp) throws MediaException {
            throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "no inbound calls here");
        }

        @Override
        public OutboundSession offer(String callId) {
            return new OutboundSession() {
                @Override
                public String offerSdp() {
                    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
                }

                @Override
                public void applyAnswer(String answerSdp) {
                }

                @Override
                public boolean answered() {
                    return false;
                }

                @Override
                public CompletableFuture<Void> connected() {
                    return new CompletableFuture<>();
                }

                @Override
                public CompletableFuture<MediaEnd> ended() {
                    return new CompletableFuture<>();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void placesACallWithTheAdminTokenAndFollowsItToItsEnd() throws Exception {
        try (TestServer t = new TestServer(dir, new OfferOnly(), b -> b.adminToken(ADMIN).phoneNumberId("110000000000001"));
             ExecutorService hangUp = Executors.newVirtualThreadPerTaskExecutor()) {
            t.permits("15557654321");
            String url = "http://127.0.0.1:" + t.server.httpPort();
            // The user declines as soon as the call is placed; --wait prints each state until the row ends.
            hangUp.submit(() -> {
                FakeGraphApi.Request connect = org.awaitility.Awaitility.await().until(() -> t.graph.requests(
                        r -> "connect".equals(r.action())).stream().findFirst().orElse(null), r -> r != null);
                Thread.sleep(300);
                return t.postSigned(TestServer.statusWebhook("wacid.FAKE-1", "REJECTED", "1764400001"));
            });
            Run run = run("call", "--to", "+15557654321", "--url", url, "--admin-token", ADMIN, "--first-message",
                    "Hello from the clinic", "--callback-data", "cli-1", "--wait");
            String[] lines = run.out().strip().split("\\R");
            JsonNode placed = new ObjectMapper().readTree(lines[0]);
            assertThat(placed.path("wa_call_id").asText()).isEqualTo("wacid.FAKE-1");
            assertThat(run.out()).contains("ENDED rejected_remote");
            assertThat(run.code()).as("the user declined: not a call that happened").isEqualTo(1);
            FakeGraphApi.Request connect = t.graph.requests(r -> "connect".equals(r.action())).getFirst();
            assertThat(connect.body().path("to").asText()).isEqualTo("15557654321");
            assertThat(connect.body().path("biz_opaque_callback_data").asText()).isEqualTo("cli-1");
        }
    }

    @Test
    void aRefusalIsPrintedWithItsReasonAndExitsNonZero() throws Exception {
        try (TestServer t = new TestServer(dir, new OfferOnly(), b -> b.adminToken(ADMIN).phoneNumberId("110000000000001"))) {
            String url = "http://127.0.0.1:" + t.server.httpPort();
            Run noToken = run("call", "--to", "15557654321", "--url", url, "--admin-token", "");
            assertThat(noToken.code()).isEqualTo(1);
            assertThat(noToken.err()).contains("HTTP 401");
            Run noPermission = run("call", "--to", "15557654321", "--url", url, "--admin-token", ADMIN);
            assertThat(noPermission.code()).isEqualTo(1);
            assertThat(noPermission.out()).contains("no call permission");
            assertThat(noPermission.err()).contains("HTTP 403");
        }
    }
}
