package dev.wavoice.server.media;

import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Chooses how calls are carried. A call is answered only when its audio has somewhere to go: today that is the
 * echo line test; the local and OpenAI agents are refused with a stated reason until they are part of the build.
 */
public final class CallMediaFactory {
    private CallMediaFactory() {}

    /** The call media and what must be closed with the server (the shared media port). */
    public record Opened(CallMedia media, AutoCloseable resources) {}

    public static Opened open(WavoiceConfig config) throws IOException {
        if (config.agent() != AgentKind.ECHO) {
            return new Opened(new CallMedia.Unavailable("the '" + config.agent().configName()
                    + "' agent is not part of this build yet; WAVOICE_AGENT=echo answers calls as a line test"), () -> { });
        }
        WebRtcTransportConfig media = WebRtcTransportConfig.defaults(
                new InetSocketAddress(InetAddress.getByName(config.mediaHost()), config.mediaPort()));
        if (config.publicIp() != null) {
            media = media.withAnnouncedAddress(InetAddress.getByName(config.publicIp()));
        }
        if (config.stunServer() != null) {
            int colon = config.stunServer().lastIndexOf(':');
            media = media.withStunServer(new InetSocketAddress(config.stunServer().substring(0, colon),
                    Integer.parseInt(config.stunServer().substring(colon + 1))));
        }
        WebRtcTransport transport = WebRtcTransport.open(media);
        return new Opened(new WebRtcCallMedia(transport, new EchoRoute()), transport);
    }
}
