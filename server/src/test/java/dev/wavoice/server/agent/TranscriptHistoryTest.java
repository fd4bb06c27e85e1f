package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.agent.AgentEvent.Speaker;
import dev.wavoice.server.agent.AgentEvent.Transcript;
import org.junit.jupiter.api.Test;

class TranscriptHistoryTest {

    @Test
    void deltasBuildALineTheFinalTextReplaces() {
        TranscriptHistory h = new TranscriptHistory(1_000);
        h.add(new Transcript(Speaker.CALLER, "Hi", true, "c1"));
        h.add(new Transcript(Speaker.ASSISTANT, "Hel", false, "a1"));
        h.add(new Transcript(Speaker.ASSISTANT, "lo th", false, "a1"));
        assertThat(h.text()).isEqualTo("Caller: Hi\nAssistant: Hello th [cut off]\n");
        h.add(new Transcript(Speaker.ASSISTANT, "Hello there.", true, "a1"));
        assertThat(h.text()).isEqualTo("Caller: Hi\nAssistant: Hello there.\n");
        h.markInterrupted("a1");
        assertThat(h.text()).isEqualTo("Caller: Hi\nAssistant: Hello there. [cut off]\n");
    }

    @Test
    void theOldestLinesGoFirstAndTheTextStaysBounded() {
        TranscriptHistory h = new TranscriptHistory(200);
        for (int i = 0; i < 100; i++) {
            h.add(new Transcript(i % 2 == 0 ? Speaker.CALLER : Speaker.ASSISTANT, "line number " + i, true, "i" + i));
        }
        String text = h.text();
        assertThat(text.length()).isLessThanOrEqualTo(200);
        assertThat(text).endsWith("Assistant: line number 99\n").doesNotContain("line number 90\n");
        h.add(new Transcript(Speaker.CALLER, "x".repeat(5_000), true, "big"));
        assertThat(h.text()).hasSizeLessThanOrEqualTo(200).startsWith("Caller: xxx");
    }

    @Test
    void zeroCharsKeepsNothing() {
        TranscriptHistory h = new TranscriptHistory(0);
        h.add(new Transcript(Speaker.CALLER, "Hi", true, "c1"));
        assertThat(h.text()).isEmpty();
    }
}
