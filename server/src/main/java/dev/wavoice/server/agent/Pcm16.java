package dev.wavoice.server.agent;

import java.util.Base64;

/** PCM16 little-endian mono as the Realtime protocol carries it: base64 in a JSON string. */
final class Pcm16 {
    private Pcm16() {
    }

    static String toBase64(short[] pcm, int off, int len) {
        byte[] bytes = new byte[len * 2];
        for (int i = 0; i < len; i++) {
            short s = pcm[off + i];
            bytes[2 * i] = (byte) s;
            bytes[2 * i + 1] = (byte) (s >> 8);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes; an odd trailing byte is dropped. Throws {@link IllegalArgumentException} on bad base64. */
    static short[] fromBase64(String base64) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        short[] pcm = new short[bytes.length / 2];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
        }
        return pcm;
    }
}
