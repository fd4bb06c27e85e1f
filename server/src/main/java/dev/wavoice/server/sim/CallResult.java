package dev.wavoice.server.sim;

import java.util.List;

/**
 * One simulated call as the caller saw it. Times are milliseconds from the connect webhook being sent (NaN when
 * the step never happened).
 *
 * @param failure          why the call did not get through (null when it did)
 * @param preAcceptMillis  webhook sent → {@code pre_accept} received by the Graph stand-in
 * @param acceptMillis     webhook sent → {@code accept} received
 * @param connectedMillis  webhook sent → ICE + DTLS connected on the caller's side
 * @param firstAudioMillis webhook sent → first RTP packet with audio back
 * @param firstVoicedMillis webhook sent → first packet back big enough to carry voice rather than silence or comfort
 *                         noise (over 20 bytes of Opus): when the caller first hears the agent (or the echo)
 * @param replyMillis      for each pause of the caller while nothing voiced came back (for 300 ms): its first silent
 *                         frame sent → the first voiced packet back, i.e. how long a caller waits for the answer
 * @param callSeconds      connected → hang-up
 * @param packetsSent      audio packets the caller sent (DTX pauses send none)
 * @param packetsReceived  audio packets that came back
 * @param packetsLost      gaps in the sequence numbers of what came back
 * @param lateOver5ms      packets that came back more than 5 ms behind the sender's 20 ms grid
 * @param timedPackets     packets judged for timing
 * @param toneHz           the tone played (0 for a recording)
 * @param detectedHz       the dominant frequency heard (NaN for nothing)
 * @param serverHungUp     the server sent {@code terminate} before the caller hung up
 */
public record CallResult(String callId, String failure, double preAcceptMillis, double acceptMillis,
                         double connectedMillis, double firstAudioMillis, double firstVoicedMillis,
                         List<Double> replyMillis, double callSeconds, long packetsSent,
                         long packetsReceived, long packetsLost, long lateOver5ms, long timedPackets,
                         double toneHz, double detectedHz, long voicedWindows, long toneWindows,
                         List<Long> frequenciesHeard, boolean serverHungUp) {

    /** Pass/fail and the reason, for either agent: echo returns the tone; the local agent a chime and a parrot. */
    public record Verdict(boolean pass, String reason) {}

    public double lossFraction() {
        long expected = packetsReceived + packetsLost;
        return expected == 0 ? 0 : packetsLost / (double) expected;
    }

    public Verdict verdict() {
        if (failure != null) {
            return new Verdict(false, failure);
        }
        if (packetsReceived == 0) {
            return new Verdict(false, "no audio came back (" + packetsSent + " packets sent)");
        }
        if (lossFraction() > 0.05) {
            return new Verdict(false, String.format("%.1f %% of the packets coming back were lost", 100 * lossFraction()));
        }
        if (toneHz > 0) {
            // 3 windows = 300 ms of the tone: the echo returns nearly all of it, the local agent's parrot reply
            // repeats each talk spurt after its chime.
            if (toneWindows < 3) {
                return new Verdict(false, String.format("sent %.0f Hz, heard %s Hz (%d voiced 100 ms windows, %d with the tone)",
                        toneHz, frequenciesHeard, voicedWindows, toneWindows));
            }
            return new Verdict(true, String.format("heard the %.0f Hz tone back (detected %.1f Hz, %d of %d voiced windows)",
                    toneHz, detectedHz, toneWindows, voicedWindows));
        }
        if (voicedWindows == 0) {
            return new Verdict(false, "only silence came back");
        }
        return new Verdict(true, "audio came back (" + voicedWindows + " voiced 100 ms windows)");
    }
}
