package dev.wavoice.media.srtp;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * SRTP and SRTCP for one master key: protect (what we send) or unprotect (what we receive), in place
 * in the caller's buffer. One context per direction per call; a context holds no global state and
 * starts no threads, so thousands of calls on one port each own two.
 *
 * <p>Packet-path contract: nothing here throws on packet content. Methods return the new length or
 * {@code -1}, and count the drop by {@link SrtpDropReason}. After warm-up no method allocates.
 * A context must be used by one thread at a time (the call's receive or send path).
 */
public final class SrtpContext {
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int RTP_PROTECTED = 0;
    private static final int RTP_UNPROTECTED = 1;
    private static final int RTCP_PROTECTED = 2;
    private static final int RTCP_UNPROTECTED = 3;
    private static final int FIRST_DROP = 4;

    private final SrtpProfile profile;
    private final SrtpOptions options;
    private final SrtpCipher cipher;
    private final SrtpStream[] streams;
    private int streamCount;
    private final AtomicLongArray counters = new AtomicLongArray(FIRST_DROP + SrtpDropReason.values().length);

    private SrtpContext(SrtpProfile profile, SrtpCipher cipher, SrtpOptions options) {
        this.profile = profile;
        this.cipher = cipher;
        this.options = options;
        this.streams = new SrtpStream[options.maxStreams()];
    }

    /** A context for one master key and salt, e.g. the local or remote half of DTLS-SRTP keys. */
    public static SrtpContext create(SrtpProfile profile, byte[] masterKey, byte[] masterSalt,
                                     SrtpOptions options) {
        if (masterKey.length != profile.keyLength() || masterSalt.length != profile.saltLength()) {
            throw new IllegalArgumentException(profile + " needs a " + profile.keyLength()
                    + "-byte key and " + profile.saltLength() + "-byte salt");
        }
        var keys = SrtpKeyDerivation.SessionKeys.derive(profile, masterKey, masterSalt);
        SrtpCipher cipher = switch (profile) {
            case AES_CM_128_HMAC_SHA1_80 -> new AesCmHmacSha1Cipher(keys);
            case AEAD_AES_128_GCM -> new AeadAesGcmCipher(keys);
        };
        return new SrtpContext(profile, cipher, options);
    }

    /** For the RFC vectors, which start from session keys rather than master keys. */
    static SrtpContext withCipher(SrtpProfile profile, SrtpCipher cipher, SrtpOptions options) {
        return new SrtpContext(profile, cipher, options);
    }

    public SrtpProfile profile() { return profile; }

    /**
     * Encrypts and authenticates the RTP packet at {@code buf[off, off+len)}; the buffer needs
     * {@link SrtpProfile#rtpOverhead()} spare bytes after it. Returns the SRTP length or -1.
     */
    public int protectRtp(byte[] buf, int off, int len) {
        int headerLen = rtpHeaderLength(buf, off, len);
        if (headerLen < 0) {
            return drop(SrtpDropReason.MALFORMED);
        }
        if (buf.length - off - len < profile.rtpOverhead()) {
            return drop(SrtpDropReason.NO_ROOM);
        }
        SrtpStream stream = streamFor(readInt(buf, off + 8), true);
        if (stream == null) {
            return drop(SrtpDropReason.TOO_MANY_STREAMS);
        }
        int seq = readShort(buf, off + 2);
        long index = stream.estimateIndex(seq);
        if (index < 0) {
            return drop(SrtpDropReason.INDEX_EXHAUSTED);
        }
        stream.update(index);
        int out = cipher.protectRtp(buf, off, len, headerLen, stream.ssrc, index >>> 16, seq);
        counters.lazySet(RTP_PROTECTED, counters.get(RTP_PROTECTED) + 1);
        return out;
    }

    /** Verifies, replay-checks and decrypts the SRTP packet in place. Returns the RTP length or -1. */
    public int unprotectRtp(byte[] buf, int off, int len) {
        int headerLen = rtpHeaderLength(buf, off, len);
        if (headerLen < 0 || len - headerLen < profile.tagLength()) {
            return drop(SrtpDropReason.MALFORMED);
        }
        int ssrc = readInt(buf, off + 8);
        SrtpStream stream = streamFor(ssrc, false);
        if (stream == null && streamCount == streams.length) {
            return drop(SrtpDropReason.TOO_MANY_STREAMS);
        }
        int seq = readShort(buf, off + 2);
        // An unknown SSRC starts at ROC 0; its state is kept only once a packet authenticates, so
        // garbage with random SSRCs cannot fill the table.
        long index = stream == null ? seq : stream.estimateIndex(seq);
        if (index < 0) {
            return drop(SrtpDropReason.TOO_OLD);
        }
        if (stream != null) {
            switch (stream.rtpReplay.check(index)) {
                case DUPLICATE -> { return drop(SrtpDropReason.REPLAYED); }
                case TOO_OLD -> { return drop(SrtpDropReason.TOO_OLD); }
                case FRESH -> { }
            }
        }
        int plain = cipher.unprotectRtp(buf, off, len, headerLen, ssrc, index >>> 16, seq);
        if (plain < 0) {
            return drop(SrtpDropReason.AUTH_FAILED);
        }
        if (stream == null) {
            stream = addStream(ssrc);
        }
        stream.rtpReplay.accept(index);
        stream.update(index);
        counters.lazySet(RTP_UNPROTECTED, counters.get(RTP_UNPROTECTED) + 1);
        return plain;
    }

    /**
     * Encrypts and authenticates the (compound) RTCP packet; needs
     * {@link SrtpProfile#rtcpOverhead()} spare bytes. Returns the SRTCP length or -1.
     */
    public int protectRtcp(byte[] buf, int off, int len) {
        if (!isRtcp(buf, off, len)) {
            return drop(SrtpDropReason.MALFORMED);
        }
        if (buf.length - off - len < profile.rtcpOverhead()) {
            return drop(SrtpDropReason.NO_ROOM);
        }
        SrtpStream stream = streamFor(readInt(buf, off + 4), true);
        if (stream == null) {
            return drop(SrtpDropReason.TOO_MANY_STREAMS);
        }
        int index = stream.takeRtcpIndex();
        if (index < 0) {
            return drop(SrtpDropReason.INDEX_EXHAUSTED);
        }
        int out = cipher.protectRtcp(buf, off, len, stream.ssrc, index);
        counters.lazySet(RTCP_PROTECTED, counters.get(RTCP_PROTECTED) + 1);
        return out;
    }

    /** Verifies, replay-checks and (if the E-bit says so) decrypts SRTCP. Returns RTCP length or -1. */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        if (len < RTCP_HEADER + profile.rtcpOverhead() || !isRtcp(buf, off, len)) {
            return drop(SrtpDropReason.MALFORMED);
        }
        // RFC 3711 §3.4 puts E|index before the tag; RFC 7714 §17 puts it after.
        int wordAt = profile == SrtpProfile.AEAD_AES_128_GCM ? len - 4 : len - profile.tagLength() - 4;
        int word = readInt(buf, off + wordAt);
        boolean encrypted = word < 0;
        int index = word & 0x7fff_ffff;
        int ssrc = readInt(buf, off + 4);
        SrtpStream stream = streamFor(ssrc, false);
        if (stream == null && streamCount == streams.length) {
            return drop(SrtpDropReason.TOO_MANY_STREAMS);
        }
        if (stream != null) {
            switch (stream.rtcpReplay.check(index)) {
                case DUPLICATE -> { return drop(SrtpDropReason.REPLAYED); }
                case TOO_OLD -> { return drop(SrtpDropReason.TOO_OLD); }
                case FRESH -> { }
            }
        }
        int plain = cipher.unprotectRtcp(buf, off, len, ssrc, index, encrypted);
        if (plain < 0) {
            return drop(SrtpDropReason.AUTH_FAILED);
        }
        if (stream == null) {
            stream = addStream(ssrc);
        }
        stream.rtcpReplay.accept(index);
        counters.lazySet(RTCP_UNPROTECTED, counters.get(RTCP_UNPROTECTED) + 1);
        return plain;
    }

    public SrtpStats stats() {
        var drops = SrtpStats.emptyDrops();
        for (SrtpDropReason r : SrtpDropReason.values()) {
            long n = counters.get(FIRST_DROP + r.ordinal());
            if (n != 0) {
                drops.put(r, n);
            }
        }
        return new SrtpStats(counters.get(RTP_PROTECTED), counters.get(RTP_UNPROTECTED),
                counters.get(RTCP_PROTECTED), counters.get(RTCP_UNPROTECTED), drops);
    }

    /** Test hook: put a stream in a known mid-life state (RFC 7714 vectors, ROC wrap). */
    void resumeStream(int ssrc, long roc, int highestSeq, int nextRtcpIndex) {
        SrtpStream s = streamFor(ssrc, true);
        s.resume(roc, highestSeq, nextRtcpIndex);
    }

    private int drop(SrtpDropReason reason) {
        counters.incrementAndGet(FIRST_DROP + reason.ordinal());
        return -1;
    }

    private SrtpStream streamFor(int ssrc, boolean create) {
        for (int i = 0; i < streamCount; i++) {
            if (streams[i].ssrc == ssrc) {
                return streams[i];
            }
        }
        if (!create || streamCount == streams.length) {
            return null;
        }
        return addStream(ssrc);
    }

    private SrtpStream addStream(int ssrc) {
        SrtpStream s = new SrtpStream(ssrc, options.replayWindow(), options.rtcpReplayWindow());
        streams[streamCount++] = s;
        return s;
    }

    /** RTP header length including CSRCs and extension (RFC 3550 §5.1, §5.3.1), or -1. */
    static int rtpHeaderLength(byte[] buf, int off, int len) {
        if (buf == null || off < 0 || len < RTP_HEADER || off + len > buf.length
                || (buf[off] & 0xC0) != 0x80) {
            return -1;
        }
        int headerLen = RTP_HEADER + 4 * (buf[off] & 0x0F);
        if ((buf[off] & 0x10) != 0) {
            if (headerLen + 4 > len) {
                return -1;
            }
            headerLen += 4 + 4 * readShort(buf, off + headerLen + 2);
        }
        return headerLen <= len ? headerLen : -1;
    }

    private static boolean isRtcp(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= RTCP_HEADER && off + len <= buf.length
                && (buf[off] & 0xC0) == 0x80;
    }

    private static int readShort(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16)
                | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
