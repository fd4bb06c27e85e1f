package dev.wavoice.server.media;

import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.EndpointStats;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.recording.CallRecording;

/**
 * {@code WAVOICE_AGENT=echo}: no agent at all; the caller's audio goes straight back (a line test). It works on
 * RTP, without decoding: each packet is re-sent at once under our SSRC, so the caller hears exactly what
 * arrived, with only the bridge's own delay added.
 */
public final class EchoRoute implements WebRtcCallMedia.AudioRoute {
    private final CallRecorder recorder;

    public EchoRoute() {
        this(CallRecorder.off());
    }

    /** @param recorder records the calls (the caller and the echo on their two channels), or not */
    public EchoRoute(CallRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public CallAudio attach(WebRtcCallMedia.CallContext call) {
        WebRtcEndpoint endpoint = call.endpoint();
        long ssrc = endpoint.localSsrc();
        CallRecording recording = recorder.forCall(call.callId());
        RtpPacket rtp = new RtpPacket(); // receive thread only
        return new CallAudio() {
            @Override
            public void onEvent(EndpointEvent event) {
            }

            @Override
            public void onRtp(byte[] buf, int off, int len) {
                if (recording.enabled() && rtp.wrap(buf, off, len)) {
                    recording.caller(buf, rtp.payloadOffset(), rtp.payloadLength());
                    recording.agent(buf, rtp.payloadOffset(), rtp.payloadLength()); // what goes back is the same
                }
                // The buffer is ours for the duration of the callback: restamp in place, no copy.
                restamp(buf, off, ssrc);
                endpoint.sendRtp(buf, off, len);
            }

            @Override
            public void callConnected() {
                recording.start();
            }

            @Override
            public CallMedia.MediaStats stats() {
                // No decoding here, so no jitter or loss estimate: packet counts only.
                EndpointStats s = endpoint.stats();
                return new CallMedia.MediaStats(s.rtpReceived(), s.rtpSent(), 0, 0, 0, "echo");
            }

            @Override
            public void close() {
                recording.stop();
            }
        };
    }

    /** Writes our SSRC into an RTP header (RFC 3550 §5.1: bytes 8..11); the peer drops undeclared SSRCs. */
    static void restamp(byte[] packet, int off, long ssrc) {
        packet[off + 8] = (byte) (ssrc >>> 24);
        packet[off + 9] = (byte) (ssrc >>> 16);
        packet[off + 10] = (byte) (ssrc >>> 8);
        packet[off + 11] = (byte) ssrc;
    }
}
