package dev.wavoice.media.webrtc;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what an endpoint delivered, for assertions. */
final class RecordingListener implements MediaListener {
    final List<EndpointEvent> events = new CopyOnWriteArrayList<>();
    final List<byte[]> rtp = new CopyOnWriteArrayList<>();
    final List<byte[]> rtcp = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(EndpointEvent event) {
        events.add(event);
    }

    @Override
    public void onRtp(byte[] buf, int off, int len) {
        rtp.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
        rtcp.add(Arrays.copyOfRange(buf, off, off + len));
    }

    /** RTP payloads (after the 12-byte header, no CSRCs or extensions in these tests' packets). */
    List<String> payloads() {
        return rtp.stream().map(p -> new String(p, RtpPackets.headerLength(p), p.length - RtpPackets.headerLength(p),
                java.nio.charset.StandardCharsets.ISO_8859_1)).toList();
    }
}
