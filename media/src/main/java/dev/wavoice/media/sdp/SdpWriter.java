package dev.wavoice.media.sdp;

/** Writes RFC 8866 text; always CRLF, as §5 requires of senders. */
final class SdpWriter {
    private static final String CRLF = "\r\n";

    private SdpWriter() {
    }

    static String write(SessionDescription sd) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("v=0").append(CRLF);
        sb.append("o=").append(sd.origin().format()).append(CRLF);
        sb.append("s=").append(sd.sessionName()).append(CRLF);
        for (SdpField f : sd.fields()) {
            sb.append(f.format()).append(CRLF);
        }
        for (Attribute a : sd.attributes()) {
            sb.append("a=").append(a.format()).append(CRLF);
        }
        for (MediaDescription m : sd.media()) {
            sb.append("m=").append(m.formatMediaLine()).append(CRLF);
            for (SdpField f : m.fields()) {
                sb.append(f.format()).append(CRLF);
            }
            for (Attribute a : m.attributes()) {
                sb.append("a=").append(a.format()).append(CRLF);
            }
        }
        return sb.toString();
    }
}
