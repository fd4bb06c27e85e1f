package dev.wavoice.media.dtls;

import dev.wavoice.media.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Immutable DTLS settings shared by the endpoints of a process.
 *
 * @param handshakeTimeout   give up (typed failure) if the handshake has not completed by then
 * @param initialRetransmit  first flight retransmission timer, doubled on each loss (RFC 6347
 *                           §4.2.4.1 recommends 1 s; BC caps the doubling at 60 s)
 * @param mtu                largest datagram we send; 1200 keeps the certificate flight
 *                           unfragmented by IP on tunnels and mobile paths
 * @param receiveQueue       datagrams buffered between the mux thread and the handshake; beyond
 *                           it they are dropped and counted (DTLS retransmits)
 * @param srtpProfiles       offered (client) or accepted (server) in order of preference
 * @param threads            where each endpoint's handshake and alert watcher run; virtual
 *                           threads by default so thousands of calls hold no platform thread
 */
public record DtlsConfig(Duration handshakeTimeout, Duration initialRetransmit, int mtu, int receiveQueue,
                         List<SrtpProfile> srtpProfiles, ThreadFactory threads) {

    public DtlsConfig {
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        if (initialRetransmit.toMillis() < 10) {
            throw new IllegalArgumentException("initialRetransmit below 10 ms would flood the peer");
        }
        if (mtu < 256 || mtu > 65_507) {
            throw new IllegalArgumentException("mtu out of range: " + mtu);
        }
        if (receiveQueue < 4) {
            throw new IllegalArgumentException("receiveQueue must hold a handshake flight (>= 4)");
        }
        if (srtpProfiles.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP profile is required");
        }
        srtpProfiles = List.copyOf(srtpProfiles);
    }

    public static DtlsConfig defaults() {
        return new DtlsConfig(Duration.ofSeconds(10), Duration.ofSeconds(1), 1200, 64,
                List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80),
                Thread.ofVirtual().name("dtls-", 0).factory());
    }

    public DtlsConfig withHandshakeTimeout(Duration d) {
        return new DtlsConfig(d, initialRetransmit, mtu, receiveQueue, srtpProfiles, threads);
    }

    public DtlsConfig withInitialRetransmit(Duration d) {
        return new DtlsConfig(handshakeTimeout, d, mtu, receiveQueue, srtpProfiles, threads);
    }

    public DtlsConfig withSrtpProfiles(List<SrtpProfile> profiles) {
        return new DtlsConfig(handshakeTimeout, initialRetransmit, mtu, receiveQueue, profiles, threads);
    }

    public DtlsConfig withThreads(ThreadFactory factory) {
        return new DtlsConfig(handshakeTimeout, initialRetransmit, mtu, receiveQueue, srtpProfiles, factory);
    }
}
