package dev.wavoice.server.doctor;

import dev.wavoice.media.stun.StunClass;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import dev.wavoice.media.transport.PortRange;
import dev.wavoice.server.config.WavoiceConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The media UDP port can be bound (or this server holds it), and the address announced to WhatsApp is one the host
 * can be reached at: {@code WAVOICE_PUBLIC_IP} is an address of this host, or what the STUN server
 * ({@code WAVOICE_STUN_SERVER}) sees; with neither, the host's own addresses are announced, which WhatsApp cannot
 * reach when they are all private.
 */
final class MediaCheck implements DoctorCheck {
    static final String NAME = "media";

    private final DoctorSetup setup;

    MediaCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() throws IOException {
        WavoiceConfig config = setup.config();
        int port = config.mediaPorts() != null ? PortRange.parse(config.mediaPorts()).first() : config.mediaPort();
        String portText = "UDP " + config.mediaHost() + ":" + port;
        DatagramSocket socket = null;
        try {
            if (setup.mediaPortHeld()) {
                portText += " held by this server";
                socket = new DatagramSocket(0); // a port of its own for the STUN question
            } else {
                try {
                    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(config.mediaHost()), port));
                    portText += " free to bind";
                } catch (BindException e) {
                    return Check.fail(NAME, portText + " cannot be bound: " + e.getMessage(),
                            "another process holds the port (a running wavoice serve?): stop it, or set "
                                    + "WAVOICE_MEDIA_PORT to a free port and open it in the firewall");
                }
            }
            return address(config, socket, portText);
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
    }

    private Check address(WavoiceConfig config, DatagramSocket socket, String portText) throws SocketException {
        List<InetAddress> own = hostAddresses();
        if (config.publicIp() != null) {
            InetAddress announced;
            try {
                announced = InetAddress.getByName(config.publicIp());
            } catch (IOException e) {
                return Check.fail(NAME, portText + "; WAVOICE_PUBLIC_IP " + config.publicIp() + " is not an address",
                        "set WAVOICE_PUBLIC_IP to this host's public IPv4 address");
            }
            if (own.contains(announced)) {
                return Check.ok(NAME, portText + "; announces " + config.publicIp() + ", an address of this host");
            }
            if (config.stunServer() == null) {
                return Check.warn(NAME, portText + "; announces " + config.publicIp()
                                + ", not an address of this host (1:1 NAT?)",
                        "make sure UDP " + config.mediaPort() + " on " + config.publicIp() + " forwards here, or set "
                                + "WAVOICE_STUN_SERVER so the doctor and the service can confirm the mapping");
            }
            InetSocketAddress mapped;
            try {
                mapped = askStun(socket, config.stunServer());
            } catch (IOException e) {
                return Check.fail(NAME, portText + "; STUN server " + config.stunServer() + " did not answer: "
                        + e.getMessage(), "check WAVOICE_STUN_SERVER and that outbound UDP is allowed");
            }
            if (mapped.getAddress().equals(announced)) {
                return Check.ok(NAME, portText + "; announces " + config.publicIp() + ", as STUN "
                        + config.stunServer() + " sees this host");
            }
            return Check.fail(NAME, portText + "; announces " + config.publicIp() + " but STUN "
                    + config.stunServer() + " sees this host as " + mapped.getAddress().getHostAddress(),
                    "set WAVOICE_PUBLIC_IP to " + mapped.getAddress().getHostAddress() + " (or unset it and keep "
                            + "WAVOICE_STUN_SERVER)");
        }
        if (config.stunServer() != null) {
            try {
                InetSocketAddress mapped = askStun(socket, config.stunServer());
                return Check.ok(NAME, portText + "; STUN " + config.stunServer() + " sees this host as "
                        + mapped.getAddress().getHostAddress());
            } catch (IOException e) {
                return Check.fail(NAME, portText + "; STUN server " + config.stunServer() + " did not answer: "
                        + e.getMessage(), "check WAVOICE_STUN_SERVER and that outbound UDP is allowed");
            }
        }
        boolean anyPublic = own.stream().anyMatch(MediaCheck::isPublic);
        if (!anyPublic) {
            return Check.warn(NAME, portText + "; no WAVOICE_PUBLIC_IP or WAVOICE_STUN_SERVER, and this host has "
                            + "only private addresses",
                    "WhatsApp cannot reach a private address: set WAVOICE_PUBLIC_IP to the public address that "
                            + "forwards UDP here, or WAVOICE_STUN_SERVER to learn it");
        }
        return Check.ok(NAME, portText + "; announces this host's public addresses");
    }

    static boolean isPublic(InetAddress a) {
        return !(a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()
                // IPv6 unique local (fc00::/7) and carrier-grade NAT (100.64.0.0/10) are private too
                || (!(a instanceof Inet4Address) && (a.getAddress()[0] & 0xfe) == 0xfc)
                || (a instanceof Inet4Address && (a.getAddress()[0] & 0xff) == 100 && (a.getAddress()[1] & 0xc0) == 64));
    }

    private static List<InetAddress> hostAddresses() throws SocketException {
        List<InetAddress> all = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            all.addAll(Collections.list(nic.getInetAddresses()));
        }
        return all;
    }

    /** One RFC 8489 Binding request, retransmitted as the request timeout allows; the mapped address. */
    private InetSocketAddress askStun(DatagramSocket socket, String server) throws IOException {
        int colon = server.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        if (to.isUnresolved()) {
            throw new IOException("cannot resolve " + server.substring(0, colon));
        }
        TransactionId id = TransactionId.random(new SecureRandom());
        byte[] request = StunMessageBuilder.bindingRequest(id).encode(null, true);
        byte[] buf = new byte[1500];
        long deadline = System.nanoTime() + setup.requestTimeout().toNanos();
        int rtoMs = 250;
        while (System.nanoTime() < deadline) {
            socket.send(new DatagramPacket(request, request.length, to));
            long waitUntil = Math.min(deadline, System.nanoTime() + rtoMs * 1_000_000L);
            while (System.nanoTime() < waitUntil) {
                socket.setSoTimeout((int) Math.max(1, (waitUntil - System.nanoTime()) / 1_000_000));
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    break;
                }
                StunMessage m = StunMessage.parse(buf, 0, in.getLength());
                if (m != null && m.transactionId().equals(id) && m.stunClass() == StunClass.SUCCESS_RESPONSE
                        && m.mappedAddress() != null) {
                    return m.mappedAddress();
                }
            }
            rtoMs *= 2;
        }
        throw new IOException("no answer within " + setup.requestTimeout().toMillis() + " ms");
    }
}
