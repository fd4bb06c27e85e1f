package dev.wavoice.media.sdp;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mangled offers must end in a typed error or a valid answer, never in another exception. */
class SdpMangledInputTest {
    private static final String[] SPLICES = {"", " ", ":", "=", "\n", "\r\n", "a=", "m=", "/", "-1", "99999999999",
            "x", "a=rtpmap:", "a=fmtp:111", "a=candidate:", " typ ", "a=fingerprint:sha-256 ", "0"};

    @Test
    void mangledOffersFailOnlyWithTypedErrors() {
        String[] seeds = {SdpFixtures.whatsAppOffer(), SdpFixtures.resource("chromium-offer.sdp"),
                SdpFixtures.resource("pion-offer.sdp")};
        Random r = new Random(2024);
        LocalMediaParameters local = SdpNegotiatorTest.local("ourU");
        for (int i = 0; i < 1500; i++) {
            String sdp = mangle(seeds[i % seeds.length], r);
            try {
                SessionDescription offer = SessionDescription.parse(sdp);
                SessionDescription.parse(offer.write());
                SdpNegotiator.answer(offer, local);
            } catch (SdpParseException | SdpNegotiationException expected) {
                // a typed, explained failure is the right outcome
            } catch (RuntimeException e) {
                throw new AssertionError("input " + i + " threw " + e + ":\n" + sdp, e);
            }
        }
    }

    private static String mangle(String seed, Random r) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && !sb.isEmpty(); e++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(3)) {
                case 0 -> sb.delete(at, Math.min(sb.length(), at + 1 + r.nextInt(12)));
                case 1 -> sb.insert(at, SPLICES[r.nextInt(SPLICES.length)]);
                default -> sb.setCharAt(at, (char) (32 + r.nextInt(95)));
            }
        }
        return sb.toString();
    }
}
