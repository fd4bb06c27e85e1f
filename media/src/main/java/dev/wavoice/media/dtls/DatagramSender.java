package dev.wavoice.media.dtls;

/**
 * Where DTLS datagrams go: usually the shared UDP socket, addressed to the call's selected ICE
 * pair. Must not retain {@code buf} after returning.
 */
@FunctionalInterface
public interface DatagramSender {
    void send(byte[] buf, int off, int len);
}
