package dev.wavoice.media.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the Chromium test peer against itself before our own endpoint stands on the other side: two pages
 * of one Chromium connect through the same string-SDP API our endpoint will use, and each hears the other's
 * tone at the right frequency.
 */
class ChromiumPeerSelfTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A plain IPv4 loopback host candidate: what our ICE agent can use (it resolves no mDNS names). */
    private static final Pattern LOOPBACK_HOST_CANDIDATE =
            Pattern.compile("(?m)^a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host");
    private static final Pattern MDNS_CANDIDATE = Pattern.compile("(?m)^a=candidate:.*\\.local ");

    @TempDir
    static Path dir;

    static ChromiumBrowser chrome;
    static double wavTone;

    /** Held strongly so the level set on it stays. */
    private static final Logger DRIVER_FINDER = Logger.getLogger("org.openqa.selenium.remote.service.DriverFinder");
    private static final List<String> driverFinderLog = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startChromium() {
        // Selenium says at FINE level whether it skipped Selenium Manager (which would try to download).
        DRIVER_FINDER.setLevel(Level.FINE);
        DRIVER_FINDER.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                driverFinderLog.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        // Frequencies chosen per run so a stuck or cached signal cannot pass.
        wavTone = TestAudio.randomTone(400, 900);
        Path wav = new ToneWav(wavTone, Duration.ofSeconds(2), 0.5).writeTo(dir.resolve("tone.wav"));
        chrome = ChromiumBrowser.start(wav);
        System.out.printf("Chromium %s started in %d ms; fake capture tone %.1f Hz%n",
                chrome.version(), chrome.startupTime().toMillis(), wavTone);
    }

    @AfterAll
    static void quitChromium() {
        if (chrome == null) {
            return;
        }
        List<ProcessHandle> processes = chrome.processes();
        long t0 = System.nanoTime();
        chrome.close();
        System.out.printf("Chromium and chromedriver (%d processes) closed in %d ms%n",
                processes.size(), (System.nanoTime() - t0) / 1_000_000);
        assertThat(processes).as("chromedriver and Chromium processes after close").noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void fakeMicrophoneOffersPageToneAnswers() {
        double answererTone = TestAudio.randomTone(400, 900);
        long t0 = System.nanoTime();
        try (ChromiumPeer offerer = chrome.newPeer(AudioSource.fakeCapture());
             ChromiumPeer answerer = chrome.newPeer(AudioSource.tone(answererTone))) {
            System.out.printf("two peer pages opened in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            connectAndHearEachOther("fake microphone offers, page tone answers", offerer, wavTone, answerer, answererTone);
        }
    }

    @Test
    void pageToneOffersFakeMicrophoneAnswers() {
        double offererTone = TestAudio.randomTone(400, 900);
        try (ChromiumPeer offerer = chrome.newPeer(AudioSource.tone(offererTone));
             ChromiumPeer answerer = chrome.newPeer(AudioSource.fakeCapture())) {
            connectAndHearEachOther("page tone offers, fake microphone answers", offerer, offererTone, answerer, wavTone);
        }
    }

    @Test
    void unreachablePeerFailsTheWaitWithTheRecordedStates() {
        try (ChromiumPeer offerer = chrome.newPeer(AudioSource.tone(440));
             ChromiumPeer answerer = chrome.newPeer(AudioSource.tone(550))) {
            // No candidate either way ("0.0.0.0" matches none): nothing can be checked, so never connected.
            String answer = answerer.acceptOffer(ChromiumPeer.keepOnlyCandidatesOn(offerer.createOffer(), "0.0.0.0"));
            offerer.acceptAnswer(ChromiumPeer.keepOnlyCandidatesOn(answer, "0.0.0.0"));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> offerer.awaitConnected(Duration.ofMillis(1500)))
                    .isInstanceOf(ChromiumPeerException.class)
                    .hasMessageContaining("not connected after 1500 ms")
                    .hasMessageContaining("signalingstatechange");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(offerer.connectionState()).isNotEqualTo("connected");
        }
    }

    /** Signalling through the harness, as our endpoint will do it: SDP strings handed across by Java. */
    private static void connectAndHearEachOther(String scenario, ChromiumPeer offerer, double offererTone,
                                                ChromiumPeer answerer, double answererTone) {
        long t0 = System.nanoTime();
        String offer = offerer.createOffer();
        long offerMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(offer).containsPattern(LOOPBACK_HOST_CANDIDATE).doesNotContainPattern(MDNS_CANDIDATE)
                .contains("m=audio ").containsIgnoringCase("opus/48000/2").contains("a=setup:actpass")
                .doesNotContain("m=video").doesNotContainIgnoringCase("telephone-event");

        // Each side is shown the other's 127.0.0.1 candidate only, so the pair is the loopback path
        // our endpoint will use (left alone, two Chromium pages pick another interface, usually IPv6).
        String answer = answerer.acceptOffer(ChromiumPeer.keepOnlyCandidatesOn(offer, "127.0.0.1"));
        assertThat(answer).containsPattern(LOOPBACK_HOST_CANDIDATE).doesNotContainPattern(MDNS_CANDIDATE)
                .contains("a=setup:active");
        offerer.acceptAnswer(ChromiumPeer.keepOnlyCandidatesOn(answer, "127.0.0.1"));

        offerer.awaitConnected(CONNECT_TIMEOUT);
        answerer.awaitConnected(CONNECT_TIMEOUT);
        long connectedMs = (System.nanoTime() - t0) / 1_000_000;

        ChromiumPeer.ReceivedTone heardByAnswerer = answerer.receivedTone(Duration.ofSeconds(5));
        ChromiumPeer.ReceivedTone heardByOfferer = offerer.receivedTone(Duration.ofSeconds(5));
        long measuredMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s: offer with candidates %d ms, both connected %d ms, both tones measured %d ms%n",
                scenario, offerMs, connectedMs, measuredMs);
        System.out.printf("  offerer sent %.1f Hz, answerer heard %s%n", offererTone, heardByAnswerer);
        System.out.printf("  answerer sent %.1f Hz, offerer heard %s%n", answererTone, heardByOfferer);

        assertThat(heardByAnswerer.frequencyHz()).isCloseTo(offererTone, withinPercentage(2));
        assertThat(heardByOfferer.frequencyHz()).isCloseTo(answererTone, withinPercentage(2));

        for (ChromiumPeer peer : List.of(offerer, answerer)) {
            PeerStats stats = peer.stats();
            System.out.println("  stats: " + stats.raw());
            assertThat(stats.connectionState()).isEqualTo("connected");
            assertThat(stats.iceState()).isIn("connected", "completed");
            assertThat(stats.dtlsState()).isEqualTo("connected");
            assertThat(stats.packetsReceived()).isPositive();
            assertThat(stats.bytesReceived()).isPositive();
            assertThat(stats.packetsSent()).isPositive();
            assertThat(stats.inboundCodec()).isEqualToIgnoringCase("audio/opus");
            assertThat(stats.selectedPair()).isNotNull();
            assertThat(stats.selectedPair().local().type()).isEqualTo("host");
        }
        // Each side reaches the other's 127.0.0.1 candidate, though Chromium may send from a socket on
        // another interface (seen: 192.0.2.2 -> 127.0.0.1); such a source shows up as peer-reflexive,
        // whose address getStats() redacts.
        assertThat(offerer.stats().selectedPair().remote().address()).isEqualTo("127.0.0.1");
        assertThat(answerer.stats().selectedPair().local().address()).isEqualTo("127.0.0.1");
        assertThat(offerer.stats().dtlsRole()).isNotEqualTo(answerer.stats().dtlsRole());
        assertThat(offerer.events()).extracting(ChromiumPeer.PeerEvent::type, ChromiumPeer.PeerEvent::value)
                .contains(tuple("connectionstatechange", "connected"), tuple("iceconnectionstatechange", "connected"));
    }

    @Test
    void seleniumManagerIsNeverRun() {
        assertThat(driverFinderLog).anyMatch(m -> m.startsWith("Skipping Selenium Manager, path to chromedriver specified"));
        assertThat(Path.of(System.getProperty("user.home"), ".cache", "selenium")).doesNotExist();
    }

    @Test
    void missingChromiumFailsNamingTheDebianPackages() throws Exception {
        Path nowhere = Files.createDirectories(dir.resolve("empty")).resolve("chromium");
        assertThatThrownBy(() -> ChromiumBrowser.start(ChromiumBrowser.Config.defaults().withChromium(nowhere)))
                .isInstanceOf(ChromiumPeerException.class)
                .hasMessageContaining(nowhere.toString())
                .hasMessageContaining("apt-get install -y chromium chromium-driver");
        assertThatThrownBy(() -> ChromiumBrowser.start(ChromiumBrowser.Config.defaults().withChromedriver(nowhere)))
                .isInstanceOf(ChromiumPeerException.class)
                .hasMessageContaining("chromium-driver");
    }
}
