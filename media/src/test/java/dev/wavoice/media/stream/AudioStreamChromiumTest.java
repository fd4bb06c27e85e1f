package dev.wavoice.media.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.interop.AudioSource;
import dev.wavoice.media.interop.ChromiumBrowser;
import dev.wavoice.media.interop.ChromiumPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Audio both ways with libwebrtc: the page plays a tone of a random frequency that we detect after decoding and
 * resampling to 24 kHz, and the page's WebAudio analyser detects the tone we send.
 */
@Timeout(120)
class AudioStreamChromiumTest {
    static final Duration T = Duration.ofSeconds(15);
    static ChromiumBrowser chromium;
    static WebRtcTransport transport;
    static Pacer pacer;

    @BeforeAll
    static void start() throws Exception {
        chromium = ChromiumBrowser.start();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        pacer = new Pacer(PacerConfig.defaults()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pacer != null) {
            pacer.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void tonesAreHeardBothWays() throws Exception {
        double theirs = TestAudio.randomTone(300, 900);
        double ours = TestAudio.randomTone(300, 900);
        PcmRecorder heard = new PcmRecorder(24000 * 30);
        try (ChromiumPeer browser = chromium.newPeer(AudioSource.tone(theirs));
             AudioStream stream = new AudioStream(AudioStreamConfig.speech(24000), OpusCodecs.best().codec(), pacer, heard)) {
            String offer = ChromiumPeer.keepOnlyCandidatesOn(browser.createOffer(), "127.0.0.1");
            WebRtcEndpoint endpoint = transport.answer("chromium-audio", offer, stream);
            stream.start(endpoint);
            browser.acceptAnswer(endpoint.localDescription());
            endpoint.connected().get(15, TimeUnit.SECONDS);
            browser.awaitConnected(T);

            SineGenerator sine = new SineGenerator(ours, 24000, 0.4);
            short[] tenSeconds = new short[24000 * 10]; // outlasts both measurements, so the page never hears the tail
            sine.fill(tenSeconds, 0, tenSeconds.length);
            stream.send(tenSeconds, 0, tenSeconds.length);

            await().atMost(T).until(() -> heard.length() >= 24000 * 2);
            short[] s = heard.samples();
            assertThat(Tones.dominantFrequency(s, s.length / 2, 24000, 24000)).as("page tone %.0f Hz", theirs)
                    .isCloseTo(theirs, Percentage.withPercentage(2));
            assertThat(browser.receivedFrequencyHz()).as("our tone %.0f Hz", ours)
                    .isCloseTo(ours, Percentage.withPercentage(2));
            assertThat(browser.stats().inboundCodec()).containsIgnoringCase("opus");
            endpoint.close();
        }
    }
}
