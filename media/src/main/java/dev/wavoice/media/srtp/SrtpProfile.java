package dev.wavoice.media.srtp;

/**
 * The SRTP protection profiles we speak, with the lengths their RFCs fix and the DTLS-SRTP
 * identifiers negotiated in the {@code use_srtp} extension (RFC 5764 §4.1.2, RFC 7714 §14.2).
 */
public enum SrtpProfile {
    /** RFC 3711 default transform; every WebRTC stack offers it. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 20, 10),
    /** RFC 7714: one AES pass for privacy and integrity, 16-byte tag, 12-byte salt. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 0, 16);

    private final int dtlsId;
    private final int keyLength;
    private final int saltLength;
    private final int authKeyLength;
    private final int tagLength;

    SrtpProfile(int dtlsId, int keyLength, int saltLength, int authKeyLength, int tagLength) {
        this.dtlsId = dtlsId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.authKeyLength = authKeyLength;
        this.tagLength = tagLength;
    }

    /** The SRTPProtectionProfile value carried in DTLS {@code use_srtp}. */
    public int dtlsId() { return dtlsId; }

    /** Master (and session) encryption key length in bytes. */
    public int keyLength() { return keyLength; }

    /** Master (and session) salt length in bytes. */
    public int saltLength() { return saltLength; }

    /** Session authentication key length; 0 for AEAD profiles. */
    public int authKeyLength() { return authKeyLength; }

    /** Authentication tag appended to each SRTP packet. */
    public int tagLength() { return tagLength; }

    /** Bytes an SRTP packet grows by when protected. */
    public int rtpOverhead() { return tagLength; }

    /** Bytes an SRTCP packet grows by when protected: tag plus the 4-byte E-flag/index word. */
    public int rtcpOverhead() { return tagLength + 4; }

    /** The profile with this DTLS-SRTP identifier, or {@code null} if we do not implement it. */
    public static SrtpProfile fromDtlsId(int id) {
        for (SrtpProfile p : values()) {
            if (p.dtlsId == id) {
                return p;
            }
        }
        return null;
    }
}
