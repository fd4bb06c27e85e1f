package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Base64;

/**
 * Fuzzed messages from a Media Streams bot, in each stream format. Invariants: nothing throws; audio is never empty
 * and holds exactly the samples its base64 carries; a hang-up reason is one bounded line; a message naming another
 * stream is never acted on.
 */
class BotMessageFuzzTest {
    static final String SID = "MZ00000000000000000000000000000000";

    @FuzzTest
    void botMessagesParseOrAreDropped(FuzzedDataProvider data) throws Exception {
        StreamFormat format = data.pickValue(StreamFormat.values());
        String text = data.consumeRemainingAsString();
        BotMessage parsed = BotMessage.parse(text, SID, format, "hangup");
        switch (parsed) {
            case BotMessage.Media m -> {
                assertThat(m.pcm()).isNotEmpty();
                String payload = BotMessage.JSON.readTree(text).path("media").path("payload").asText();
                int bytes = Base64.getDecoder().decode(payload).length;
                assertThat(m.pcm()).hasSize(format == StreamFormat.MULAW_8K ? bytes : bytes / 2);
            }
            case BotMessage.HangUp h -> assertThat(h.reason()).doesNotContain("\n", "\r")
                    .hasSizeLessThanOrEqualTo(BotMessage.MAX_REASON + "the bot hung up: ".length());
            case BotMessage.Mark m -> assertThat(m.name()).isNotNull();
            case BotMessage.Clear c -> { }
            case BotMessage.Dropped d -> assertThat(d.why()).isNotNull();
        }
        if (!(parsed instanceof BotMessage.Dropped)) {
            var sid = BotMessage.JSON.readTree(text).get("streamSid");
            assertThat(sid == null || sid.isNull() || sid.asText().equals(SID)).as("only this stream's").isTrue();
        }
    }
}
