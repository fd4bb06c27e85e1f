package dev.wavoice.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SdpParserTest {

    @Test
    void parsesTheWhatsAppOffer() throws Exception {
        SessionDescription sd = SessionDescription.parse(SdpFixtures.whatsAppOffer());

        assertThat(sd.origin().sessionId()).isEqualTo("4611731400430051336");
        assertThat(sd.hasAttribute("ice-lite")).isTrue();
        assertThat(sd.attribute("group")).isEqualTo("BUNDLE audio");
        assertThat(sd.attribute("msid-semantic")).isEqualTo(" WMS 0d7c2f1e-5b7a-4e39-9d59-3f0c6a1b2c44");
        assertThat(sd.media()).hasSize(1);
        MediaDescription audio = sd.media().getFirst();
        assertThat(audio.media()).isEqualTo("audio");
        assertThat(audio.port()).isEqualTo(40012);
        assertThat(audio.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(audio.formats()).containsExactly("111", "126");
        assertThat(audio.connection()).isEqualTo("IN IP4 203.0.113.60");
        assertThat(audio.attribute("ice-ufrag")).isEqualTo("Qm7rT2xKp9Lw/4");
        assertThat(audio.attribute("rtcp-mux")).isEmpty();
        assertThat(audio.attributes("rtpmap")).containsExactly("111 opus/48000/2", "126 telephone-event/8000");
        assertThat(audio.attributes().getFirst()).isEqualTo(Attribute.of("rtcp", "9 IN IP4 0.0.0.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"whatsapp", "chromium-offer.sdp", "chromium-156-offer.sdp", "chromium-156-answer.sdp", "pion-offer.sdp"})
    void roundTripsParseWriteParse(String name) throws Exception {
        String text = name.equals("whatsapp") ? SdpFixtures.whatsAppOffer() : SdpFixtures.resource(name);
        SessionDescription first = SessionDescription.parse(text);

        String written = first.write();
        SessionDescription second = SessionDescription.parse(written);

        assertThat(second).isEqualTo(first);
        assertThat(written).isEqualTo(text.replace("\r\n", "\n").replace("\n", "\r\n"));
    }

    @Test
    void acceptsCrlfLfMixedAndBlankLines() throws Exception {
        String lf = SdpFixtures.resource("pion-offer.sdp");
        String mixed = lf.replaceFirst("\ns=-\n", "\r\ns=-\r\n\n\n") + "\n\n";

        assertThat(SessionDescription.parse(mixed)).isEqualTo(SessionDescription.parse(lf));
    }

    @Test
    void keepsUnknownAttributesAndLinesInOrder() throws Exception {
        SessionDescription sd = SessionDescription.parse("""
                v=0
                o=- 1 1 IN IP4 0.0.0.0
                s=-
                b=AS:64
                t=0 0
                a=x-vendor-thing:42
                a=another-flag
                m=audio 9 UDP/TLS/RTP/SAVPF 111
                i=voice
                a=x-first
                a=rtpmap:111 opus/48000/2
                a=x-last:z
                """);

        assertThat(sd.fields()).containsExactly(new SdpField('b', "AS:64"), new SdpField('t', "0 0"));
        assertThat(sd.attributes()).containsExactly(Attribute.of("x-vendor-thing", "42"), Attribute.flag("another-flag"));
        assertThat(sd.media().getFirst().fields()).containsExactly(new SdpField('i', "voice"));
        assertThat(sd.media().getFirst().attributes()).extracting(Attribute::name)
                .containsExactly("x-first", "rtpmap", "x-last");
    }

    @Test
    void malformedMediaLineNamesTheLine() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n";
        assertThatThrownBy(() -> SessionDescription.parse(sdp))
                .isInstanceOfSatisfying(SdpParseException.class, e -> {
                    assertThat(e.lineNumber()).isEqualTo(5);
                    assertThat(e.line()).isEqualTo("m=audio nine UDP/TLS/RTP/SAVPF 111");
                    assertThat(e.getMessage()).contains("line 5").contains("port");
                });
    }

    @Test
    void lineWithoutEqualsNamesTheLine() {
        String sdp = SdpFixtures.whatsAppOffer().replace("a=rtcp-mux", "rtcp-mux");
        assertThatThrownBy(() -> SessionDescription.parse(sdp))
                .isInstanceOfSatisfying(SdpParseException.class, e -> {
                    assertThat(e.lineNumber()).isEqualTo(19);
                    assertThat(e.line()).isEqualTo("rtcp-mux");
                });
    }

    @Test
    void rejectsOtherMalformedShapes() {
        assertLine("", 1);
        assertLine("o=- 1 1 IN IP4 0.0.0.0\n", 1);                        // no v=
        assertLine("v=1\no=- 1 1 IN IP4 0.0.0.0\n", 1);                   // wrong version
        assertLine("v=0\no=- 1 1 IN IP4\n", 2);                           // short origin
        assertLine("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9 RTP/AVP\n", 4); // no formats
        assertLine("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 70000 RTP/AVP 0\n", 4);
        assertLine("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\na=:x\n", 4);         // empty attribute name
        assertLine("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4\n", 4);
        assertLine("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nX=y\n", 4);          // upper-case type
        assertLine("v=0\ns=-\nt=0 0\n", 4);                               // missing o=
    }

    private static void assertLine(String sdp, int line) {
        assertThatThrownBy(() -> SessionDescription.parse(sdp))
                .isInstanceOf(SdpParseException.class)
                .extracting(e -> ((SdpParseException) e).lineNumber()).isEqualTo(line);
    }
}
