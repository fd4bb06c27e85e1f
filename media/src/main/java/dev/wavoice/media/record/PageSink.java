package dev.wavoice.media.record;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a recording's finished Ogg pages go, in order, on the recorder's writer thread (never the pacer's). A
 * failure is reported by throwing; the recorder counts it and stops writing that recording.
 */
public interface PageSink {
    /** Writes all remaining bytes of {@code page}; the buffer is reused once this returns. */
    void write(ByteBuffer page) throws IOException;

    /** Called once, after the last page or after a failure. */
    void close() throws IOException;
}
