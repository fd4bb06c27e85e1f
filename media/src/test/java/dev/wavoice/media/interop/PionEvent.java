package dev.wavoice.media.interop;

import java.util.Map;

/**
 * One line the Pion peer printed: an event such as {@code {"event":"pc","t_ms":25.6,"state":"connected"}},
 * or a signalling line such as {@code {"type":"offer","t_ms":9.0,"sdp":"..."}} (then {@link #signal()}
 * is true and {@link #name()} is the type).
 *
 * @param name   the "event" (or "type") value
 * @param tMs    milliseconds on the peer's monotonic clock since its process started
 * @param fields every field of the line, in order
 * @param signal whether this is an offer/answer line rather than an event
 */
public record PionEvent(String name, double tMs, Map<String, Object> fields, boolean signal) {

    public PionEvent {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    static PionEvent parse(String line) {
        Map<String, Object> f = JsonTree.parseObject(line);
        boolean signal = f.get("type") instanceof String;
        Object name = signal ? f.get("type") : f.get("event");
        if (!(name instanceof String n)) {
            throw new IllegalArgumentException("Pion peer line has neither \"event\" nor \"type\": " + line);
        }
        double t = f.get("t_ms") instanceof Number num ? num.doubleValue() : Double.NaN;
        return new PionEvent(n, t, f, signal);
    }

    /** Whether this is the event {@code name} with {@code state} (e.g. "ice", "connected"). */
    public boolean is(String event, String state) {
        return !signal && name.equals(event) && state.equals(fields.get("state"));
    }

    public String string(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    public long longValue(String key) {
        if (fields.get(key) instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("no number \"" + key + "\" in " + this);
    }

    public double doubleValue(String key) {
        if (fields.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("no number \"" + key + "\" in " + this);
    }

    public boolean bool(String key) {
        return Boolean.TRUE.equals(fields.get(key));
    }

    /** RTP counters of an "rtp" or "summary" event. */
    public RtpCounters counters() {
        return new RtpCounters(longValue("packets_received"), longValue("bytes_received"),
                longValue("packets_sent"), longValue("bytes_sent"), longValue("rtcp_received"));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(name).append('@').append(tMs).append("ms");
        fields.forEach((k, v) -> {
            if (!k.equals("event") && !k.equals("type") && !k.equals("t_ms")) {
                String s = String.valueOf(v);
                b.append(' ').append(k).append('=').append(s.length() > 60 ? s.substring(0, 60) + "…" : s);
            }
        });
        return b.toString();
    }

    /** Payload counters as the peer reports them (RTP payload bytes, not packet bytes). */
    public record RtpCounters(long packetsReceived, long bytesReceived, long packetsSent, long bytesSent,
                              long rtcpReceived) {
        public static final RtpCounters NONE = new RtpCounters(0, 0, 0, 0, 0);
    }
}
