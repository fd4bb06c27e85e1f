package dev.wavoice.server.agent.stream;

/** G.711 μ-law (ITU-T G.711, the segment encoding with bias 0x84), as telephone streams carry 8 kHz audio. */
final class MuLaw {
    private static final int BIAS = 0x84;
    private static final int CLIP = 32_635;
    private static final short[] DECODED = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            int u = ~i & 0xff;
            int exponent = (u >> 4) & 0x07;
            int mantissa = u & 0x0f;
            int magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
            DECODED[i] = (short) ((u & 0x80) != 0 ? -magnitude : magnitude);
        }
    }

    private MuLaw() {
    }

    static short decode(byte b) {
        return DECODED[b & 0xff];
    }

    static byte encode(short sample) {
        int s = sample;
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        if (s > CLIP) {
            s = CLIP;
        }
        s += BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (s >> (exponent + 3)) & 0x0f;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }
}
