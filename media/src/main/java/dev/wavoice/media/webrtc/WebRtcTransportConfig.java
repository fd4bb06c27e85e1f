package dev.wavoice.media.webrtc;

import dev.wavoice.media.dtls.DtlsConfig;
import dev.wavoice.media.ice.IceConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How the shared media port is set up.
 *
 * @param bind              the one UDP port all endpoints share; a wildcard address announces every interface
 * @param announcedAddress  a public address that reaches {@code bind} through a 1:1 NAT (announced as a
 *                          server-reflexive candidate), or null
 * @param tickPeriod        how often the shared ticker drives every ICE agent (pacing, retransmits, consent)
 */
public record WebRtcTransportConfig(InetSocketAddress bind, InetAddress announcedAddress, IceConfig ice,
                                    DtlsConfig dtls, Duration tickPeriod) {

    public static WebRtcTransportConfig defaults(InetSocketAddress bind) {
        return new WebRtcTransportConfig(bind, null, IceConfig.defaults(), DtlsConfig.defaults(), Duration.ofMillis(10));
    }

    public WebRtcTransportConfig withAnnouncedAddress(InetAddress address) {
        return new WebRtcTransportConfig(bind, address, ice, dtls, tickPeriod);
    }

    public WebRtcTransportConfig withIce(IceConfig config) {
        return new WebRtcTransportConfig(bind, announcedAddress, config, dtls, tickPeriod);
    }

    public WebRtcTransportConfig withDtls(DtlsConfig config) {
        return new WebRtcTransportConfig(bind, announcedAddress, ice, config, tickPeriod);
    }
}
