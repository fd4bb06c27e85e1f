package dev.wavoice.media.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet stream the Pion peer sends with {@code -send-opus-file}: per 20 ms frame a big-endian
 * uint16 length, then that many bytes of one Opus packet. A zero length is a 20 ms slot in which
 * nothing is sent (a gap, as with DTX). The peer cannot encode Opus (Debian's Go has no encoder),
 * so tests encode here and hand it the packets.
 */
public final class OpusStreamFile {
    private OpusStreamFile() {
    }

    public static void write(Path file, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            int n = f == null ? 0 : f.length;
            if (n > 0xFFFF) {
                throw new IllegalArgumentException("Opus packet of " + n + " bytes does not fit a uint16 length");
            }
            out.write(n >>> 8);
            out.write(n & 0xFF);
            if (n > 0) {
                out.writeBytes(f);
            }
        }
        try {
            Files.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<byte[]> read(Path file) {
        ByteBuffer b;
        try {
            b = ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> frames = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 2) {
                throw new IllegalArgumentException(file + ": truncated length at frame " + frames.size());
            }
            int n = Short.toUnsignedInt(b.getShort());
            if (n > b.remaining()) {
                throw new IllegalArgumentException(file + ": frame " + frames.size() + " says " + n + " bytes, "
                        + b.remaining() + " left");
            }
            byte[] f = new byte[n];
            b.get(f);
            frames.add(f);
        }
        return frames;
    }
}
