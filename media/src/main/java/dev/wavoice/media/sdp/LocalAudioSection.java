package dev.wavoice.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Writes our audio section; the same shape serves our offers and our answers. */
final class LocalAudioSection {
    private LocalAudioSection() {
    }

    static MediaDescription build(LocalMediaParameters local, String mid, String proto, String setup,
                                  PayloadFormat opus, PayloadFormat telephoneEvent, OptionalInt audioLevelId,
                                  Direction direction) {
        List<String> formats = new ArrayList<>();
        formats.add(Integer.toString(opus.payloadType()));
        if (telephoneEvent != null) {
            formats.add(Integer.toString(telephoneEvent.payloadType()));
        }
        // RFC 8839 §4.2.1.2: m= and c= carry the default candidate; 9 / 0.0.0.0 when there is none yet.
        Candidate defaultCandidate = local.candidates().isEmpty() ? null : local.candidates().getFirst();
        int port = defaultCandidate == null ? 9 : defaultCandidate.port();
        String address = defaultCandidate == null ? "0.0.0.0" : defaultCandidate.address();

        List<Attribute> a = new ArrayList<>();
        for (Candidate c : local.candidates()) {
            a.add(c.toAttribute());
        }
        a.add(Attribute.of("ice-ufrag", local.iceUfrag()));
        a.add(Attribute.of("ice-pwd", local.icePwd()));
        a.add(Attribute.of("fingerprint", local.fingerprint().toSdp()));
        a.add(Attribute.of("setup", setup));
        if (mid != null) {
            a.add(Attribute.of("mid", mid));
        }
        if (audioLevelId.isPresent()) {
            a.add(Attribute.of("extmap", audioLevelId.getAsInt() + " " + AudioSection.AUDIO_LEVEL_URI));
        }
        a.add(Attribute.flag(direction.attributeName()));
        a.add(Attribute.flag("rtcp-mux"));
        a.add(Attribute.of("rtpmap", opus.rtpmap()));
        if (!opus.fmtp().isEmpty()) {
            a.add(Attribute.of("fmtp", opus.payloadType() + " " + opus.fmtp()));
        }
        if (telephoneEvent != null) {
            a.add(Attribute.of("rtpmap", telephoneEvent.rtpmap()));
            if (!telephoneEvent.fmtp().isEmpty()) {
                a.add(Attribute.of("fmtp", telephoneEvent.payloadType() + " " + telephoneEvent.fmtp()));
            }
        }
        a.add(Attribute.of("ssrc", local.ssrc() + " cname:" + local.cname()));
        return new MediaDescription("audio", port, 0, proto, formats, List.of(SdpField.connection(address)), a);
    }
}
