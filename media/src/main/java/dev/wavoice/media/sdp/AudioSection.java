package dev.wavoice.media.sdp;

import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.MALFORMED_ATTRIBUTE;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.MISSING_FINGERPRINT;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.MISSING_ICE_CREDENTIALS;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.NO_AUDIO;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.UNSUPPORTED_PROTOCOL;

import dev.wavoice.media.dtls.DtlsFingerprint;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The peer's audio section with session-level defaults applied: what both offer/answer directions read. */
record AudioSection(int index, MediaDescription media, String mid, String ufrag, String pwd,
                    DtlsFingerprint fingerprint, List<Candidate> candidates, boolean iceLite, String setup,
                    Map<Integer, PayloadFormat> formats, Direction direction, OptionalInt audioLevelExtensionId,
                    OptionalLong ssrc, boolean rtcpMux, boolean bundled) {

    static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /** RFC 8827 / RFC 5764 over UDP; plain {@code RTP/SAVPF} is what older libwebrtc still writes. */
    private static final List<String> DTLS_SRTP_PROTOCOLS = List.of("UDP/TLS/RTP/SAVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVP");

    /** Reads the audio section with {@code wantedMid}, or the first audio section when it is null. */
    static AudioSection read(SessionDescription sd, String wantedMid) throws SdpNegotiationException {
        int index = -1;
        for (int i = 0; i < sd.media().size(); i++) {
            MediaDescription m = sd.media().get(i);
            if (m.media().equals("audio") && (wantedMid == null || wantedMid.equals(m.attribute("mid")))) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            throw new SdpNegotiationException(NO_AUDIO, wantedMid == null
                    ? "no m=audio section" : "no m=audio section with a=mid:" + wantedMid);
        }
        MediaDescription m = sd.media().get(index);
        if (!DTLS_SRTP_PROTOCOLS.contains(m.proto())) {
            throw new SdpNegotiationException(UNSUPPORTED_PROTOCOL, "audio uses " + m.proto()
                    + ", WebRTC needs UDP/TLS/RTP/SAVPF");
        }
        String mid = m.attribute("mid");
        // RFC 8839 §5.4 and RFC 8122 §5: media-level values override session-level ones.
        String ufrag = either(m.attribute("ice-ufrag"), sd.attribute("ice-ufrag"));
        String pwd = either(m.attribute("ice-pwd"), sd.attribute("ice-pwd"));
        if (ufrag == null || ufrag.isBlank() || pwd == null || pwd.isBlank()) {
            throw new SdpNegotiationException(MISSING_ICE_CREDENTIALS, "audio section has no a=ice-ufrag/a=ice-pwd");
        }
        List<String> fps = m.attributes("fingerprint");
        if (fps.isEmpty()) {
            fps = sd.attributes("fingerprint");
        }
        if (fps.isEmpty()) {
            throw new SdpNegotiationException(MISSING_FINGERPRINT, "no a=fingerprint at session or audio level");
        }
        List<Candidate> candidates = new ArrayList<>();
        for (String c : m.attributes("candidate")) {
            try {
                candidates.add(Candidate.parse(c));
            } catch (SdpParseException e) {
                throw new SdpNegotiationException(MALFORMED_ATTRIBUTE, e.getMessage());
            }
        }
        boolean bundled = false;
        for (String group : sd.attributes("group")) { // RFC 9143: there may be other groups (e.g. LS)
            List<String> words = List.of(Tokens.words(group));
            bundled |= mid != null && !words.isEmpty() && words.getFirst().equals("BUNDLE") && words.contains(mid);
        }
        return new AudioSection(index, m, mid, ufrag.trim(), pwd.trim(), preferredFingerprint(fps), candidates,
                sd.hasAttribute("ice-lite") || m.hasAttribute("ice-lite"),
                either(m.attribute("setup"), sd.attribute("setup")), formats(m), Direction.of(m, sd),
                audioLevel(m), ssrc(m), m.hasAttribute("rtcp-mux"), bundled);
    }

    /** First Opus/48000 in the peer's preference order (the m= format list), or null. */
    PayloadFormat opus() {
        for (PayloadFormat f : formats.values()) {
            if (f.encoding().equalsIgnoreCase("opus") && f.clockRate() == 48000) {
                return f;
            }
        }
        return null;
    }

    /** telephone-event, preferring the Opus clock (RFC 7874 §4) so events share the audio timestamps. */
    PayloadFormat telephoneEvent() {
        PayloadFormat any = null;
        for (PayloadFormat f : formats.values()) {
            if (f.encoding().equalsIgnoreCase("telephone-event")) {
                if (f.clockRate() == 48000) {
                    return f;
                }
                any = any == null ? f : any;
            }
        }
        return any;
    }

    /**
     * The fingerprint to check the peer's certificate against (RFC 8122 §5): sha-256 when there is one, else the
     * first whose hash we can compute. A value we cannot read fails the description even next to a good one.
     */
    private static DtlsFingerprint preferredFingerprint(List<String> values) throws SdpNegotiationException {
        DtlsFingerprint first = null;
        for (String v : values) {
            DtlsFingerprint f;
            try {
                f = parseFingerprint(v);
            } catch (SdpParseException e) {
                throw new SdpNegotiationException(MALFORMED_ATTRIBUTE, e.getMessage());
            }
            if (f == null) {
                continue;
            }
            if (f.algorithm().equals(DtlsFingerprint.SHA_256)) {
                return f;
            }
            first = first == null ? f : first;
        }
        if (first == null) {
            throw new SdpNegotiationException(MISSING_FINGERPRINT,
                    "no a=fingerprint uses a hash function we can check a certificate with: " + values);
        }
        return first;
    }

    /**
     * An {@code a=fingerprint} value ({@code sha-256 AB:CD:...}), or null when its hash function is one we cannot
     * compute: such a fingerprint cannot authenticate the peer, but is no reason to refuse a sibling we can use.
     * Only the SDP syntax is checked here (colon-separated hex, long enough to be a digest).
     */
    static DtlsFingerprint parseFingerprint(String text) throws SdpParseException {
        String[] p = Tokens.words(text);
        if (p.length != 2) {
            throw new SdpParseException(0, text, "fingerprint needs <hash-func> <hex:hex:...>");
        }
        byte[] digest;
        try {
            digest = HexFormat.ofDelimiter(":").parseHex(p[1]);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(0, text, "fingerprint is not colon-separated hex");
        }
        if (digest.length < 16) {
            throw new SdpParseException(0, text, "fingerprint is too short to be a digest");
        }
        return DtlsFingerprint.isSupported(p[0]) ? new DtlsFingerprint(p[0], digest) : null;
    }

    private static Map<Integer, PayloadFormat> formats(MediaDescription m) {
        Map<Integer, String> fmtp = new LinkedHashMap<>();
        for (String v : m.attributes("fmtp")) {
            int sp = v.indexOf(' ');
            Integer pt = sp > 0 ? parseInt(v.substring(0, sp)) : null;
            if (pt != null) {
                fmtp.put(pt, v.substring(sp + 1).trim());
            }
        }
        Map<Integer, PayloadFormat> byPt = new LinkedHashMap<>();
        Map<Integer, PayloadFormat> mapped = new LinkedHashMap<>();
        for (String v : m.attributes("rtpmap")) {
            String[] p = Tokens.split(v, " /");
            Integer pt = p.length >= 3 ? parseInt(p[0]) : null;
            Integer clock = p.length >= 3 ? parseInt(p[2]) : null;
            Integer channels = p.length >= 4 ? parseInt(p[3]) : Integer.valueOf(1);
            if (pt != null && clock != null && channels != null) {
                mapped.put(pt, new PayloadFormat(pt, p[1], clock, channels, fmtp.getOrDefault(pt, "")));
            }
        }
        for (String f : m.formats()) { // keep the peer's preference order
            Integer pt = parseInt(f);
            if (pt != null && mapped.containsKey(pt)) {
                byPt.put(pt, mapped.get(pt));
            }
        }
        return byPt;
    }

    private static OptionalInt audioLevel(MediaDescription m) {
        for (String v : m.attributes("extmap")) {
            String[] p = Tokens.words(v);
            if (p.length >= 2 && p[1].equals(AUDIO_LEVEL_URI)) {
                String id = p[0].contains("/") ? p[0].substring(0, p[0].indexOf('/')) : p[0];
                Integer n = parseInt(id);
                if (n != null) {
                    return OptionalInt.of(n);
                }
            }
        }
        return OptionalInt.empty();
    }

    private static OptionalLong ssrc(MediaDescription m) {
        for (String v : m.attributes("ssrc")) {
            int sp = v.indexOf(' ');
            try {
                return OptionalLong.of(Long.parseLong(sp < 0 ? v.trim() : v.substring(0, sp)));
            } catch (NumberFormatException ignored) {
                // a malformed ssrc line does not prevent the call; SSRC is learnt from RTP anyway
            }
        }
        return OptionalLong.empty();
    }

    private static String either(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }

    static Integer parseInt(String s) {
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
