package dev.wavoice.media.record;

import java.util.List;

/**
 * Per-recording settings.
 *
 * @param label    names the recording in log lines (e.g. the call id); never a secret
 * @param comments {@code NAME=value} user comments for the file's OpusTags, e.g. {@code WAVOICE_CALL_ID=...}
 */
public record RecorderOptions(String label, List<String> comments) {
    public RecorderOptions {
        comments = List.copyOf(comments);
    }

    public static RecorderOptions labelled(String label) {
        return new RecorderOptions(label, List.of());
    }
}
