package dev.wavoice.media.ice;

import dev.wavoice.media.sdp.Candidate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A UDP candidate for component 1 (RTP and RTCP are muxed, RFC 8843), with resolved addresses.
 *
 * @param relatedAddress the base of a reflexive candidate (raddr/rport), or null
 */
public record IceCandidate(CandidateType type, InetSocketAddress address, long priority, String foundation,
                           InetSocketAddress relatedAddress) {

    public static final int COMPONENT_RTP = 1;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public IceCandidate {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(foundation, "foundation");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("candidate address must be resolved: " + address);
        }
    }

    /** RFC 8445 §5.1.2.1: type preference, local preference (0..65535), component. */
    public static long priority(CandidateType type, int localPreference, int component) {
        return ((long) type.typePreference() << 24) | ((long) (localPreference & 0xFFFF) << 8) | (256 - component);
    }

    /**
     * A candidate on the socket we actually bound (its own base). It must be a concrete interface address:
     * a socket bound to the wildcard is announced once per interface address, with the socket's port.
     */
    public static IceCandidate host(InetSocketAddress address, int localPreference) {
        if (address.getAddress() != null && address.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("a host candidate needs an interface address, not " + address);
        }
        return new IceCandidate(CandidateType.HOST, address,
                priority(CandidateType.HOST, localPreference, COMPONENT_RTP), foundation(CandidateType.HOST, address), null);
    }

    /**
     * A public address configured by the operator (for example a 1:1 NAT in front of the host) whose traffic
     * reaches {@code base}. It is announced like a server-reflexive candidate (RFC 8445 §5.1.1.2), because
     * that is what it is, and it is never a base of its own: checks are sent from {@code base}.
     */
    public static IceCandidate announced(InetSocketAddress publicAddress, InetSocketAddress base, int localPreference) {
        return new IceCandidate(CandidateType.SERVER_REFLEXIVE, publicAddress,
                priority(CandidateType.SERVER_REFLEXIVE, localPreference, COMPONENT_RTP),
                foundation(CandidateType.SERVER_REFLEXIVE, base), base);
    }

    /** RFC 8445 §5.1.1.3: same type and base share a foundation. */
    static String foundation(CandidateType type, InetSocketAddress base) {
        return Integer.toUnsignedString((type.name() + base.getAddress().getHostAddress()).hashCode());
    }

    public boolean isIpv4() {
        return address.getAddress().getAddress().length == 4;
    }

    /** Our candidate as an SDP attribute value. */
    public Candidate toSdp() {
        return new Candidate(foundation, COMPONENT_RTP, "udp", priority, address.getAddress().getHostAddress(),
                address.getPort(), type.sdpName(),
                relatedAddress == null ? null : relatedAddress.getAddress().getHostAddress(),
                relatedAddress == null ? -1 : relatedAddress.getPort(), List.of());
    }

    /**
     * The peer's candidate, or null when we cannot use it: not UDP, another component, a hostname (mDNS
     * names are not resolved here) or an unknown type.
     */
    public static IceCandidate fromSdp(Candidate c) {
        CandidateType type = CandidateType.fromSdp(c.type());
        InetAddress ip = literal(c.address());
        if (!c.isUdp() || c.component() != COMPONENT_RTP || type == null || ip == null) {
            return null;
        }
        InetAddress rel = c.relatedAddress() == null ? null : literal(c.relatedAddress());
        return new IceCandidate(type, new InetSocketAddress(ip, c.port()), c.priority(), c.foundation(),
                rel == null || c.relatedPort() < 0 ? null : new InetSocketAddress(rel, c.relatedPort()));
    }

    /** Parses an IP literal without ever touching DNS; null for anything else. */
    static InetAddress literal(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = text.indexOf(':') >= 0 && IPV6.matcher(text).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
