package dev.wavoice.media.sdp;

import java.util.ArrayList;
import java.util.List;

/** Splits SDP values on runs of separators without regular expressions (this runs for every line). */
final class Tokens {
    private Tokens() {
    }

    static String[] words(String s) {
        return split(s, " ");
    }

    /** Splits on any character of {@code separators}, ignoring empty tokens. */
    static String[] split(String s, String separators) {
        List<String> out = new ArrayList<>(8);
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean sep = i == s.length() || separators.indexOf(s.charAt(i)) >= 0;
            if (sep && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            } else if (!sep && start < 0) {
                start = i;
            }
        }
        return out.toArray(new String[0]);
    }
}
