package dev.wavoice.media.sdp;

import java.util.Objects;

/**
 * One {@code a=} line (RFC 8866 §5.13): a property attribute has a null value, a value attribute keeps its
 * value exactly as written (including any leading space, e.g. {@code msid-semantic: WMS}) so that writing
 * a parsed description reproduces it.
 */
public record Attribute(String name, String value) {

    public Attribute {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf(' ') >= 0 || name.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not an attribute name: '" + name + "'");
        }
    }

    public static Attribute flag(String name) {
        return new Attribute(name, null);
    }

    public static Attribute of(String name, String value) {
        return new Attribute(name, value);
    }

    public boolean isFlag() {
        return value == null;
    }

    /** The text after {@code a=}. */
    public String format() {
        return value == null ? name : name + ":" + value;
    }

    static Attribute parse(String text, int lineNumber, String line) throws SdpParseException {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        if (name.isEmpty() || name.indexOf(' ') >= 0) {
            throw new SdpParseException(lineNumber, line, "attribute name is empty or contains a space");
        }
        return new Attribute(name, colon < 0 ? null : text.substring(colon + 1));
    }
}
