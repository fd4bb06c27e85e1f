package dev.wavoice.media.srtp;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * Evaluation harness for org.jitsi:jitsi-srtp: ns/op and bytes allocated per 100-byte RTP packet.
 * Not a test; run by hand (see SrtpBench for the command).
 */
public final class JitsiSrtpProbe {
    private JitsiSrtpProbe() {}

    /** The mutable packet view jitsi-srtp works on; one per direction, reused. */
    static final class Buf implements ByteArrayBuffer {
        byte[] b; int off; int len;
        Buf(int cap) { b = new byte[cap]; }
        @Override public byte[] getBuffer() { return b; }
        @Override public int getOffset() { return off; }
        @Override public int getLength() { return len; }
        @Override public void setLength(int l) { len = l; }
        @Override public void setOffset(int o) { off = o; }
        @Override public boolean isInvalid() { return false; }
        @Override public void readRegionToBuff(int o, int l, byte[] out) { System.arraycopy(b, off + o, out, 0, l); }
        @Override public void grow(int n) { if (off + len + n > b.length) throw new IllegalStateException("no room"); }
        @Override public void append(byte[] d, int l) { grow(l); System.arraycopy(d, 0, b, off + len, l); len += l; }
        @Override public void shrink(int n) { len -= n; }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        if (args.length > 1) {
            // e.g. "SunJCE": keeps jitsi-srtp off its bundled native OpenSSL for AES (a process-wide switch)
            org.jitsi.srtp.crypto.Aes.setFactoryClassName(args[1]);
        }
        run("AES_CM_128_HMAC_SHA1_80", new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14), 16, 14, n);
        run("AEAD_AES_128_GCM", new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16,
                SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12), 16, 12, n);
    }

    static void run(String name, SrtpPolicy policy, int keyLen, int saltLen, int n) throws Exception {
        byte[] key = new byte[keyLen];
        byte[] salt = new byte[saltLen];
        for (int i = 0; i < key.length; i++) key[i] = (byte) i;
        var log = new LoggerImpl("probe");
        SrtpCryptoContext tx = new SrtpContextFactory(true, key, salt, policy, policy, log).deriveContext(0x1234, 0);
        SrtpCryptoContext rx = new SrtpContextFactory(false, key, salt, policy, policy, log).deriveContext(0x1234, 0);
        final int batch = 256;
        Buf[] bufs = new Buf[batch];
        for (int i = 0; i < batch; i++) {
            bufs[i] = new Buf(1500);
        }
        byte[] plain = new byte[112];
        plain[0] = (byte) 0x80; plain[1] = 111;
        plain[8] = 0; plain[9] = 0; plain[10] = 0x12; plain[11] = 0x34;
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        int seq = 0;
        for (int round = 0; round < 5; round++) {
            long tProt = 0, tUnprot = 0;
            int done = 0;
            long a0 = mx.getThreadAllocatedBytes(tid);
            while (done < n) {
                for (int i = 0; i < batch; i++, seq++) {
                    plain[2] = (byte) (seq >> 8); plain[3] = (byte) seq;
                    System.arraycopy(plain, 0, bufs[i].b, 0, plain.length);
                    bufs[i].off = 0; bufs[i].len = plain.length;
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    if (tx.transformPacket(bufs[i]) != SrtpErrorStatus.OK) throw new IllegalStateException("protect");
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    if (rx.reverseTransformPacket(bufs[i], false) != SrtpErrorStatus.OK) throw new IllegalStateException("unprotect");
                }
                long t2 = System.nanoTime();
                tProt += t1 - t0; tUnprot += t2 - t1;
                done += batch;
            }
            long alloc = mx.getThreadAllocatedBytes(tid) - a0;
            System.out.printf("jitsi-srtp %-24s round %d: protect %5d ns/op, unprotect %5d ns/op, %.1f bytes allocated/packet%n",
                    name, round, tProt / done, tUnprot / done, alloc / (double) done);
        }
    }
}
