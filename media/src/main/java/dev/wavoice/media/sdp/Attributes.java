package dev.wavoice.media.sdp;

import java.util.ArrayList;
import java.util.List;

/** Lookups shared by session- and media-level attribute lists. Names compare case-sensitively (RFC 8866 §5.13). */
final class Attributes {
    private Attributes() {
    }

    static String first(List<Attribute> attributes, String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                return a.value() == null ? "" : a.value();
            }
        }
        return null;
    }

    static List<String> all(List<Attribute> attributes, String name) {
        List<String> values = new ArrayList<>();
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                values.add(a.value() == null ? "" : a.value());
            }
        }
        return values;
    }
}
