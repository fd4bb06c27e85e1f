package dev.wavoice.media.sdp;

/** The {@code o=} line (RFC 8866 §5.2). */
public record Origin(String username, String sessionId, String sessionVersion, String netType, String addrType,
                     String address) {

    /** What WebRTC stacks write: no user name, a random id, no meaningful address. */
    public static Origin of(long sessionId, long version) {
        return new Origin("-", Long.toUnsignedString(sessionId), Long.toString(version), "IN", "IP4", "127.0.0.1");
    }

    public String format() {
        return String.join(" ", username, sessionId, sessionVersion, netType, addrType, address);
    }

    static Origin parse(String value, int lineNumber, String line) throws SdpParseException {
        String[] p = Tokens.words(value);
        if (p.length != 6) {
            throw new SdpParseException(lineNumber, line, "origin needs 6 fields, found " + p.length);
        }
        return new Origin(p[0], p[1], p[2], p[3], p[4], p[5]);
    }
}
