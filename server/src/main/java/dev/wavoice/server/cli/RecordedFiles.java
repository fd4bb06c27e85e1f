package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.LoadFigures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The recordings one {@code wavoice bench --record} run left in the started server's recordings directory: how many,
 * their bytes, and the audio they hold, read from each file's last Ogg page (granule position less the Opus
 * pre-skip, 48 kHz), so bytes per call-minute is the files' own figure and not the calls' connected time. The server's
 * {@code wavoice_recordings_total} and {@code wavoice_recording_bytes_total} over the run sit beside it.
 */
record RecordedFiles(int files, long bytes, double audioSeconds, long saved, long failed, long countedBytes) {

    /** What was there before the run: the warm-up's files and the counters. */
    record Snapshot(Path dir, Set<Path> files, long saved, long failed, long countedBytes) {}

    static Snapshot snapshot(Path dir, String metrics) throws IOException {
        Map<String, Double> c = counters(metrics);
        return new Snapshot(dir, Set.copyOf(list(dir)), count(c, "saved"), count(c, "failed"), count(c, "bytes"));
    }

    /**
     * The run's files, once the server has finished as many recordings as the run opened files (the writer closes
     * them after the calls hang up), or after {@code timeout} with what there is.
     */
    static RecordedFiles since(Snapshot before, Supplier<String> metrics, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<Path> opened = new HashSet<>(list(before.dir()));
            opened.removeAll(before.files());
            Map<String, Double> c = counters(metrics.get());
            long saved = count(c, "saved") - before.saved();
            long failed = count(c, "failed") - before.failed();
            if (saved + failed >= opened.size() || System.nanoTime() > deadline) {
                long bytes = 0;
                double seconds = 0;
                for (Path f : opened) {
                    if (Files.exists(f)) {
                        bytes += Files.size(f);
                        seconds += audioSeconds(f);
                    }
                }
                return new RecordedFiles(opened.size(), bytes, seconds, saved, failed,
                        count(c, "bytes") - before.countedBytes());
            }
            Thread.sleep(100);
        }
    }

    double kibPerCallMinute() {
        return audioSeconds <= 0 ? Double.NaN : bytes / 1024.0 / (audioSeconds / 60);
    }

    double kbitPerSecond() {
        return audioSeconds <= 0 ? Double.NaN : bytes * 8 / 1000.0 / audioSeconds;
    }

    String line() {
        return String.format("recording         %d files, %.1f KiB (%.1f KiB each) holding %.1f s of audio: %.1f KiB per"
                + " call-minute (%.1f kbit/s, both channels); server: %d saved, %d failed, %.1f KiB%n", files,
                bytes / 1024.0, files == 0 ? 0.0 : bytes / 1024.0 / files, audioSeconds, kibPerCallMinute(),
                kbitPerSecond(), saved, failed, countedBytes / 1024.0);
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("files", files).put("bytes", bytes).put("audio_seconds", audioSeconds)
                .put("kib_per_call_minute", kibPerCallMinute()).put("kbit_per_second", kbitPerSecond())
                .put("saved", saved).put("failed", failed).put("counted_bytes", countedBytes);
        return n;
    }

    /**
     * Seconds of audio in an Ogg/Opus file: the last page's granule position (48 kHz samples, RFC 7845 section 4)
     * less the pre-skip of the {@code OpusHead} in the first page. The last page is found from the end and must end
     * exactly at the end of the file.
     */
    static double audioSeconds(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            ByteBuffer head = read(ch, 0, (int) Math.min(size, 512));
            int preSkip = 0;
            byte[] magic = "OpusHead".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i + magic.length + 4 <= head.limit(); i++) {
                if (head.slice(i, magic.length).equals(ByteBuffer.wrap(magic))) {
                    preSkip = Short.toUnsignedInt(head.getShort(i + 10));
                    break;
                }
            }
            int tailLength = (int) Math.min(size, 27 + 255 + 255 * 255); // the largest Ogg page
            ByteBuffer tail = read(ch, size - tailLength, tailLength);
            for (int i = tailLength - 27; i >= 0; i--) {
                if (tail.get(i) == 'O' && tail.get(i + 1) == 'g' && tail.get(i + 2) == 'g' && tail.get(i + 3) == 'S'
                        && pageLength(tail, i) == tailLength - i) {
                    long granule = tail.getLong(i + 6);
                    return granule <= preSkip ? 0 : (granule - preSkip) / 48_000.0;
                }
            }
            return 0;
        }
    }

    private static int pageLength(ByteBuffer b, int at) {
        int segments = Byte.toUnsignedInt(b.get(at + 26));
        if (at + 27 + segments > b.limit()) {
            return -1;
        }
        int length = 27 + segments;
        for (int s = 0; s < segments; s++) {
            length += Byte.toUnsignedInt(b.get(at + 27 + s));
        }
        return length;
    }

    private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
            // read until full
        }
        return b.flip();
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // already gone, or a temporary directory left behind
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".opus")).toList();
        }
    }

    /** {@code wavoice_recordings_total} by outcome ({@code saved}, {@code failed}) and {@code bytes}. */
    private static Map<String, Double> counters(String metrics) {
        Map<String, Double> out = new HashMap<>();
        LoadFigures.series(metrics, name -> name.startsWith("wavoice_recording")).forEach((name, value) -> {
            if (name.startsWith("wavoice_recordings_total")) {
                out.merge(name.contains("\"saved\"") ? "saved" : "failed", value, Double::sum);
            } else if (name.startsWith("wavoice_recording_bytes_total")) {
                out.merge("bytes", value, Double::sum);
            }
        });
        return out;
    }

    private static long count(Map<String, Double> c, String which) {
        return c.getOrDefault(which, 0.0).longValue();
    }
}
