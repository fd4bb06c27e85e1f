package dev.wavoice.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An offer from the network through {@link SessionDescription#parse} and {@link SdpNegotiator#answer}. What parses
 * must survive write → parse unchanged; an answer, when one is made, must be one WhatsApp accepts (our DTLS role the
 * complement of the offer's setup, a sha-256 fingerprint) and name only codecs the offer had. The only failures
 * allowed are the two typed exceptions; anything else escaping is a finding.
 */
class SdpFuzzTest {
    private static final LocalMediaParameters LOCAL = SdpNegotiatorTest.local("fuzzU");

    @FuzzTest
    void parseWriteParseAndAnswer(byte[] input) throws SdpParseException {
        SessionDescription offer;
        try {
            offer = SessionDescription.parse(new String(input, StandardCharsets.UTF_8));
        } catch (SdpParseException expected) {
            return;
        }
        SessionDescription again = SessionDescription.parse(offer.write());
        assertThat(again).isEqualTo(offer);
        SdpNegotiator.Answer answer;
        try {
            answer = SdpNegotiator.answer(offer, LOCAL);
        } catch (SdpNegotiationException expected) {
            return;
        }
        SessionDescription sdp = SessionDescription.parse(answer.sdp().write());
        assertThat(sdp).isEqualTo(answer.sdp());
        int index = firstAudio(offer);
        MediaDescription offered = offer.media().get(index);
        MediaDescription audio = sdp.media().get(index);
        String offeredSetup = offered.attribute("setup") != null ? offered.attribute("setup") : offer.attribute("setup");
        // WhatsApp offers actpass and needs us active; only an offer that is itself active makes us passive.
        boolean offerActive = offeredSetup != null && offeredSetup.trim().equals("active");
        assertThat(audio.attribute("setup")).isEqualTo(offerActive ? "passive" : "active");
        assertThat(audio.attribute("fingerprint")).startsWith("sha-256 ");
        assertThat(audio.attribute("ice-ufrag")).isEqualTo("fuzzU");
        assertThat(numbers(offered.formats())).containsAll(numbers(audio.formats()));
        Map<Integer, Set<String>> offeredCodecs = encodings(offered);
        encodings(audio).forEach((pt, names) -> assertThat(offeredCodecs.getOrDefault(pt, Set.of())).containsAll(names));
    }

    private static int firstAudio(SessionDescription offer) {
        for (int i = 0; i < offer.media().size(); i++) {
            if (offer.media().get(i).media().equals("audio")) {
                return i;
            }
        }
        throw new AssertionError("an answer was made to an offer without audio");
    }

    private static Set<Integer> numbers(List<String> formats) {
        Set<Integer> out = new HashSet<>();
        for (String f : formats) {
            out.add(AudioSection.parseInt(f));
        }
        return out;
    }

    /** Payload type → the encoding names its rtpmaps give, lower case. */
    private static Map<Integer, Set<String>> encodings(MediaDescription m) {
        Map<Integer, Set<String>> byType = new HashMap<>();
        for (String rtpmap : m.attributes("rtpmap")) {
            String[] parts = Tokens.split(rtpmap, " /");
            Integer pt = parts.length >= 2 ? AudioSection.parseInt(parts[0]) : null;
            if (pt != null) {
                byType.computeIfAbsent(pt, k -> new HashSet<>()).add(parts[1].toLowerCase(Locale.ROOT));
            }
        }
        return byType;
    }
}
