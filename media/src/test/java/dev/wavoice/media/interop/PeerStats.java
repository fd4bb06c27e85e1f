package dev.wavoice.media.interop;

import java.util.Map;

/**
 * The essentials of one RTCPeerConnection.getStats() report, plus the raw object the page built from it.
 *
 * @param connectionState RTCPeerConnection.connectionState
 * @param iceState the transport's ICE state ("connected", "completed", ...)
 * @param dtlsState the transport's DTLS state ("connected" once keys are agreed)
 * @param dtlsRole "client" or "server"
 * @param srtpCipher e.g. "AES_CM_128_HMAC_SHA1_80" or "AEAD_AES_128_GCM"
 * @param selectedPair the nominated candidate pair, or null before ICE selects one
 * @param inboundCodec mime type of the received codec, e.g. "audio/opus"
 * @param jitterSeconds inbound-rtp jitter, in seconds
 */
public record PeerStats(
        String connectionState,
        String iceState,
        String dtlsState,
        String dtlsRole,
        String srtpCipher,
        CandidatePair selectedPair,
        long packetsReceived,
        long bytesReceived,
        long packetsLost,
        double jitterSeconds,
        String inboundCodec,
        long packetsSent,
        long bytesSent,
        String outboundCodec,
        Map<String, Object> raw) {

    /** One end of the selected pair. */
    public record Candidate(String address, int port, String type, String protocol) {
    }

    public record CandidatePair(String state, Candidate local, Candidate remote, double currentRoundTripTimeSeconds) {
    }

    static PeerStats from(Map<String, Object> m) {
        Map<String, Object> in = map(m.get("inbound"));
        Map<String, Object> out = map(m.get("outbound"));
        Map<String, Object> pair = map(m.get("selectedCandidatePair"));
        return new PeerStats(
                str(m.get("connectionState")),
                str(m.get("iceState")),
                str(m.get("dtlsState")),
                str(m.get("dtlsRole")),
                str(m.get("srtpCipher")),
                pair.isEmpty() ? null : new CandidatePair(str(pair.get("state")),
                        candidate(map(pair.get("local"))), candidate(map(pair.get("remote"))),
                        ChromiumPeer.number(pair.get("currentRoundTripTime"))),
                whole(in.get("packetsReceived")),
                whole(in.get("bytesReceived")),
                whole(in.get("packetsLost")),
                ChromiumPeer.number(in.get("jitter")),
                str(in.get("codec")),
                whole(out.get("packetsSent")),
                whole(out.get("bytesSent")),
                str(out.get("codec")),
                m);
    }

    private static Candidate candidate(Map<String, Object> c) {
        return c.isEmpty() ? null : new Candidate(str(c.get("address")), (int) whole(c.get("port")),
                str(c.get("candidateType")), str(c.get("protocol")));
    }

    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : ChromiumPeer.asMap(o);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static long whole(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
