package dev.wavoice.media.ice;

/** What an {@link IceAgent} reports; delivered on the thread that drove the agent, outside its lock. */
public sealed interface IceEvent {

    /** Checks started. */
    record Checking() implements IceEvent {
    }

    /**
     * A pair was nominated and works; send media to {@code pair.remote()}. Sent again on recovery from
     * {@link Disconnected} and when a better nominated pair replaces the selected one.
     */
    record Connected(CandidatePair pair) implements IceEvent {
    }

    /** Consent responses stopped for a while (RFC 7675); may come back as {@link Connected}. */
    record Disconnected(String reason) implements IceEvent {
    }

    /** Final: no pair worked in time, or consent expired (RFC 7675 §5.1). Stop sending media. */
    record Failed(String reason) implements IceEvent {
    }

    /** Final: {@link IceAgent#close} was called. */
    record Closed() implements IceEvent {
    }
}
