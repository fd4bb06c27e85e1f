package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header packets, field by field against RFC 7845 sections 5.1 and 5.2. */
class OpusHeadersTest {

    @Test
    void identificationHeaderDescribesTwoUncoupledMonoStreams() {
        byte[] h = OpusHeaders.identification();
        assertThat(new String(h, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("OpusHead");
        assertThat(h).hasSize(21 + 2);
        assertThat(h[8]).isEqualTo((byte) 1);                          // version
        assertThat(h[9]).isEqualTo((byte) 2);                          // channels
        assertThat((h[10] & 0xFF) | (h[11] & 0xFF) << 8).isEqualTo(312); // pre-skip
        assertThat(OggPages.le32(h, 12)).isEqualTo(48_000);            // input sample rate
        assertThat(h[16]).isZero();                                    // output gain
        assertThat(h[17]).isZero();
        assertThat(h[18]).isEqualTo((byte) 1);                         // mapping family
        assertThat(h[19]).isEqualTo((byte) 2);                         // streams
        assertThat(h[20]).isEqualTo((byte) 0);                         // coupled
        assertThat(new byte[] {h[21], h[22]}).containsExactly(0, 1);  // caller, agent
    }

    @Test
    void commentHeaderCarriesTheVendorAndTheComments() {
        byte[] t = OpusHeaders.comments(List.of("WAVOICE_CALL_ID=wacid.123", "TITLE=é"));
        assertThat(new String(t, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("OpusTags");
        int at = 8;
        int vendorLength = OggPages.le32(t, at);
        assertThat(new String(t, at + 4, vendorLength, StandardCharsets.UTF_8)).isEqualTo("wavoice");
        at += 4 + vendorLength;
        assertThat(OggPages.le32(t, at)).isEqualTo(2);
        at += 4;
        int first = OggPages.le32(t, at);
        assertThat(new String(t, at + 4, first, StandardCharsets.UTF_8)).isEqualTo("WAVOICE_CALL_ID=wacid.123");
        at += 4 + first;
        int second = OggPages.le32(t, at);
        assertThat(second).isEqualTo(8); // "TITLE=" plus two bytes of UTF-8
        assertThat(at + 4 + second).isEqualTo(t.length);
    }

    @Test
    void aCommentWithoutANameIsRefused() {
        assertThatThrownBy(() -> OpusHeaders.comments(List.of("=x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpusHeaders.comments(List.of("novalue"))).isInstanceOf(IllegalArgumentException.class);
    }
}
