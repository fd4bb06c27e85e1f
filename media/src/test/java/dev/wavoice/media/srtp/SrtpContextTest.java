package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpContextTest {
    private static final int SSRC = 0xCAFEBABE;

    private static SrtpKeyMaterial keys(SrtpProfile profile) {
        byte[] k1 = new byte[profile.keyLength()];
        byte[] s1 = new byte[profile.saltLength()];
        byte[] k2 = new byte[profile.keyLength()];
        byte[] s2 = new byte[profile.saltLength()];
        for (int i = 0; i < k1.length; i++) { k1[i] = (byte) i; k2[i] = (byte) (0x80 + i); }
        for (int i = 0; i < s1.length; i++) { s1[i] = (byte) (0x40 + i); s2[i] = (byte) (0xC0 + i); }
        return new SrtpKeyMaterial(profile, k1, s1, k2, s2);
    }

    /** Sender (A) and receiver (B) sessions holding each other's keys, as DTLS would give them. */
    private static SrtpSession[] pair(SrtpProfile profile, SrtpOptions options) {
        SrtpKeyMaterial a = keys(profile);
        return new SrtpSession[] {SrtpSession.create(a, options), SrtpSession.create(a.mirrored(), options)};
    }

    static byte[] rtp(int seq, int payloadLength, int capacity) {
        byte[] p = new byte[capacity];
        p[0] = (byte) 0x90; // V=2, X=1
        p[1] = 111;
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
        p[4] = 0x12;
        p[8] = (byte) (SSRC >>> 24);
        p[9] = (byte) (SSRC >>> 16);
        p[10] = (byte) (SSRC >>> 8);
        p[11] = (byte) SSRC;
        p[12] = (byte) 0xBE; // one-byte header extension profile (RFC 8285), one word
        p[13] = (byte) 0xDE;
        p[15] = 1;
        p[16] = 0x10; // ssrc-audio-level, id 1
        p[17] = 0x7F;
        for (int i = 0; i < payloadLength; i++) {
            p[20 + i] = (byte) (seq + i);
        }
        return p;
    }

    static byte[] rtcp(int capacity) {
        byte[] p = new byte[capacity];
        p[0] = (byte) 0x81; // RR with one report block
        p[1] = (byte) 201;
        p[3] = 7;
        p[4] = (byte) (SSRC >>> 24);
        p[5] = (byte) (SSRC >>> 16);
        p[6] = (byte) (SSRC >>> 8);
        p[7] = (byte) SSRC;
        for (int i = 8; i < 32; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    private static int send(SrtpContext ctx, byte[] buf, int len) {
        int out = ctx.protectRtp(buf, 0, len);
        assertThat(out).isEqualTo(len + ctx.profile().rtpOverhead());
        return out;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void roundTripRestoresTheRtpPacket(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] plain = rtp(1000, 100, 200);
        byte[] buf = plain.clone();
        int len = send(s[0].outbound(), buf, 120);
        assertThat(Arrays.copyOfRange(buf, 20, 120)).isNotEqualTo(Arrays.copyOfRange(plain, 20, 120));
        assertThat(Arrays.copyOf(buf, 20)).isEqualTo(Arrays.copyOf(plain, 20));

        assertThat(s[1].inbound().unprotectRtp(buf, 0, len)).isEqualTo(120);
        assertThat(Arrays.copyOf(buf, 120)).isEqualTo(Arrays.copyOf(plain, 120));
        assertThat(s[1].inbound().stats().rtpUnprotected()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void replayedPacketIsDropped(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] buf = rtp(7, 100, 200);
        int len = send(s[0].outbound(), buf, 120);
        byte[] copy = buf.clone();
        assertThat(s[1].inbound().unprotectRtp(buf, 0, len)).isEqualTo(120);
        assertThat(s[1].inbound().unprotectRtp(copy, 0, len)).isEqualTo(-1);
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.REPLAYED)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void tamperedPacketsFailAuthenticationWherever(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] buf = rtp(9, 100, 200);
        int len = send(s[0].outbound(), buf, 120);
        for (int at : new int[] {1, 4, 17, 60, len - 1}) {
            byte[] forged = buf.clone();
            forged[at] ^= 0x01;
            assertThat(s[1].inbound().unprotectRtp(forged, 0, len)).as("flip at %d", at).isEqualTo(-1);
        }
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.AUTH_FAILED)).isEqualTo(5);
        // The genuine packet still passes: forgeries did not advance the replay window.
        assertThat(s[1].inbound().unprotectRtp(buf, 0, len)).isEqualTo(120);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rolloverCounterAdvancesAcrossSequenceWrap(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        int[] order = {65533, 65534, 65535, 0, 1, 2};
        byte[][] wire = new byte[order.length][];
        for (int i = 0; i < order.length; i++) {
            wire[i] = rtp(order[i], 100, 200);
            send(s[0].outbound(), wire[i], 120);
        }
        int last = order.length - 1;
        // Deliver with reordering across the wrap: 65533, 0, 65535, 1, 65534, 2.
        for (int i : new int[] {0, 3, 2, 4, 1, 5}) {
            byte[] buf = wire[i];
            assertThat(s[1].inbound().unprotectRtp(buf, 0, 120 + profile.rtpOverhead()))
                    .as("seq %d", order[i]).isEqualTo(120);
            assertThat(Arrays.copyOf(buf, 120)).isEqualTo(Arrays.copyOf(rtp(order[i], 100, 200), 120));
        }
        assertThat(s[1].inbound().stats().rtpUnprotected()).isEqualTo(last + 1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void packetsOlderThanTheWindowAreDropped(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] old = rtp(10, 100, 200);
        send(s[0].outbound(), old, 120);
        for (int seq = 11; seq < 11 + 200; seq++) {
            byte[] b = rtp(seq, 100, 200);
            int len = send(s[0].outbound(), b, 120);
            assertThat(s[1].inbound().unprotectRtp(b, 0, len)).isEqualTo(120);
        }
        assertThat(s[1].inbound().unprotectRtp(old, 0, 120 + profile.rtpOverhead())).isEqualTo(-1);
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.TOO_OLD)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void srtcpRoundTripAndReplay(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] plain = rtcp(100);
        byte[] buf = plain.clone();
        int len = s[0].outbound().protectRtcp(buf, 0, 32);
        assertThat(len).isEqualTo(32 + profile.rtcpOverhead());
        byte[] replay = buf.clone();
        assertThat(s[1].inbound().unprotectRtcp(buf, 0, len)).isEqualTo(32);
        assertThat(Arrays.copyOf(buf, 32)).isEqualTo(Arrays.copyOf(plain, 32));
        assertThat(s[1].inbound().unprotectRtcp(replay, 0, len)).isEqualTo(-1);
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.REPLAYED)).isEqualTo(1);

        byte[] second = rtcp(100);
        int len2 = s[0].outbound().protectRtcp(second, 0, 32);
        // A new SRTCP index each time, with the E-bit set (RFC 3711 §3.4).
        int wordAt = profile == SrtpProfile.AEAD_AES_128_GCM ? len2 - 4 : len2 - profile.tagLength() - 4;
        assertThat(second[wordAt] & 0x80).isEqualTo(0x80);
        assertThat(second[wordAt + 3]).isEqualTo((byte) 1);
        second[10] ^= 4;
        assertThat(s[1].inbound().unprotectRtcp(second, 0, len2)).isEqualTo(-1);
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.AUTH_FAILED)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void wrongKeysNeverDecrypt(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults());
        byte[] buf = rtp(1, 100, 200);
        int len = send(s[0].outbound(), buf, 120);
        assertThat(s[0].inbound().unprotectRtp(buf, 0, len)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void garbageNeverThrowsAndIsCounted(SrtpProfile profile) {
        SrtpContext in = pair(profile, SrtpOptions.defaults())[1].inbound();
        Random random = new Random(42);
        int drops = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(80)];
            random.nextBytes(junk);
            if (i % 2 == 0 && junk.length > 0) {
                junk[0] = (byte) (0x80 | (junk[0] & 0x3F)); // pass the version check sometimes
            }
            drops += in.unprotectRtp(junk, 0, junk.length) < 0 ? 1 : 0;
            drops += in.unprotectRtcp(junk, 0, junk.length) < 0 ? 1 : 0;
        }
        assertThat(drops).isEqualTo(4000);
        assertThat(in.unprotectRtp(null, 0, 10)).isEqualTo(-1);
        assertThat(in.unprotectRtp(new byte[20], 15, 20)).isEqualTo(-1);
        assertThat(in.stats().droppedTotal()).isEqualTo(4002);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectRefusesABufferWithoutRoomForTheTag(SrtpProfile profile) {
        SrtpContext out = pair(profile, SrtpOptions.defaults())[0].outbound();
        byte[] tight = Arrays.copyOf(rtp(1, 100, 200), 120);
        assertThat(out.protectRtp(tight, 0, 120)).isEqualTo(-1);
        assertThat(out.stats().dropped(SrtpDropReason.NO_ROOM)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void newSsrcsBeyondTheLimitAreRefused(SrtpProfile profile) {
        SrtpSession[] s = pair(profile, SrtpOptions.defaults().withMaxStreams(1));
        byte[] first = rtp(1, 100, 200);
        assertThat(s[1].inbound().unprotectRtp(first, 0, send(s[0].outbound(), first, 120))).isEqualTo(120);
        SrtpSession[] other = pair(profile, SrtpOptions.defaults());
        byte[] second = rtp(1, 100, 200);
        second[11] ^= 1;
        int len = send(other[0].outbound(), second, 120);
        assertThat(s[1].inbound().unprotectRtp(second, 0, len)).isEqualTo(-1);
        assertThat(s[1].inbound().stats().dropped(SrtpDropReason.TOO_MANY_STREAMS)).isEqualTo(1);
    }
}
