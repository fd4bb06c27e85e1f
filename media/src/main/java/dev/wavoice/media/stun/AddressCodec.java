package dev.wavoice.media.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** (XOR-)MAPPED-ADDRESS value layout, RFC 8489 §14.1 and §14.2. */
final class AddressCodec {
    private static final int FAMILY_IPV4 = 0x01;
    private static final int FAMILY_IPV6 = 0x02;

    private AddressCodec() {
    }

    static int valueLength(InetSocketAddress address) {
        return 4 + address.getAddress().getAddress().length;
    }

    /**
     * Decodes an address; {@code xorWith} is the message header (magic cookie + transaction id at
     * {@code headerOff + 4}) for XOR-MAPPED-ADDRESS, or null for plain MAPPED-ADDRESS. Returns null when
     * malformed, because this runs on the packet path.
     */
    static InetSocketAddress decode(byte[] buf, int off, int len, byte[] header, int headerOff, boolean xor) {
        if (len < 4) {
            return null;
        }
        int family = buf[off + 1] & 0xFF;
        int addrLen = family == FAMILY_IPV4 ? 4 : family == FAMILY_IPV6 ? 16 : -1;
        if (addrLen < 0 || len != 4 + addrLen) {
            return null;
        }
        int port = ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
        byte[] ip = new byte[addrLen];
        System.arraycopy(buf, off + 4, ip, 0, addrLen);
        if (xor) {
            // The port is xored with the top 16 bits of the cookie; the address with cookie || transaction id.
            port ^= 0x2112;
            for (int i = 0; i < addrLen; i++) {
                ip[i] ^= header[headerOff + 4 + i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException impossibleForRawBytes) {
            return null;
        }
    }

    static void encode(InetSocketAddress address, byte[] out, int off, int headerOff, boolean xor) {
        byte[] ip = address.getAddress().getAddress();
        out[off] = 0;
        out[off + 1] = (byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        int port = address.getPort() ^ (xor ? 0x2112 : 0);
        out[off + 2] = (byte) (port >>> 8);
        out[off + 3] = (byte) port;
        for (int i = 0; i < ip.length; i++) {
            // The header (cookie + transaction id) is already written at headerOff.
            out[off + 4 + i] = (byte) (ip[i] ^ (xor ? out[headerOff + 4 + i] : 0));
        }
    }
}
