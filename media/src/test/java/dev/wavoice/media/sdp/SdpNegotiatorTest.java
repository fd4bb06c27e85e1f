package dev.wavoice.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.media.dtls.DtlsFingerprint;
import dev.wavoice.media.dtls.DtlsRole;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

public class SdpNegotiatorTest {
    static final DtlsFingerprint OUR_FINGERPRINT = new DtlsFingerprint("sha-256", HexFormat.of().parseHex(
            "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"));

    public static LocalMediaParameters local(String ufrag) {
        return new LocalMediaParameters(ufrag, "abcdefghijklmnopqrstuvwx", OUR_FINGERPRINT, List.of(
                Candidate.of("1", 1, 2130706431L, "198.51.100.20", 3478, Candidate.HOST),
                Candidate.of("2", 1, 2130706175L, "10.0.0.5", 3478, Candidate.HOST)),
                DtlsRole.CLIENT, 3735928559L, "wavoice-cname", 42L);
    }

    @Test
    void answersTheWhatsAppOfferTheWayWhatsAppRequires() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpFixtures.whatsAppOffer());

        SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, local("ourU"));
        SessionDescription sdp = SessionDescription.parse(answer.sdp().write());
        MediaDescription audio = sdp.media().getFirst();

        assertThat(sdp.hasAttribute("ice-lite")).isFalse();
        assertThat(audio.hasAttribute("ice-lite")).isFalse();
        assertThat(sdp.attribute("group")).isEqualTo("BUNDLE audio");
        assertThat(audio.attribute("mid")).isEqualTo("audio");
        assertThat(audio.attribute("setup")).isEqualTo("active");
        assertThat(audio.attributes("fingerprint")).containsExactly(OUR_FINGERPRINT.toSdp());
        assertThat(audio.attribute("fingerprint")).startsWith("sha-256 00:11:22");
        assertThat(audio.attribute("ice-ufrag")).isEqualTo("ourU");
        assertThat(audio.attribute("ice-pwd")).isEqualTo("abcdefghijklmnopqrstuvwx");
        assertThat(audio.attributes("candidate")).containsExactly(
                "1 1 udp 2130706431 198.51.100.20 3478 typ host", "2 1 udp 2130706175 10.0.0.5 3478 typ host");
        assertThat(audio.port()).isEqualTo(3478);
        assertThat(audio.connection()).isEqualTo("IN IP4 198.51.100.20");
        assertThat(audio.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(audio.formats()).containsExactly("111", "126");
        assertThat(audio.attributes("rtpmap")).containsExactly("111 opus/48000/2", "126 telephone-event/8000");
        assertThat(audio.attributes("fmtp")).containsExactly("111 minptime=10;useinbandfec=1");
        assertThat(audio.hasAttribute("rtcp-mux")).isTrue();
        assertThat(audio.hasAttribute("sendrecv")).isTrue();
        assertThat(audio.attributes("extmap")).containsExactly("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
        assertThat(audio.attributes("ssrc")).containsExactly("3735928559 cname:wavoice-cname");
        assertThat(audio.hasAttribute("rtcp-fb")).isFalse(); // we do not do transport-cc, so we do not claim it
        assertThat(answer.sdp().write()).doesNotContain("\n\n").endsWith("\r\n");
    }

    @Test
    void negotiatedValuesFromTheWhatsAppOffer() throws Exception {
        NegotiatedAudio n = SdpNegotiator.answer(SessionDescription.parse(SdpFixtures.whatsAppOffer()),
                local("ourU")).negotiated();

        assertThat(n.mid()).isEqualTo("audio");
        assertThat(n.remoteUfrag()).isEqualTo("Qm7rT2xKp9Lw/4");
        assertThat(n.remotePwd()).isEqualTo("bR4vN8qZ1yXc6tHj2kLm9pSd3fGw7eAu");
        assertThat(n.remoteIceLite()).isTrue();
        assertThat(n.localDtlsRole()).isEqualTo(DtlsRole.CLIENT);
        assertThat(n.remoteFingerprint().algorithm()).isEqualTo("sha-256");
        assertThat(n.remoteFingerprint().toSdp()).endsWith("9E:70:BD:04");
        assertThat(n.remoteCandidates()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("203.0.113.60");
            assertThat(c.port()).isEqualTo(40012);
        });
        assertThat(n.opusPayloadType()).isEqualTo(111);
        assertThat(n.telephoneEventPayloadType()).hasValue(126);
        assertThat(n.audioLevelExtensionId()).hasValue(1);
        assertThat(n.localDirection()).isEqualTo(Direction.SENDRECV);
        assertThat(n.remoteSsrc()).hasValue(4208138518L);
    }

    @Test
    void answersChromiumKeepingItsPayloadTypesAndPreferringTheOpusClockForEvents() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpFixtures.resource("chromium-offer.sdp"));

        SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, local("ourU"));
        MediaDescription audio = answer.sdp().media().getFirst();

        assertThat(audio.formats()).containsExactly("111", "110");
        assertThat(audio.attribute("mid")).isEqualTo("0");
        assertThat(answer.sdp().attribute("group")).isEqualTo("BUNDLE 0");
        assertThat(answer.negotiated().remoteIceLite()).isFalse();
        assertThat(answer.negotiated().remoteCandidates()).extracting(Candidate::type)
                .containsExactly("host", "srflx"); // the TCP candidate is left out
        assertThat(answer.negotiated().telephoneEvent()).get()
                .extracting(PayloadFormat::clockRate).isEqualTo(48000);
    }

    /** Captured from headless Chromium 156 on this machine, which accepted our answer and reached ICE connected. */
    @Test
    void answersARealChromium156Offer() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpFixtures.resource("chromium-156-offer.sdp"));

        SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, local("ourU"));

        assertThat(answer.negotiated().remoteUfrag()).isEqualTo("DVc9");
        assertThat(answer.negotiated().remotePwd()).isEqualTo("+JlrYw76ZfeMf7ZGNA0NoIox");
        assertThat(answer.negotiated().remoteCandidates()).extracting(Candidate::address)
                .containsExactly("192.0.2.2", "fd00::2");
        assertThat(answer.sdp().media().getFirst().formats()).containsExactly("111", "110");
        assertThat(answer.sdp().media().getFirst().attribute("setup")).isEqualTo("active");
    }

    /** Chromium 156's real answer to an offer of ours: it took DTLS client and, without a track, recvonly. */
    @Test
    void appliesARealChromium156Answer() throws Exception {
        SessionDescription ourOffer = SdpNegotiator.createOffer(local("offr"));

        NegotiatedAudio n = SdpNegotiator.applyAnswer(ourOffer,
                SessionDescription.parse(SdpFixtures.resource("chromium-156-answer.sdp")));

        assertThat(n.localDtlsRole()).isEqualTo(DtlsRole.SERVER);
        assertThat(n.localDirection()).isEqualTo(Direction.SENDONLY);
        assertThat(n.remoteUfrag()).isEqualTo("UFGz");
        assertThat(n.opusPayloadType()).isEqualTo(111);
        assertThat(n.telephoneEventPayloadType()).hasValue(126);
        assertThat(n.audioLevelExtensionId()).hasValue(1);
        assertThat(n.remoteIceLite()).isFalse();
        assertThat(n.remoteSsrc()).isEmpty();
    }

    @Test
    void answersPionIceLiteWithSessionLevelFingerprintAndNoTelephoneEvent() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpFixtures.resource("pion-offer.sdp"));

        SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, local("ourU"));

        assertThat(answer.negotiated().remoteIceLite()).isTrue();
        assertThat(answer.negotiated().remoteFingerprint().toSdp()).startsWith("sha-256 C4:0E");
        assertThat(answer.negotiated().remoteCandidates()).hasSize(1); // component 2 is not used with rtcp-mux
        assertThat(answer.negotiated().telephoneEvent()).isEmpty();
        assertThat(answer.negotiated().audioLevelExtensionId()).isEmpty();
        assertThat(answer.sdp().media().getFirst().formats()).containsExactly("111");
        assertThat(answer.sdp().media().getFirst().hasAttribute("extmap")).isFalse();
        assertThat(answer.sdp().media().getFirst().attribute("setup")).isEqualTo("active");
    }

    @Test
    void setupRoleFollowsTheOffer() throws Exception {
        String wa = SdpFixtures.whatsAppOffer().replace("\r\n", "\n");
        assertThat(role(wa.replace("setup:actpass", "setup:active"))).isEqualTo("passive");
        assertThat(role(wa.replace("setup:actpass", "setup:passive"))).isEqualTo("active");
        assertThat(role(wa.replace("a=setup:actpass\n", ""))).isEqualTo("active");
        assertThatThrownBy(() -> role(wa.replace("setup:actpass", "setup:holdconn")))
                .extracting(e -> ((SdpNegotiationException) e).reason())
                .isEqualTo(SdpNegotiationException.Reason.INVALID_SETUP);
    }

    @Test
    void acceptsAnOnlySha1FingerprintAndRemembersTheAlgorithm() throws Exception {
        String sha1 = SdpFixtures.whatsAppOffer().replace("\r\n", "\n").replaceAll("a=fingerprint:.*",
                "a=fingerprint:SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
        NegotiatedAudio n = SdpNegotiator.answer(SessionDescription.parse(sha1), local("ourU")).negotiated();
        assertThat(n.remoteFingerprint().algorithm()).isEqualTo("sha-1");
        assertThat(n.remoteFingerprint().toSdp())
                .isEqualTo("sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB");
    }

    @Test
    void fingerprintsWithAHashWeCannotComputeAreSkippedAndNeverChosen() throws Exception {
        String wa = SdpFixtures.whatsAppOffer().replace("\r\n", "\n");
        String md5 = "a=fingerprint:md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B\n";
        NegotiatedAudio n = SdpNegotiator.answer(SessionDescription.parse(
                wa.replaceFirst("a=fingerprint:", md5 + "a=fingerprint:")), local("ourU")).negotiated();
        assertThat(n.remoteFingerprint().algorithm()).isEqualTo("sha-256");
        assertReason(wa.replaceAll("a=fingerprint:.*\n", md5), SdpNegotiationException.Reason.MISSING_FINGERPRINT);
    }

    @Test
    void malformedFingerprintValuesNameTheProblem() {
        assertThatThrownBy(() -> AudioSection.parseFingerprint("sha-256"))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("<hash-func> <hex:hex:...>");
        assertThatThrownBy(() -> AudioSection.parseFingerprint("sha-256 AB:CD"))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> AudioSection.parseFingerprint("sha-256 00112233445566778899AABBCCDDEEFF"))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("colon-separated hex");
    }

    @Test
    void rejectsOffersWeCannotServeWithNamedReasons() {
        String wa = SdpFixtures.whatsAppOffer().replace("\r\n", "\n");
        assertReason(wa.replace("m=audio", "m=video"), SdpNegotiationException.Reason.NO_AUDIO);
        assertReason(wa.replace("opus/48000/2", "ISAC/16000"), SdpNegotiationException.Reason.NO_OPUS);
        assertReason(wa.replaceAll("a=ice-ufrag:.*\n", ""), SdpNegotiationException.Reason.MISSING_ICE_CREDENTIALS);
        assertReason(wa.replaceAll("a=ice-pwd:.*\n", ""), SdpNegotiationException.Reason.MISSING_ICE_CREDENTIALS);
        assertReason(wa.replaceAll("a=fingerprint:.*\n", ""), SdpNegotiationException.Reason.MISSING_FINGERPRINT);
        assertReason(wa.replaceAll("a=fingerprint:.*\n", "a=fingerprint:sha-256 zz\n"),
                SdpNegotiationException.Reason.MALFORMED_ATTRIBUTE);
        assertReason(wa.replace("a=rtcp-mux\n", ""), SdpNegotiationException.Reason.RTCP_MUX_REQUIRED);
        assertReason(wa.replace("UDP/TLS/RTP/SAVPF", "RTP/AVP"), SdpNegotiationException.Reason.UNSUPPORTED_PROTOCOL);
        assertReason(wa.replace("UDP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVPF"), SdpNegotiationException.Reason.UNSUPPORTED_PROTOCOL);
        assertReason(wa.replace("udp 2113937151", "udp high"), SdpNegotiationException.Reason.MALFORMED_ATTRIBUTE);
    }

    @Test
    void bundleIsFoundAmongSeveralGroupsAndLeftOutWhenNotOffered() throws Exception {
        String wa = SdpFixtures.whatsAppOffer().replace("\r\n", "\n");
        String twoGroups = wa.replace("a=group:BUNDLE audio\n", "a=group:LS audio\na=group:BUNDLE audio\n");
        String noBundle = wa.replace("a=group:BUNDLE audio\n", "");

        assertThat(SdpNegotiator.answer(SessionDescription.parse(twoGroups), local("ourU")).sdp().attributes("group"))
                .containsExactly("BUNDLE audio");
        assertThat(SdpNegotiator.answer(SessionDescription.parse(noBundle), local("ourU")).sdp().hasAttribute("group"))
                .isFalse();
    }

    @Test
    void answerToSendonlyIsRecvonly() throws Exception {
        String wa = SdpFixtures.whatsAppOffer().replace("a=sendrecv", "a=sendonly");
        SdpNegotiator.Answer answer = SdpNegotiator.answer(SessionDescription.parse(wa), local("ourU"));
        assertThat(answer.sdp().media().getFirst().hasAttribute("recvonly")).isTrue();
        assertThat(answer.negotiated().localDirection()).isEqualTo(Direction.RECVONLY);
    }

    @Test
    void answersEveryMediaSectionAndRejectsTheOnesWeDoNotUse() throws Exception {
        String withVideo = SdpFixtures.resource("chromium-offer.sdp")
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\nc=IN IP4 0.0.0.0\na=mid:1\na=rtpmap:96 VP8/90000\n";
        SessionDescription answer = SdpNegotiator.answer(SessionDescription.parse(withVideo), local("ourU")).sdp();

        assertThat(answer.media()).hasSize(2);
        assertThat(answer.media().get(1).port()).isZero();
        assertThat(answer.media().get(1).attribute("mid")).isEqualTo("1");
        assertThat(answer.attribute("group")).isEqualTo("BUNDLE 0");
    }

    @Test
    void offerAnswerBetweenTwoOfOurSidesAgrees() throws Exception {
        LocalMediaParameters offerer = local("offr");
        LocalMediaParameters answerer = local("answ");

        SessionDescription offer = SdpNegotiator.createOffer(offerer);
        SessionDescription reparsedOffer = SessionDescription.parse(offer.write());
        SdpNegotiator.Answer answer = SdpNegotiator.answer(reparsedOffer, answerer);
        NegotiatedAudio atOfferer = SdpNegotiator.applyAnswer(offer, SessionDescription.parse(answer.sdp().write()));

        assertThat(offer.write()).contains("a=setup:actpass").doesNotContain("ice-lite");
        assertThat(answer.negotiated().localDtlsRole()).isEqualTo(DtlsRole.CLIENT);
        assertThat(atOfferer.localDtlsRole()).isEqualTo(DtlsRole.SERVER);
        assertThat(atOfferer.remoteUfrag()).isEqualTo("answ");
        assertThat(answer.negotiated().remoteUfrag()).isEqualTo("offr");
        assertThat(atOfferer.remoteIceLite()).isFalse();
        assertThat(atOfferer.opusPayloadType()).isEqualTo(111);
        assertThat(atOfferer.telephoneEventPayloadType()).hasValue(126);
        assertThat(atOfferer.audioLevelExtensionId()).hasValue(1);
        assertThat(atOfferer.mid()).isEqualTo("0");
        assertThat(atOfferer.remoteCandidates()).hasSize(2);
        assertThat(atOfferer.remoteFingerprint()).isEqualTo(OUR_FINGERPRINT);
    }

    @Test
    void applyAnswerRejectsMismatches() throws Exception {
        SessionDescription offer = SdpNegotiator.createOffer(local("offr"));
        String good = SdpNegotiator.answer(offer, local("answ")).sdp().write();

        assertApply(offer, good.replace("a=setup:active", "a=setup:actpass"), SdpNegotiationException.Reason.INVALID_SETUP);
        assertApply(offer, good.replace("m=audio 3478", "m=audio 0"), SdpNegotiationException.Reason.AUDIO_REJECTED);
        assertApply(offer, good.replace("a=mid:0", "a=mid:x"), SdpNegotiationException.Reason.NO_AUDIO);
        assertApply(offer, good.replace("111 126", "111 127").replace("rtpmap:126", "rtpmap:127"),
                SdpNegotiationException.Reason.ANSWER_MISMATCH);
        assertApply(offer, good.replace("a=fingerprint", "a=x-fingerprint"),
                SdpNegotiationException.Reason.MISSING_FINGERPRINT);
        assertThat(SdpNegotiator.applyAnswer(offer, SessionDescription.parse(good.replace("a=setup:active", "a=setup:passive")))
                .localDtlsRole()).isEqualTo(DtlsRole.CLIENT);
    }

    private static String role(String offer) throws Exception {
        return SdpNegotiator.answer(SessionDescription.parse(offer), local("ourU")).sdp().media().getFirst().attribute("setup");
    }

    private static void assertReason(String offer, SdpNegotiationException.Reason reason) {
        assertThatThrownBy(() -> SdpNegotiator.answer(SessionDescription.parse(offer), local("ourU")))
                .as(reason.name()).isInstanceOf(SdpNegotiationException.class)
                .extracting(e -> ((SdpNegotiationException) e).reason()).isEqualTo(reason);
    }

    private static void assertApply(SessionDescription offer, String answer, SdpNegotiationException.Reason reason) {
        assertThatThrownBy(() -> SdpNegotiator.applyAnswer(offer, SessionDescription.parse(answer)))
                .as(reason.name()).isInstanceOf(SdpNegotiationException.class)
                .extracting(e -> ((SdpNegotiationException) e).reason()).isEqualTo(reason);
    }
}
