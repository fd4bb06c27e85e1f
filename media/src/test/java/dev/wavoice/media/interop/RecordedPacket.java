package dev.wavoice.media.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One RTP packet the Pion peer received and wrote with {@code -record}. File format, big-endian,
 * per packet: uint16 payload length, uint16 sequence number, uint32 RTP timestamp, uint32 SSRC,
 * uint8 payload type, uint8 flags (bit 0 marker), uint64 arrival in microseconds since the peer
 * started, then the payload.
 */
public record RecordedPacket(int sequence, long timestamp, long ssrc, int payloadType, boolean marker,
                             long arrivalMicros, byte[] payload) {
    static final int HEADER_BYTES = 22;

    /** Reads a recording; a packet cut short at the end (the peer still writing) is left out. */
    public static List<RecordedPacket> readAll(Path file) {
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<RecordedPacket> out = new ArrayList<>();
        while (b.remaining() >= HEADER_BYTES) {
            int len = Short.toUnsignedInt(b.getShort(b.position()));
            if (b.remaining() < HEADER_BYTES + len) {
                break;
            }
            b.getShort();
            int seq = Short.toUnsignedInt(b.getShort());
            long ts = Integer.toUnsignedLong(b.getInt());
            long ssrc = Integer.toUnsignedLong(b.getInt());
            int pt = Byte.toUnsignedInt(b.get());
            boolean marker = (b.get() & 1) != 0;
            long arrival = b.getLong();
            byte[] payload = new byte[len];
            b.get(payload);
            out.add(new RecordedPacket(seq, ts, ssrc, pt, marker, arrival, payload));
        }
        return out;
    }
}
