package dev.wavoice.media.stun;

import java.util.random.RandomGenerator;

/**
 * The 96-bit STUN transaction id (RFC 8489 §5), held as two primitives so that it is a cheap value with
 * working {@code equals}/{@code hashCode} and can key a map of outstanding transactions.
 */
public record TransactionId(long high, int low) {

    public static final int LENGTH = 12;

    /** RFC 8489 §5 asks for a cryptographically random id; pass a {@code SecureRandom} in production. */
    public static TransactionId random(RandomGenerator random) {
        return new TransactionId(random.nextLong(), random.nextInt());
    }

    static TransactionId read(byte[] buf, int off) {
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (buf[off + i] & 0xFF);
        }
        int low = 0;
        for (int i = 8; i < 12; i++) {
            low = (low << 8) | (buf[off + i] & 0xFF);
        }
        return new TransactionId(high, low);
    }

    void write(byte[] buf, int off) {
        for (int i = 0; i < 8; i++) {
            buf[off + i] = (byte) (high >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            buf[off + 8 + i] = (byte) (low >>> (24 - 8 * i));
        }
    }

    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        write(out, 0);
        return out;
    }

    @Override
    public String toString() {
        return String.format("%016x%08x", high, low);
    }
}
