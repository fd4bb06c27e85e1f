package dev.wavoice.media.interop;

/** A failure of the Chromium test peer: missing packages, a browser that would not start, a page call that failed. */
public final class ChromiumPeerException extends RuntimeException {
    public ChromiumPeerException(String message) {
        super(message);
    }

    public ChromiumPeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
