package dev.wavoice.server.media;

import java.time.Duration;

/** One call from this process to its own media port, answered as a caller's would be (see {@link LoopbackSelfCall}). */
@FunctionalInterface
public interface SelfCall {

    /** What one self-call did; {@code framesBack} is how many of the frames it sent came back. */
    record Result(double answerMs, double connectedMs, int framesBack) {}

    /** Places the call and hangs it up; throws when it does not connect and echo within {@code timeout}. */
    Result run(String id, Duration timeout) throws Exception;
}
