package dev.wavoice.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * An ICE candidate line as the peer wrote it (in the offer, or trickled): it parses to a candidate that formats and
 * parses back to itself, or fails with {@link SdpParseException}.
 */
class CandidateFuzzTest {

    @FuzzTest
    void parseFormatParse(byte[] input) throws SdpParseException {
        Candidate candidate;
        try {
            candidate = Candidate.parse(new String(input, StandardCharsets.UTF_8));
        } catch (SdpParseException expected) {
            return;
        }
        assertThat(candidate.priority()).isBetween(0L, 0xFFFFFFFFL);
        assertThat(candidate.port()).isBetween(0, 65535);
        assertThat(Candidate.parse(candidate.format())).isEqualTo(candidate);
        assertThat(Candidate.parse(candidate.toAttribute().value())).isEqualTo(candidate);
    }
}
