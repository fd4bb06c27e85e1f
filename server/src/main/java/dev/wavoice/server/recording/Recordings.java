package dev.wavoice.server.recording;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.record.RecordingSummary;
import dev.wavoice.server.config.RecordingSettings;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.RecordingRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's call recordings: one file per recorded call under {@link RecordingSettings#dir()}, in a folder per
 * day ({@code 2026-12-06/<call id>.opus}), written by one writer thread for all calls, each finished file put on its
 * call's row. A write that fails (a full or read-only disk) never ends the call: the recording stops, the failure
 * is counted ({@code wavoice_recordings_total{outcome="failed"}}) and logged, the partial file removed.
 */
public final class Recordings implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Recordings.class);

    private final RecordingSettings settings;
    private final Supplier<Pacer> pacer;
    private final CallLog callLog;
    private final ExecutorService writer;
    private final Counter saved;
    private final Counter failed;
    private final Counter bytes;

    /** @param pacer the 20 ms clock the recordings tick on (asked for only when a recorded call starts) */
    public Recordings(RecordingSettings settings, Supplier<Pacer> pacer, CallLog callLog, MeterRegistry metrics) {
        this.settings = settings;
        this.pacer = pacer;
        this.callLog = callLog;
        this.writer = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("recording-writer").factory());
        this.saved = Counter.builder("wavoice.recordings").tag("outcome", "saved")
                .description("Call recordings finished, by outcome").register(metrics);
        this.failed = Counter.builder("wavoice.recordings").tag("outcome", "failed")
                .description("Call recordings finished, by outcome").register(metrics);
        this.bytes = Counter.builder("wavoice.recording.bytes").description("Bytes of call recordings written")
                .register(metrics);
    }

    /** What the route of an agent whose calls are recorded uses (the agent's name goes into each file's tags). */
    public CallRecorder recorder(String agentName) {
        return callId -> new CallRecording(this, callId, agentName, fileFor(callId));
    }

    Path fileFor(String callId) {
        String safe = callId.replaceAll("[^A-Za-z0-9._-]", "_");
        return settings.dir().resolve(LocalDate.now(ZoneOffset.UTC).toString()).resolve(safe + ".opus")
                .toAbsolutePath();
    }

    ExecutorService writer() {
        return writer;
    }

    Pacer pacer() {
        return pacer.get();
    }

    /** A recording's file is closed (or failed): its row and counters; on the writer thread. */
    void finished(String callId, RecordingSummary summary, Throwable error) {
        if (error != null || summary == null || summary.writeErrors() > 0) {
            failed.increment();
            String why = error != null ? error.toString() : summary == null ? "no summary"
                    : summary.writeErrors() + " write error(s)";
            log.warn("recording.failed callId={} error=\"{}\"", callId, why);
            callLog.event(callId, "recording.failed", why);
            Path path = summary == null ? null : summary.path();
            if (path != null) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // A disk that failed the write may fail this too; the retention finds no row for it.
                }
            }
            return;
        }
        saved.increment();
        bytes.increment(summary.bytesWritten());
        callLog.recording(new RecordingRecord(callId, summary.path().toString(), summary.durationMillis(),
                summary.bytesWritten(), null));
        callLog.event(callId, "recording.saved", "ms=" + summary.durationMillis() + " bytes=" + summary.bytesWritten()
                + " callerFrames=" + summary.caller().frames() + " agentFrames=" + summary.agent().frames());
    }

    /** Lets the files being finished finish (bounded), then stops the writer. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}
