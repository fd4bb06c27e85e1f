package dev.wavoice.media.webrtc;

import dev.wavoice.media.dtls.DtlsConfig;
import dev.wavoice.media.ice.IceConfig;
import dev.wavoice.media.transport.PortRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How the shared media port is set up.
 *
 * @param bind              the one UDP port all endpoints share; a wildcard address announces every interface
 * @param announcedAddress  a public address that reaches {@code bind} through a 1:1 NAT (announced as a
 *                          server-reflexive candidate), or null
 * @param stunServer        asked once for the port's public address (a server-reflexive candidate for calls
 *                          created after it answers; no call ever waits for it), or null
 * @param tickPeriod        the shared ICE ticker's slot: a connecting agent is driven every period (pacing,
 *                          retransmits), a connected one only when its next consent check or timeout is due
 * @param perCallPorts      when set, each call gets a socket of its own from this range (at {@code bind}'s address)
 *                          instead of sharing {@code bind}'s port; null for the shared port
 */
public record WebRtcTransportConfig(InetSocketAddress bind, InetAddress announcedAddress,
                                    InetSocketAddress stunServer, IceConfig ice, DtlsConfig dtls,
                                    Duration tickPeriod, PortRange perCallPorts) {

    public static WebRtcTransportConfig defaults(InetSocketAddress bind) {
        return new WebRtcTransportConfig(bind, null, null, IceConfig.defaults(), DtlsConfig.defaults(),
                Duration.ofMillis(10), null);
    }

    public WebRtcTransportConfig withAnnouncedAddress(InetAddress address) {
        return new WebRtcTransportConfig(bind, address, stunServer, ice, dtls, tickPeriod, perCallPorts);
    }

    public WebRtcTransportConfig withStunServer(InetSocketAddress server) {
        return new WebRtcTransportConfig(bind, announcedAddress, server, ice, dtls, tickPeriod, perCallPorts);
    }

    public WebRtcTransportConfig withIce(IceConfig config) {
        return new WebRtcTransportConfig(bind, announcedAddress, stunServer, config, dtls, tickPeriod, perCallPorts);
    }

    public WebRtcTransportConfig withPerCallPorts(PortRange range) {
        return new WebRtcTransportConfig(bind, announcedAddress, stunServer, ice, dtls, tickPeriod, range);
    }

    public WebRtcTransportConfig withDtls(DtlsConfig config) {
        return new WebRtcTransportConfig(bind, announcedAddress, stunServer, ice, config, tickPeriod, perCallPorts);
    }
}
