package dev.wavoice.media.interop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nested JSON as plain Java values, for the lines the Go test programs exchange over stdin/stdout
 * (the Pion peer's flat ones, the OpenAI stand-in's nested ones) and the Realtime events the stand-in
 * exchanges: objects are {@code Map<String, Object>} (keys in order), arrays {@code List<Object>},
 * numbers {@code Long} or {@code Double}, plus {@code String}, {@code Boolean} and {@code null}. The
 * media module's tests have no JSON library.
 */
public final class JsonTree {
    private final String s;
    private int i;

    private JsonTree(String s) {
        this.s = s;
    }

    /** Parses one JSON value; maps and lists in the result are unmodifiable. */
    public static Object parse(String json) {
        JsonTree p = new JsonTree(json);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != json.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String json) {
        if (parse(json) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("not a JSON object: " + abbreviate(json));
    }

    /**
     * Follows keys (and list indexes given as decimal strings) from {@code root}; null when any step
     * is missing.
     */
    public static Object at(Object root, String... path) {
        Object v = root;
        for (String k : path) {
            if (v instanceof Map<?, ?> m) {
                v = m.get(k);
            } else if (v instanceof List<?> l && k.chars().allMatch(Character::isDigit) && !k.isEmpty()
                    && Integer.parseInt(k) < l.size()) {
                v = l.get(Integer.parseInt(k));
            } else {
                return null;
            }
        }
        return v;
    }

    /** Writes Maps, Lists/arrays of Objects, Strings, Numbers, Booleans and null as compact JSON. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String str -> quote(b, str);
            case Boolean bool -> b.append(bool);
            case Double d when d.isNaN() || d.isInfinite() -> throw new IllegalArgumentException("not a JSON number: " + d);
            case Float f when f.isNaN() || f.isInfinite() -> throw new IllegalArgumentException("not a JSON number: " + f);
            case Number n -> b.append(n);
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case Iterable<?> it -> {
                b.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    write(b, o);
                }
                b.append(']');
            }
            case Object[] arr -> write(b, List.of(arr));
            default -> throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
        }
    }

    private static void quote(StringBuilder b, String v) {
        b.append('"');
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private Object value(int depth) {
        if (depth > 64) {
            throw error("nested too deeply");
        }
        char c = peek();
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                skipSpace();
                if (peek() == '}') {
                    i++;
                    return Collections.unmodifiableMap(m);
                }
                while (true) {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    skipSpace();
                    m.put(key, value(depth + 1));
                    skipSpace();
                    char n = next();
                    if (n == '}') {
                        return Collections.unmodifiableMap(m);
                    }
                    if (n != ',') {
                        throw error("expected ',' or '}'");
                    }
                }
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                skipSpace();
                if (peek() == ']') {
                    i++;
                    return Collections.unmodifiableList(l);
                }
                while (true) {
                    skipSpace();
                    l.add(value(depth + 1));
                    skipSpace();
                    char n = next();
                    if (n == ']') {
                        return Collections.unmodifiableList(l);
                    }
                    if (n != ',') {
                        throw error("expected ',' or ']'");
                    }
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                if (s.startsWith("true", i)) {
                    i += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return Boolean.FALSE;
                }
                if (s.startsWith("null", i)) {
                    i += 4;
                    return null;
                }
                if (c == '-' || (c >= '0' && c <= '9')) {
                    int from = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    String n = s.substring(from, i);
                    try {
                        return n.matches("-?\\d{1,18}") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
                    } catch (NumberFormatException e) {
                        throw error("bad number " + n);
                    }
                }
                throw error("unexpected character '" + c + "'");
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void skipSpace() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            i--;
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON, position " + i + ": " + what + ": " + abbreviate(s));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
