package dev.wavoice.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An ICE candidate as written in SDP (RFC 8839 §5.1). Extensions the grammar allows after the type
 * ({@code generation}, {@code network-cost}, {@code ufrag}, {@code network-id}, ...) are kept in order so that
 * a candidate is written back exactly as received.
 *
 * @param address        an IP literal, or a hostname / mDNS name as some browsers send
 * @param relatedAddress {@code raddr}, or null
 * @param relatedPort    {@code rport}, or -1
 */
public record Candidate(String foundation, int component, String transport, long priority, String address,
                        int port, String type, String relatedAddress, int relatedPort, List<Extension> extensions) {

    public static final String HOST = "host";
    public static final String SERVER_REFLEXIVE = "srflx";
    public static final String PEER_REFLEXIVE = "prflx";
    public static final String RELAY = "relay";

    /** A name/value pair after the candidate type. */
    public record Extension(String name, String value) {
    }

    public Candidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        extensions = List.copyOf(extensions);
    }

    public static Candidate of(String foundation, int component, long priority, String address, int port,
                               String type) {
        return new Candidate(foundation, component, "udp", priority, address, port, type, null, -1, List.of());
    }

    public boolean isUdp() {
        return transport.equalsIgnoreCase("udp");
    }

    public Optional<String> extension(String name) {
        for (Extension e : extensions) {
            if (e.name().equals(name)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    public OptionalInt generation() {
        return intExtension("generation");
    }

    public OptionalInt networkCost() {
        return intExtension("network-cost");
    }

    /** Some stacks (libwebrtc, WhatsApp) repeat the ICE ufrag on each candidate. */
    public Optional<String> ufrag() {
        return extension("ufrag");
    }

    private OptionalInt intExtension(String name) {
        Optional<String> v = extension(name);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(v.get()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The value after {@code a=candidate:}. */
    public String format() {
        StringBuilder sb = new StringBuilder(96).append(foundation).append(' ').append(component).append(' ')
                .append(transport).append(' ').append(priority).append(' ').append(address).append(' ')
                .append(port).append(" typ ").append(type);
        if (relatedAddress != null) {
            sb.append(" raddr ").append(relatedAddress);
        }
        if (relatedPort >= 0) {
            sb.append(" rport ").append(relatedPort);
        }
        for (Extension e : extensions) {
            sb.append(' ').append(e.name()).append(' ').append(e.value());
        }
        return sb.toString();
    }

    public Attribute toAttribute() {
        return Attribute.of("candidate", format());
    }

    /** Parses the value after {@code a=candidate:} (a leading {@code candidate:} is accepted too, as trickled). */
    public static Candidate parse(String value) throws SdpParseException {
        String text = value.startsWith("candidate:") ? value.substring("candidate:".length()) : value;
        String[] p = Tokens.words(text);
        if (p.length < 8 || !p[6].equals("typ")) {
            throw new SdpParseException(0, value,
                    "candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>");
        }
        // RFC 8839 §5.1: foundation = 1*32ice-char. Checked, because a foundation such as "candidate:1" would
        // format to a line that parses back as a different candidate.
        if (!isFoundation(p[0])) {
            throw new SdpParseException(0, value, "foundation '" + p[0] + "' must be 1 to 32 of ALPHA, DIGIT, + and /");
        }
        int component = SdpParser.number(p[1], 256, 0, value, "component id");
        long priority;
        try {
            priority = Long.parseLong(p[3]);
        } catch (NumberFormatException e) {
            priority = -1;
        }
        if (priority < 0 || priority > 0xFFFFFFFFL) {
            throw new SdpParseException(0, value, "priority '" + p[3] + "' is not a 32-bit unsigned number");
        }
        int port = SdpParser.number(p[5], 65535, 0, value, "port");
        String relAddr = null;
        int relPort = -1;
        List<Extension> extensions = new ArrayList<>();
        int i = 8;
        if ((p.length - i) % 2 != 0) {
            throw new SdpParseException(0, value, "candidate extensions must come in name/value pairs");
        }
        for (; i + 1 < p.length; i += 2) {
            switch (p[i]) {
                case "raddr" -> relAddr = p[i + 1];
                case "rport" -> relPort = SdpParser.number(p[i + 1], 65535, 0, value, "rport");
                default -> extensions.add(new Extension(p[i], p[i + 1]));
            }
        }
        return new Candidate(p[0], component, p[2], priority, p[4], port, p[7], relAddr, relPort, extensions);
    }

    private static boolean isFoundation(String s) {
        if (s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean iceChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/';
            if (!iceChar) {
                return false;
            }
        }
        return true;
    }
}
