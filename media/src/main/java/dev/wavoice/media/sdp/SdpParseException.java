package dev.wavoice.media.sdp;

/**
 * Malformed SDP. Names the 1-based line number and the offending line so that whoever sent the description
 * can find the problem; {@code lineNumber} is 0 when a single value (e.g. a candidate) was parsed on its own.
 */
public final class SdpParseException extends Exception {
    private final int lineNumber;
    private final String line;

    public SdpParseException(int lineNumber, String line, String reason) {
        super(lineNumber > 0
                ? "SDP line " + lineNumber + " '" + line + "': " + reason
                : "SDP value '" + line + "': " + reason);
        this.lineNumber = lineNumber;
        this.line = line;
    }

    public int lineNumber() {
        return lineNumber;
    }

    public String line() {
        return line;
    }
}
