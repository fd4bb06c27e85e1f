package dev.wavoice.bench;

import dev.wavoice.media.srtp.SrtpContext;
import dev.wavoice.media.srtp.SrtpOptions;
import dev.wavoice.media.srtp.SrtpProfile;

/**
 * A batch of 100-byte-payload RTP packets (20 ms of Opus at ~40 kbit/s), one buffer each, with consecutive
 * sequence numbers that continue from batch to batch, so every packet is new to a receiver's replay window.
 * Buffers are sized for the packet plus the SRTP tag, as a per-call send or receive buffer would be.
 */
final class RtpBatch {
    static final int HEADER = 12;
    static final int PAYLOAD = 100;
    static final int PLAIN = HEADER + PAYLOAD;
    static final int SSRC = 0x1234ABCD;

    final byte[][] packets;
    final int[] lengths;
    private int nextSeq;
    private long nextTimestamp;

    RtpBatch(int size, int slack) {
        packets = new byte[size][PLAIN + slack];
        lengths = new int[size];
    }

    int size() {
        return packets.length;
    }

    /** Writes the next {@link #size()} plain RTP packets (Opus PT 111, 960 samples apart) into the buffers. */
    void fillPlain() {
        for (int i = 0; i < packets.length; i++) {
            byte[] p = packets[i];
            int seq = nextSeq++ & 0xFFFF;
            long ts = nextTimestamp;
            nextTimestamp += 960;
            p[0] = (byte) 0x80;
            p[1] = 111;
            p[2] = (byte) (seq >>> 8);
            p[3] = (byte) seq;
            p[4] = (byte) (ts >>> 24);
            p[5] = (byte) (ts >>> 16);
            p[6] = (byte) (ts >>> 8);
            p[7] = (byte) ts;
            p[8] = (byte) (SSRC >>> 24);
            p[9] = (byte) (SSRC >>> 16);
            p[10] = (byte) (SSRC >>> 8);
            p[11] = (byte) SSRC;
            for (int j = HEADER; j < PLAIN; j++) {
                p[j] = (byte) (j * 31 + seq);
            }
            lengths[i] = PLAIN;
        }
    }

    /** Fixed keys: the cost of a cipher does not depend on the key, and fixed keys make runs comparable. */
    static SrtpContext context(SrtpProfile profile) {
        byte[] key = new byte[profile.keyLength()];
        byte[] salt = new byte[profile.saltLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 13 + 5);
        }
        return SrtpContext.create(profile, key, salt, SrtpOptions.defaults());
    }
}
