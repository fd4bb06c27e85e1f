package dev.wavoice.media.stream;

import dev.wavoice.media.playout.JitterBufferStats;
import dev.wavoice.media.playout.OutboundQueueStats;
import dev.wavoice.media.rtp.RtcpStats;

/**
 * One call's audio counters, stage by stage, so a stats dump explains a bad call.
 *
 * @param framesDelivered inbound frames handed to the application (decoded, FEC-recovered or concealed)
 * @param framesEncoded   outbound frames encoded and sent as audio
 * @param dtxSkipped      silent frames the encoder marked as not worth sending (Opus DTX)
 * @param decodeErrors    packets the decoder refused
 * @param droppedBeforeStart media that arrived before {@link AudioStream#start} (normal for a packet or two)
 * @param framesAfterClear audio frames sent after the latest {@link AudioStream#clear()} (barge-in: at most one)
 * @param encodeErrors    outbound frames the encoder refused, or too large for a queue slot (dropped)
 */
public record AudioStreamStats(long framesDelivered, long framesEncoded, long dtxSkipped, long decodeErrors,
                               long droppedBeforeStart, long dtmfReceived, long dtmfSent, long framesAfterClear,
                               JitterBufferStats jitter, OutboundQueueStats outbound, RtcpStats rtcp,
                               long encodeErrors) {}
