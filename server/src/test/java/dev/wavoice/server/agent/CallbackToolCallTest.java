package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.media.dtls.DtlsRole;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.CallbackStore;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in {@code schedule_callback} tool ({@code WAVOICE_CALLBACK_TOOL=on}), through a whole call: a caller (Pion
 * as WhatsApp's edge) talks to an agent (a scripted Realtime server) that promises a call back in about a second; the
 * tool's output tells the agent when; after the caller hangs up, wavoice dials the caller back through Graph
 * {@code connect} with the origin in its callback data, and when the user picks up (Pion answering as the edge), the
 * call-back's agent session is told why it calls.
 */
@Timeout(90)
class CallbackToolCallTest {
    static final Duration T = Duration.ofSeconds(20);
    static final String CALLER = "15557654321";

    @TempDir
    Path dir;

    @Test
    void anAgentPromisesACallBackAndWavoiceMakesIt() throws Exception {
        PionPeer.binary();
        try (ScriptedRealtimeServer agent = new ScriptedRealtimeServer();
             TestServer t = new TestServer(dir.resolve("db"), null,
                     AgentConfig.defaults(agent.url(), Secret.of("sk-test-callback")).withTool(AgentTool.scheduleCallback()),
                     b -> b.agent(AgentKind.OPENAI));
             PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(TestAudio.toneFile(dir, 400, 100))
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.CALLBACK-ORIGIN";
            t.permits(CALLER);
            // The startup check opens (and closes) a session of its own first.
            await().atMost(T).until(() -> !List.of("unchecked", "checking")
                    .contains(t.server.agentHealth().status().state()));
            int first = agent.connections();
            caller.sendAnswer(t.ring(callId, "1764300001", caller.offer(T)).sdp());
            caller.awaitConnected(T);
            t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            await().atMost(T).until(() -> agent.connections() > first && !agent.received(first, "session.update").isEmpty());
            JsonNode declared = agent.received(first, "session.update").getFirst().path("session").path("tools");
            assertThat(declared.findValuesAsText("name")).contains("end_call", "schedule_callback");

            agent.send("""
                    {"type":"response.function_call_arguments.done","call_id":"call_cb1","name":"schedule_callback",
                     "arguments":"{\\"minutes\\":0.02,\\"reason\\":\\"the status of order 8812\\"}"}""");
            String output = await().atMost(T).until(() -> agent.received(first, "conversation.item.create").stream()
                    .map(e -> e.path("item")).filter(i -> "call_cb1".equals(i.path("call_id").asText()))
                    .map(i -> i.path("output").asText()).findFirst().orElse(null), o -> o != null);
            assertThat(output).contains("\"scheduled\":true", "due_at");
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .contains("callback.scheduled");

            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 4L));
            t.awaitCall(callId, c -> c.state().equals("ENDED"));

            FakeGraphApi.Request connect = await().atMost(T).until(() -> t.graph.requests(
                    r -> "connect".equals(r.action())).stream().findFirst().orElse(null), r -> r != null);
            assertThat(connect.body().path("to").asText()).isEqualTo(CALLER);
            assertThat(connect.body().path("biz_opaque_callback_data").asText()).isEqualTo("callback:" + callId);
            List<CallbackStore.Callback> promised = await().atMost(T).until(
                    () -> t.server.callbackStore().promisedOn(callId), l -> !l.isEmpty() && l.getFirst().state().equals("dialled"));
            CallbackStore.Callback callback = promised.getFirst();
            assertThat(callback.user()).isEqualTo(CALLER);
            assertThat(callback.reason()).isEqualTo("the status of order 8812");
            CallRecord placed = t.awaitCall(callback.placedCallId(), c -> c.state().equals("DIALLING"));
            assertThat(placed.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(placed.callbackData()).isEqualTo("callback:" + callId);

            // The user picks up: the call back's own agent session is told why it calls.
            try (PionPeer user = PionPeer.start(PionPeer.Options.edgeAnswerer(DtlsRole.CLIENT)
                    .withDuration(Duration.ofSeconds(20)))) {
                user.sendOffer(connect.sdp());
                t.postSigned(TestServer.answerWebhook(placed.waCallId(), "1764300009", user.answer(T)));
                user.awaitConnected(T);
                t.awaitCall(placed.callId(), c -> c.state().equals("CONNECTED"));
                await().atMost(T).until(() -> agent.connections() > first + 1);
                String instructions = await().atMost(T).until(() -> agent.received(first + 1, "session.update").stream()
                        .map(e -> e.path("session").path("instructions").asText()).findFirst().orElse(null),
                        s -> s != null);
                assertThat(instructions).contains("calling back", "the status of order 8812");
                t.postSigned(TestServer.terminateWebhook(placed.waCallId(), "COMPLETED", 2L));
                t.awaitCall(placed.callId(), c -> c.state().equals("ENDED"));
            }
        }
    }
}
