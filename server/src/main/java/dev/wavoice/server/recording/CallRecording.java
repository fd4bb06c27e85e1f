package dev.wavoice.server.recording;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.record.RecorderOptions;
import dev.wavoice.media.record.TwoChannelRecorder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call's recording: the caller's Opus packets as they arrive and the agent's as they are sent, written without
 * re-encoding to a two-channel Ogg/Opus file (caller left, agent right) from the moment the caller listens
 * ({@link #start()}) until the call ends ({@link #stop()}). {@link #OFF} for calls that are not recorded: every
 * method is then a no-op, so the audio paths call it unconditionally.
 *
 * <p>Threads: {@link #caller} on the receive thread, {@link #agent} on the pacer or relay thread; both copy into the
 * recorder's rings (no allocation, no I/O); the file is written on the recordings' writer thread.
 */
public final class CallRecording {
    /** A call that is not recorded. */
    public static final CallRecording OFF = new CallRecording(null, null, null, null);

    private final Recordings owner;
    private final String callId;
    private final String agentName;
    private final Path file;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile TwoChannelRecorder recorder;
    private volatile Pacer.Registration ticking;

    CallRecording(Recordings owner, String callId, String agentName, Path file) {
        this.owner = owner;
        this.callId = callId;
        this.agentName = agentName;
        this.file = file;
    }

    /** Whether this call is recorded at all. */
    public boolean enabled() {
        return owner != null;
    }

    /**
     * The caller listens now: the file is created and the recording's 20 ms clock starts. A call that never got
     * here leaves no file.
     */
    public void start() {
        if (owner == null || stopped.get() || !started.compareAndSet(false, true)) {
            return;
        }
        TwoChannelRecorder r = TwoChannelRecorder.toFile(file, new RecorderOptions(callId,
                List.of("WAVOICE_CALL_ID=" + callId, "WAVOICE_AGENT=" + agentName,
                        "WAVOICE_CHANNELS=caller,agent")), owner.writer());
        recorder = r;
        ticking = r.start(owner.pacer());
        if (stopped.get()) { // ended while starting
            finish(r);
        }
    }

    /** A caller packet's Opus payload, as received. */
    public void caller(byte[] buf, int off, int len) {
        TwoChannelRecorder r = recorder;
        if (r != null) {
            r.offerCaller(buf, off, len);
        }
    }

    /** An agent packet's Opus payload, as sent to the caller. */
    public void agent(byte[] buf, int off, int len) {
        TwoChannelRecorder r = recorder;
        if (r != null) {
            r.offerAgent(buf, off, len);
        }
    }

    /** The call is over: the file is finished on the writer thread and its row updated. Idempotent. */
    public void stop() {
        if (owner == null || !stopped.compareAndSet(false, true)) {
            return;
        }
        TwoChannelRecorder r = recorder;
        if (r != null) {
            finish(r);
        }
    }

    private void finish(TwoChannelRecorder r) {
        Pacer.Registration t = ticking;
        if (t != null) {
            t.close();
        }
        r.stop().whenComplete((summary, error) -> owner.finished(callId, summary, error));
    }
}
