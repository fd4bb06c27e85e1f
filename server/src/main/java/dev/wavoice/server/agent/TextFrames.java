package dev.wavoice.server.agent;

import java.util.function.Consumer;

/**
 * A WebSocket's text messages put back together from the parts the JDK hands over, bounded: a message longer than
 * {@code maxChars} is dropped whole and reported once, at its last part, and the memory a large message took is given
 * back rather than kept for the socket's life. One receive thread (the JDK delivers one callback at a time).
 */
public final class TextFrames {
    private static final int KEEP_CAPACITY = 65_536;

    private final int maxChars;
    private final Consumer<String> whole;
    private final Runnable oversized;
    private StringBuilder frame = new StringBuilder();
    private boolean over;

    /**
     * @param whole     gets each complete message
     * @param oversized runs for each message dropped for its length
     */
    public TextFrames(int maxChars, Consumer<String> whole, Runnable oversized) {
        this.maxChars = maxChars;
        this.whole = whole;
        this.oversized = oversized;
    }

    /** One part as the JDK's {@code onText} gives it. */
    public void add(CharSequence data, boolean last) {
        if (!over) {
            if (frame.length() + data.length() > maxChars) {
                over = true;
                frame.setLength(0);
            } else {
                frame.append(data);
            }
        }
        if (!last) {
            return;
        }
        if (over) {
            over = false;
            oversized.run();
        } else {
            whole.accept(frame.toString());
        }
        frame = frame.capacity() > KEEP_CAPACITY ? new StringBuilder() : frame;
        frame.setLength(0);
    }
}
