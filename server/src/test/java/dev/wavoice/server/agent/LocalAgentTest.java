package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.server.config.Secret;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connector, unchanged, against the built-in local agent: a parrot line test heard by frequency. */
class LocalAgentTest {
    private static final int RATE = 24_000;
    private static final int CHIME = RATE / 4;

    private LocalAgentServer server;
    private RealtimeConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() {
        server = LocalAgentServer.start(0);
        connector = new RealtimeConnector(AgentConfig.defaults(server.url(), Secret.none()));
    }

    @AfterEach
    void stop() {
        connector.close();
        server.close();
    }

    private AgentSession open() throws Exception {
        return connector.open("call-local", listener).get(5, TimeUnit.SECONDS);
    }

    /** Appends in 20 ms frames, a little faster than real time: the agent's VAD runs on the audio's own clock. */
    private static void speak(AgentSession session, double hz, int millis) throws InterruptedException {
        SineGenerator tone = hz > 0 ? new SineGenerator(hz, RATE, 0.3) : null;
        short[] frame = new short[480];
        for (int t = 0; t < millis; t += 20) {
            if (tone != null) {
                tone.fill(frame, 0, frame.length);
            }
            session.appendAudio(frame, 0, frame.length);
            Thread.sleep(5);
        }
    }

    @Test
    void theCallerHearsAChimeThenTheirOwnWords() throws Exception {
        try (AgentSession session = open()) {
            speak(session, 440, 1_500);
            speak(session, 0, 1_000);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> listener.of(AgentEvent.Usage.class).size() == 1);

            String callerItem = listener.of(AgentEvent.SpeechStarted.class).getFirst().itemId();
            assertThat(listener.of(AgentEvent.SpeechStarted.class)).hasSize(1);
            assertThat(listener.of(AgentEvent.SpeechStopped.class)).containsExactly(new AgentEvent.SpeechStopped(callerItem));

            String replyItem = listener.of(AgentEvent.AudioDelta.class).getFirst().itemId();
            short[] reply = listener.audio(replyItem);
            assertThat(reply.length).isCloseTo(CHIME + 36_000, within(2 * 480));
            assertThat(Tones.dominantFrequency(reply, 0, CHIME, RATE)).isCloseTo(1_320, within(15.0));
            assertThat(Tones.dominantFrequency(reply, CHIME, reply.length - CHIME, RATE)).isCloseTo(440, within(5.0));

            assertThat(listener.of(AgentEvent.Transcript.class)).containsExactly(
                    new AgentEvent.Transcript(AgentEvent.Speaker.CALLER,
                            "[local agent: no speech recognition] 1.5 s of caller audio", true, callerItem),
                    new AgentEvent.Transcript(AgentEvent.Speaker.ASSISTANT,
                            "[local agent] 1.5 s of caller audio", true, replyItem));
            assertThat(listener.of(AgentEvent.Usage.class)).containsExactly(new AgentEvent.Usage(0, 0, 0, 0));
            assertThat(listener.of(AgentEvent.Error.class)).isEmpty();
        }
    }

    @Test
    void speakingOverTheReplyStopsIt() throws Exception {
        try (AgentSession session = open()) {
            speak(session, 440, 1_500);
            speak(session, 0, 600);
            await().until(() -> !listener.of(AgentEvent.AudioDelta.class).isEmpty());
            String replyItem = listener.of(AgentEvent.AudioDelta.class).getFirst().itemId();

            speak(session, 600, 100); // barge-in
            await().until(() -> listener.of(AgentEvent.SpeechStarted.class).size() == 2);
            session.truncate(replyItem, 100);
            await().until(() -> listener.of(AgentEvent.Usage.class).size() == 1);
            Thread.sleep(300); // nothing more of the reply may follow

            assertThat(listener.audio(replyItem).length).isLessThan(CHIME + 36_000 - 10 * 2_400);
            assertThat(listener.of(AgentEvent.Transcript.class))
                    .noneMatch(t -> t.speaker() == AgentEvent.Speaker.ASSISTANT);
        }
    }

    @Test
    void aGreetingIsAShortChime() throws Exception {
        try (AgentSession session = open()) {
            session.greet();
            await().until(() -> listener.of(AgentEvent.Usage.class).size() == 1);
            String item = listener.of(AgentEvent.AudioDelta.class).getFirst().itemId();
            assertThat(listener.audio(item)).hasSize(RATE * 3 / 10);
            assertThat(listener.of(AgentEvent.Transcript.class)).containsExactly(new AgentEvent.Transcript(
                    AgentEvent.Speaker.ASSISTANT, "[local agent] greeting chime", true, item));
        }
    }
}
