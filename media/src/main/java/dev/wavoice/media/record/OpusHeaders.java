package dev.wavoice.media.record;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The two header packets of an Ogg Opus stream (RFC 7845 section 5), built once per recording.
 *
 * <p>The identification header describes two channels carried as two uncoupled mono streams: channel mapping family
 * 1 (family 0 allows one stream only), stream count 2, coupled count 0, mapping table [0, 1], so channel 0 (left)
 * decodes stream 0, the caller, and channel 1 (right) stream 1, the agent.
 */
public final class OpusHeaders {
    /**
     * Samples at 48 kHz a decoder drops at the start (RFC 7845 section 4.2). The packets are recorded as they were
     * encoded by the peers, so this is their encoders' look-ahead: 312 samples (6.5 ms) for libopus and Concentus
     * in the VoIP and audio applications, what {@code OPUS_GET_LOOKAHEAD} reports and what opusenc writes. A peer
     * with a lower-delay encoder loses at most those 6.5 ms at the start, never alignment between the channels.
     */
    public static final int PRE_SKIP = 312;
    public static final int CHANNELS = 2;
    public static final int INPUT_SAMPLE_RATE = 48_000;
    public static final String VENDOR = "wavoice";

    private OpusHeaders() {
    }

    /** The {@code OpusHead} packet (RFC 7845 section 5.1): 19 bytes, then family 1's stream counts and table. */
    public static byte[] identification() {
        byte[] h = new byte[23];
        ascii("OpusHead", h, 0);
        h[8] = 1; // version
        h[9] = CHANNELS;
        h[10] = (byte) PRE_SKIP;
        h[11] = (byte) (PRE_SKIP >>> 8);
        OggPageWriter.putInt(h, 12, INPUT_SAMPLE_RATE);
        h[16] = 0; // output gain, Q7.8 dB
        h[17] = 0;
        h[18] = 1; // channel mapping family 1
        h[19] = 2; // stream count
        h[20] = 0; // coupled stream count: both streams are mono
        h[21] = 0; // channel 0 <- stream 0, the caller
        h[22] = 1; // channel 1 <- stream 1, the agent
        return h;
    }

    /**
     * The {@code OpusTags} packet (RFC 7845 section 5.2): vendor {@value #VENDOR} and the given user comments,
     * each {@code NAME=value} with a name of printable ASCII without '=' (e.g. {@code WAVOICE_CALL_ID=...}).
     *
     * @throws IllegalArgumentException for a comment that is not {@code NAME=value}
     */
    public static byte[] comments(List<String> comments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("OpusTags".getBytes(StandardCharsets.US_ASCII));
        writeString(out, VENDOR);
        writeInt(out, comments.size());
        for (String comment : comments) {
            checkComment(comment);
            writeString(out, comment);
        }
        return out.toByteArray();
    }

    private static void checkComment(String comment) {
        int eq = comment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("a recording comment is NAME=value, not '" + comment + "'");
        }
        for (int i = 0; i < eq; i++) {
            char c = comment.charAt(i);
            if (c < 0x20 || c > 0x7D) { // RFC 7845 section 5.2 via the Vorbis comment field name rule
                throw new IllegalArgumentException("a recording comment name is printable ASCII: '" + comment + "'");
            }
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private static void ascii(String s, byte[] dst, int at) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, dst, at, b.length);
    }
}
