package dev.wavoice.media.interop;

import java.util.List;
import java.util.Map;

/**
 * One line the OpenAI stand-in printed, e.g. {@code {"event":"client_event","t_ms":812.4,
 * "call_id":"rtc_…","type":"session.update","json":{…}}}. Values may nest (see {@link JsonTree}).
 *
 * @param name   the "event" value
 * @param tMs    milliseconds on the stand-in's monotonic clock since its process started
 * @param fields every field of the line, in order
 */
public record StandInEvent(String name, double tMs, Map<String, Object> fields) {

    static StandInEvent parse(String line) {
        Map<String, Object> f = JsonTree.parseObject(line);
        if (!(f.get("event") instanceof String n)) {
            throw new IllegalArgumentException("stand-in line without \"event\": " + line);
        }
        double t = f.get("t_ms") instanceof Number num ? num.doubleValue() : Double.NaN;
        return new StandInEvent(n, t, f);
    }

    /** The call the line is about, or null. */
    public String callId() {
        return string("call_id");
    }

    /** Whether this is event {@code name} about call {@code callId} (any call when null). */
    public boolean is(String name, String callId) {
        return this.name.equals(name) && (callId == null || callId.equals(callId()));
    }

    /** The Realtime event type of a client_event or server_event line. */
    public String type() {
        return string("type");
    }

    /** For a client_event line: the whole event the client sent, parsed. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> json() {
        return get("json") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /** The value at a path of keys (list indexes as decimal strings), or null. */
    public Object get(String... path) {
        return JsonTree.at(fields, path);
    }

    public String string(String... path) {
        Object v = get(path);
        return v == null ? null : v.toString();
    }

    public long longValue(String... path) {
        if (get(path) instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("no number at " + List.of(path) + " in " + this);
    }

    public boolean bool(String... path) {
        return Boolean.TRUE.equals(get(path));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(name).append('@').append(tMs).append("ms");
        fields.forEach((k, v) -> {
            if (!k.equals("event") && !k.equals("t_ms")) {
                String s = v instanceof Map || v instanceof List ? JsonTree.write(v) : String.valueOf(v);
                b.append(' ').append(k).append('=').append(s.length() > 80 ? s.substring(0, 80) + "…" : s);
            }
        });
        return b.toString();
    }
}
