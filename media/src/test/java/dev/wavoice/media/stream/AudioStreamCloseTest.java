package dev.wavoice.media.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls end while the shared pacer is encoding their next frame. With libopus that used to free the encoder under
 * a running {@code opus_encode} and crash the whole process; closing must wait for the tick instead.
 */
@Timeout(60)
class AudioStreamCloseTest {

    @Test
    void closingWhileThePacerEncodesNeverTouchesAFreedCodec() throws Exception {
        String offer = SdpFixtures.whatsAppOffer();
        OpusCodec codec = OpusCodecs.select(OpusCodecs.Preference.NATIVE, null).codec();
        try (WebRtcTransport transport = WebRtcTransport.open(
                WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
             Pacer pacer = new Pacer(PacerConfig.defaults()).start()) {
            short[] tone = new short[24000];
            new SineGenerator(440, 24000, 0.4).fill(tone, 0, tone.length);
            // Complexity 10 makes each encode longest (~0.35 ms of every 20 ms tick), so that over a few hundred
            // closes at random moments some land inside an encode: without the fix this run crashes the JVM.
            AudioStreamConfig slow = new AudioStreamConfig(24000, 32_000, 10, 10, AudioStreamConfig.speech(24000).jitter(),
                    AudioStreamConfig.speech(24000).outbound());
            java.util.Random random = new java.util.Random(3);
            for (int i = 0; i < 250; i++) {
                AudioStream stream = new AudioStream(slow, codec, pacer, new PcmRecorder(1));
                WebRtcEndpoint endpoint = transport.answer("close-" + i, offer, stream);
                stream.start(endpoint); // ticks encode every 20 ms from now on, connected or not
                stream.send(tone, 0, tone.length);
                java.util.concurrent.locks.LockSupport.parkNanos(random.nextLong(20_000_000L));
                stream.close();
                stream.close();
                endpoint.close();
            }
            assertThat(transport.endpointCount()).isZero();
        }
    }
}
