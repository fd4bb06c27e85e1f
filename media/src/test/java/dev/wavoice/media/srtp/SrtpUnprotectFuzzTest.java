package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wavoice.media.rtp.RtcpWriter;
import dev.wavoice.media.rtp.ReportBlock;
import dev.wavoice.media.rtp.RtpHeaderWriter;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * SRTP and SRTCP unprotect under real keys (derived from a fixed master key and salt, both profiles). Three kinds of
 * input: bytes from the network as they come, which must never authenticate; and RTP or RTCP packets built from the
 * input, protected by the sender, then given to the receiver whole, with bits flipped, and again. A packet whose tag
 * is wrong is never returned, a failed one leaves no trace (the genuine packet still passes after it), and a packet
 * seen once is refused the second time.
 */
class SrtpUnprotectFuzzTest {
    private static final int SPARE = 32;

    @FuzzTest
    void unprotectRefusesForgeriesAndReplays(FuzzedDataProvider data) {
        SrtpProfile profile = data.consumeBoolean() ? SrtpProfile.AEAD_AES_128_GCM : SrtpProfile.AES_CM_128_HMAC_SHA1_80;
        int mode = data.consumeInt(0, 2);
        // Raw bytes meet a receiver whose key no sender in this process ever uses. With one key for all modes the
        // fuzzer once replayed, as "raw bytes", a packet protected in an earlier run: the comparison hooks had fed
        // it the sender's output. That authenticates rightly, and says nothing about forgery.
        SrtpKeyMaterial keys = fixedKeys(profile, mode == 0 ? 0x5A : 0x11);
        SrtpContext sender = SrtpSession.create(keys, SrtpOptions.defaults()).outbound();
        SrtpContext receiver = SrtpSession.create(keys.mirrored(), SrtpOptions.defaults()).inbound();
        switch (mode) {
            case 0 -> {
                byte[] raw = data.consumeRemainingAsBytes();
                boolean rtcp = raw.length > 1 && (raw[1] & 0xFF) >= 192 && (raw[1] & 0xFF) <= 223;
                int plain = rtcp ? receiver.unprotectRtcp(raw, 0, raw.length) : receiver.unprotectRtp(raw, 0, raw.length);
                assertThat(plain).as("bytes nobody protected authenticated").isEqualTo(-1);
                assertThat(receiver.stats().droppedTotal()).isEqualTo(1);
            }
            case 1 -> {
                int seq = data.consumeInt(0, 0xFFFF);
                long ts = data.consumeLong() & 0xFFFFFFFFL;
                long ssrc = data.consumeLong() & 0xFFFFFFFFL;
                int levelId = data.consumeInt(0, 255);
                byte[] payload = data.consumeBytes(200);
                byte[][] packets = new byte[3][];
                for (int i = 0; i < 3; i++) {
                    packets[i] = rtp((seq + i) & 0xFFFF, (ts + 960L * i) & 0xFFFFFFFFL, ssrc, levelId, payload);
                }
                check(sender::protectRtp, receiver::unprotectRtp, packets, data, receiver);
            }
            default -> {
                long ssrc = data.consumeLong() & 0xFFFFFFFFL;
                List<ReportBlock> blocks = List.of(new ReportBlock(data.consumeLong() & 0xFFFFFFFFL,
                        data.consumeInt(0, 255), data.consumeInt(-0x800000, 0x7FFFFF), data.consumeInt() & 0xFFFFFFFFL,
                        data.consumeInt() & 0xFFFFFFFFL, 0, 0));
                check(sender::protectRtcp, receiver::unprotectRtcp,
                        new byte[][] {rtcp(ssrc, blocks), rtcp(ssrc, blocks), rtcp(ssrc, blocks)}, data, receiver);
            }
        }
    }

    private interface Transform {
        int apply(byte[] buf, int off, int len);
    }

    /**
     * Sends three packets: the first establishes the stream (a receiver starts a new SSRC at rollover counter 0,
     * RFC 3711 §3.3.1, so it cannot authenticate a first packet sent after the sender's sequence wrapped); then a
     * forgery of the third, the genuine third, the second late but within the replay window, and both again.
     */
    private static void check(Transform protect, Transform unprotect, byte[][] packets, FuzzedDataProvider data,
            SrtpContext receiver) {
        int plainLength = packets[0].length - SPARE;
        byte[][] plain = new byte[3][];
        int protectedLength = -1;
        for (int i = 0; i < 3; i++) {
            plain[i] = Arrays.copyOf(packets[i], plainLength);
            int n = protect.apply(packets[i], 0, plainLength);
            assertThat(n).isGreaterThan(plainLength);
            assertThat(protectedLength < 0 || n == protectedLength).isTrue();
            protectedLength = n;
        }
        int length = protectedLength;
        assertThat(unprotect.apply(Arrays.copyOf(packets[0], length), 0, length)).isEqualTo(plainLength);

        byte[] forged = Arrays.copyOf(packets[2], length);
        // Which bits end up flipped is tracked apart from the bytes: comparing the forgery with the genuine packet
        // would hand the genuine bytes to the fuzzer's comparison hooks.
        BitSet flipped = new BitSet();
        int flips = data.consumeInt(1, 4);
        for (int i = 0; i < flips; i++) {
            int bit = data.consumeInt(0, length * 8 - 1);
            forged[bit / 8] ^= (byte) (1 << (bit % 8));
            flipped.flip(bit);
        }
        if (!flipped.isEmpty()) {
            assertThat(unprotect.apply(forged, 0, length)).as("a packet with flipped bits passed").isEqualTo(-1);
        }
        for (int i : new int[] {2, 1}) {
            byte[] genuine = Arrays.copyOf(packets[i], length);
            assertThat(unprotect.apply(genuine, 0, length)).as("genuine packet %d", i).isEqualTo(plainLength);
            assertThat(Arrays.copyOf(genuine, plainLength)).isEqualTo(plain[i]);
        }
        long replaysBefore = receiver.stats().dropped(SrtpDropReason.REPLAYED);
        for (int i = 0; i < 3; i++) {
            byte[] replay = Arrays.copyOf(packets[i], length);
            assertThat(unprotect.apply(replay, 0, length)).as("replayed packet %d passed", i).isEqualTo(-1);
        }
        assertThat(receiver.stats().dropped(SrtpDropReason.REPLAYED)).isEqualTo(replaysBefore + 3);
    }

    private static byte[] rtp(int seq, long ts, long ssrc, int levelId, byte[] payload) {
        byte[] buf = new byte[RtpHeaderWriter.HEADER_WITH_AUDIO_LEVEL + payload.length + SPARE];
        int header = levelId == 0 ? RtpHeaderWriter.write(buf, 0, false, 111, seq, ts, ssrc)
                : RtpHeaderWriter.writeWithAudioLevel(buf, 0, false, 111, seq, ts, ssrc, levelId, 0x85);
        System.arraycopy(payload, 0, buf, header, payload.length);
        return Arrays.copyOf(buf, header + payload.length + SPARE);
    }

    private static byte[] rtcp(long ssrc, List<ReportBlock> blocks) {
        byte[] buf = new byte[256];
        int n = RtcpWriter.receiverReport(buf, 0, ssrc, blocks);
        return Arrays.copyOf(buf, n + SPARE);
    }

    /** A fixed master key and salt per direction, as DTLS would export them; {@code seed} picks the local key. */
    static SrtpKeyMaterial fixedKeys(SrtpProfile profile, int seed) {
        byte[] k1 = new byte[profile.keyLength()];
        byte[] s1 = new byte[profile.saltLength()];
        byte[] k2 = new byte[profile.keyLength()];
        byte[] s2 = new byte[profile.saltLength()];
        for (int i = 0; i < k1.length; i++) {
            k1[i] = (byte) (seed * i + 3);
            k2[i] = (byte) (0x80 + i);
        }
        for (int i = 0; i < s1.length; i++) {
            s1[i] = (byte) (0x40 + i);
            s2[i] = (byte) (0xC0 + i);
        }
        return new SrtpKeyMaterial(profile, k1, s1, k2, s2);
    }
}
