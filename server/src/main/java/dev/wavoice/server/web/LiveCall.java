package dev.wavoice.server.web;

import dev.wavoice.server.call.Call;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.store.CallRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * A live call as the dashboard shows it: its row so far, talk time up to now, and the media's figures.
 *
 * @param durationMs talk time so far (0 until connected)
 * @param lossPercent caller packets lost / expected, in percent
 */
public record LiveCall(String callId, String state, String caller, String callerName, String agent,
                       Instant startedAt, Instant connectedAt, long durationMs, long packetsReceived,
                       long packetsSent, long packetsLost, double lossPercent, double jitterMs) {

    public static LiveCall of(Call call, Instant now) {
        CallRecord row = call.snapshot();
        CallMedia.MediaStats media = call.mediaStats();
        long talk = row.connectedAt() == null ? 0 : Math.max(0, Duration.between(row.connectedAt(), now).toMillis());
        String agent = media.agent() != null ? media.agent() : row.agent();
        return new LiveCall(row.callId(), row.state(), call.caller().handle(), row.callerName(), agent,
                row.startedAt(), row.connectedAt(), talk, media.packetsReceived(), media.packetsSent(),
                media.packetsLost(), 100 * media.lossFraction(), media.jitterMs());
    }
}
