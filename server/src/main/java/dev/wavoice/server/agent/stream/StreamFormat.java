package dev.wavoice.server.agent.stream;

import dev.wavoice.server.config.ConfigException;
import java.util.Base64;
import java.util.Locale;

/**
 * The audio of a Media Streams socket ({@code WAVOICE_STREAM_FORMAT}), both ways: Twilio's μ-law at 8 kHz, or this
 * service's wideband extension, little-endian signed 16-bit PCM at 16 or 24 kHz (as {@code audio/x-l16}, the name
 * other stream providers use), for bots that can take better audio. Announced in {@code start.mediaFormat}.
 */
public enum StreamFormat {
    MULAW_8K("mulaw", "audio/x-mulaw", 8_000),
    L16_16K("l16-16k", "audio/x-l16", 16_000),
    L16_24K("l16-24k", "audio/x-l16", 24_000);

    private final String configName;
    private final String encoding;
    private final int sampleRate;

    StreamFormat(String configName, String encoding, int sampleRate) {
        this.configName = configName;
        this.encoding = encoding;
        this.sampleRate = sampleRate;
    }

    public String configName() {
        return configName;
    }

    /** {@code mediaFormat.encoding}. */
    public String encoding() {
        return encoding;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public static StreamFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (StreamFormat f : values()) {
            if (f.configName.equals(v)) {
                return f;
            }
        }
        if (v.isEmpty() || v.equals("ulaw") || v.equals("pcmu")) {
            return MULAW_8K;
        }
        throw new ConfigException("WAVOICE_STREAM_FORMAT must be mulaw, l16-16k or l16-24k (got '" + value + "')");
    }

    /** PCM at {@link #sampleRate()} as a media payload. */
    public String encode(short[] pcm, int off, int len) {
        byte[] bytes;
        if (this == MULAW_8K) {
            bytes = new byte[len];
            for (int i = 0; i < len; i++) {
                bytes[i] = MuLaw.encode(pcm[off + i]);
            }
        } else {
            bytes = new byte[len * 2];
            for (int i = 0; i < len; i++) {
                short s = pcm[off + i];
                bytes[2 * i] = (byte) s;
                bytes[2 * i + 1] = (byte) (s >> 8);
            }
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * A media payload as PCM at {@link #sampleRate()}; an odd trailing byte of L16 is dropped.
     *
     * @throws IllegalArgumentException when the payload is not base64
     */
    public short[] decode(String payload) {
        byte[] bytes = Base64.getDecoder().decode(payload);
        short[] pcm;
        if (this == MULAW_8K) {
            pcm = new short[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                pcm[i] = MuLaw.decode(bytes[i]);
            }
        } else {
            pcm = new short[bytes.length / 2];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
            }
        }
        return pcm;
    }
}
