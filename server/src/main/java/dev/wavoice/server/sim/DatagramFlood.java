package dev.wavoice.server.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Garbage datagrams at a fixed rate to a server's media port, from a socket of their own (an address no call
 * routes), every {@link Kind} in turn. None belongs to a call, so the port must drop every one before a call sees
 * it; its drop counters ({@code wavoice_udp_dropped_total}) say so by reason.
 */
public final class DatagramFlood implements AutoCloseable {

    /** The classes of garbage, each aimed at a different first check of the port's demultiplexer. */
    public enum Kind {
        /** Random bytes of random length: any class, or none. */
        RANDOM,
        /** A STUN Binding request naming a ufrag no call has, with a made-up MESSAGE-INTEGRITY. */
        STUN_UNKNOWN_USERNAME,
        /** STUN's first byte without STUN's magic cookie. */
        STUN_MALFORMED,
        /** A DTLS 1.2 handshake record from an address no call routes. */
        DTLS_RECORD,
        /** RTP (Opus payload type) with an SSRC no call knows, from an address no call routes. */
        RTP_UNKNOWN_SSRC,
        /** An RTCP sender report, likewise. */
        RTCP_REPORT,
        /** RTP's first byte and less than an RTP header. */
        TRUNCATED,
        /** Larger than the port's receive buffer. */
        OVERSIZED
    }

    /** Datagrams sent of each kind, send failures, and those the pacing could not send (over a second behind). */
    public record Result(double ratePerSecond, double seconds, long sent, Map<Kind, Long> byKind, long sendErrors,
                         long notSent) {}

    private static final Kind[] KINDS = Kind.values();
    private final double rate;
    private final InetSocketAddress target;
    private final DatagramChannel channel;
    private final SplittableRandom random = new SplittableRandom(15);
    private final ByteBuffer buffer = ByteBuffer.allocate(4_096);
    private final AtomicLongArray sentByKind = new AtomicLongArray(KINDS.length);
    private volatile long sendErrors;
    private final PacedSender sender;

    public DatagramFlood(InetSocketAddress target, double ratePerSecond) throws IOException {
        this.rate = ratePerSecond;
        this.target = target;
        this.channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.sender = new PacedSender("flood-udp", ratePerSecond, this::send);
    }

    public DatagramFlood start() {
        sender.start();
        return this;
    }

    private void send(long n) {
        Kind kind = KINDS[(int) (n % KINDS.length)];
        buffer.clear();
        fill(kind, n, buffer);
        buffer.flip();
        try {
            channel.send(buffer, target);
            sentByKind.incrementAndGet(kind.ordinal());
        } catch (IOException e) {
            sendErrors++;
        }
    }

    private void fill(Kind kind, long n, ByteBuffer b) {
        switch (kind) {
            case RANDOM -> randomBytes(b, 1 + random.nextInt(300));
            case STUN_UNKNOWN_USERNAME -> {
                byte[] user = ("flood" + n + ":x").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                int userPadded = (user.length + 3) & ~3;
                b.putShort((short) 0x0001).putShort((short) (4 + userPadded + 24)).putInt(0x2112A442);
                randomBytes(b, 12); // transaction id
                b.putShort((short) 0x0006).putShort((short) user.length).put(user);
                b.put(new byte[userPadded - user.length]);
                b.putShort((short) 0x0008).putShort((short) 20);
                randomBytes(b, 20);
            }
            case STUN_MALFORMED -> {
                b.putShort((short) 0x0001).putShort((short) 8).putInt(0xDEADBEEF);
                randomBytes(b, 20);
            }
            case DTLS_RECORD -> {
                int len = 40 + random.nextInt(200);
                b.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0).putInt((int) n)
                        .putShort((short) len);
                randomBytes(b, len);
            }
            case RTP_UNKNOWN_SSRC -> {
                b.put((byte) 0x80).put((byte) 111).putShort((short) n).putInt((int) (n * 960)).putInt(random.nextInt());
                randomBytes(b, 60 + random.nextInt(100) + 10); // payload and an SRTP tag's worth
            }
            case RTCP_REPORT -> {
                b.put((byte) 0x81).put((byte) 200).putShort((short) 12).putInt(random.nextInt());
                randomBytes(b, 20 + 24 + 14); // sender info, one report block, SRTCP index and tag
            }
            case TRUNCATED -> {
                b.put((byte) 0x80);
                randomBytes(b, random.nextInt(11));
            }
            case OVERSIZED -> {
                b.put((byte) 0x80).put((byte) 111);
                randomBytes(b, 2_500 + random.nextInt(1_000));
            }
        }
    }

    private void randomBytes(ByteBuffer b, int count) {
        for (int i = 0; i < count; i++) {
            b.put((byte) random.nextInt(256));
        }
    }

    /** Stops sending and reports. */
    public Result stop() {
        sender.close();
        Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
        long sum = 0;
        for (Kind k : KINDS) {
            long c = sentByKind.get(k.ordinal());
            byKind.put(k, c);
            sum += c;
        }
        return new Result(rate, sender.seconds(), sum, byKind, sendErrors, sender.missed());
    }

    @Override
    public void close() throws IOException {
        sender.close();
        channel.close();
    }
}
