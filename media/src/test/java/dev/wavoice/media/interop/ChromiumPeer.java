package dev.wavoice.media.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A full-ICE WebRTC audio peer played by Chromium (libwebrtc): one page of {@code webrtc/peer.html}, one
 * RTCPeerConnection with one audio transceiver (Opus only, BUNDLE, rtcp-mux), as offerer or answerer.
 * Signalling is done by the caller: SDP strings in, SDP strings out, with every candidate already in them
 * (the page waits for ICE gathering to complete; it does not trickle).
 *
 * <pre>{@code
 * try (ChromiumBrowser chrome = ChromiumBrowser.start();               // once per test class
 *      ChromiumPeer peer = chrome.newPeer(AudioSource.tone(523.0))) {  // once per test
 *     String answer = endpoint.answer(peer.createOffer());
 *     peer.acceptAnswer(answer);
 *     peer.awaitConnected(Duration.ofSeconds(10));
 *     assertThat(peer.stats().packetsReceived()).isPositive();
 *     assertThat(peer.receivedFrequencyHz()).isCloseTo(660.0, withinPercentage(2));
 * }
 * }</pre>
 */
public final class ChromiumPeer implements AutoCloseable {

    private static final Duration DEFAULT_TONE_TIMEOUT = Duration.ofSeconds(5);
    /** A received tone must stand this far above digital silence to be measured. */
    private static final double MIN_TONE_DB = -60;

    private final ChromiumBrowser browser;
    private final String window;
    private final ChromiumBrowser ownedBrowser;
    private boolean closed;

    ChromiumPeer(ChromiumBrowser browser, String window, ChromiumBrowser ownedBrowser) {
        this.browser = browser;
        this.window = window;
        this.ownedBrowser = ownedBrowser;
    }

    /**
     * Starts a Chromium of its own (closed with this peer) whose fake microphone plays the WAV, or
     * Chromium's beep when {@code fakeCaptureWav} is null, and opens one peer sending it. For several tests,
     * prefer one {@link ChromiumBrowser} per class and {@link ChromiumBrowser#newPeer} per test.
     */
    public static ChromiumPeer start(Path fakeCaptureWav) {
        ChromiumBrowser.Config config = ChromiumBrowser.Config.defaults();
        ChromiumBrowser owned = ChromiumBrowser.start(fakeCaptureWav == null ? config : config.withFakeCaptureWav(fakeCaptureWav));
        try {
            return owned.openPeer(AudioSource.fakeCapture(), owned);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    void init(AudioSource source) {
        Map<String, Object> opts = switch (source) {
            case AudioSource.FakeCapture f -> Map.of("source", "fakeCapture", "telephoneEvent", false);
            case AudioSource.Tone t -> Map.of("source", "oscillator", "frequencyHz", t.frequencyHz(),
                    "amplitude", t.amplitude(), "telephoneEvent", false);
        };
        try {
            browser.call(window, "init", opts);
        } catch (RuntimeException e) {
            browser.release(window);
            throw e;
        }
    }

    /** Offers one sendrecv audio m-line (Opus only); returns the SDP with all candidates gathered. */
    public String createOffer() {
        return (String) browser.call(window, "createOffer");
    }

    /** Applies the remote answer to this peer's offer. */
    public void acceptAnswer(String answerSdp) {
        browser.call(window, "acceptAnswer", answerSdp);
    }

    /** Applies a remote offer and returns this peer's answer, sending its audio on the offered m-line. */
    public String acceptOffer(String offerSdp) {
        return (String) browser.call(window, "acceptOffer", offerSdp);
    }

    /**
     * Waits, without polling, for RTCPeerConnection.connectionState "connected" (ICE and DTLS both up).
     * Fails at once on "failed", or at the timeout, with the recorded state events in the message.
     */
    public void awaitConnected(Duration timeout) {
        try {
            browser.call(window, timeout, "awaitConnected", timeout.toMillis());
        } catch (ChromiumPeerException e) {
            throw new ChromiumPeerException(e.getMessage() + "; events: " + events(), e);
        }
    }

    /** RTCPeerConnection's connection state: new, connecting, connected, disconnected, failed, closed. */
    public String connectionState() {
        return String.valueOf(asMap(browser.call(window, "connectionState")).get("connectionState"));
    }

    /** The essentials of getStats(): ICE/DTLS state, selected pair, inbound and outbound RTP counters. */
    public PeerStats stats() {
        return PeerStats.from(asMap(browser.call(window, "stats")));
    }

    /** Dominant frequency of the received audio, waiting up to 5 s for a tone to arrive. */
    public double receivedFrequencyHz() {
        return receivedTone(DEFAULT_TONE_TIMEOUT).frequencyHz();
    }

    /**
     * Measures the received remote audio with WebAudio: an AnalyserNode (32768-point FFT, 1.46 Hz bins)
     * on the remote track, peak bin refined by parabolic interpolation. Waits for a tone above -60 dBFS,
     * then one full analysis window, so the measurement sees only signal.
     */
    public ReceivedTone receivedTone(Duration timeout) {
        Map<String, Object> m = asMap(browser.call(window, timeout, "receivedFrequency", timeout.toMillis(), MIN_TONE_DB));
        return new ReceivedTone(number(m.get("hz")), number(m.get("peakDb")), number(m.get("binHz")));
    }

    /** The page's recorded events (state changes, candidates, track), oldest first. */
    public List<PeerEvent> events() {
        return ((List<?>) browser.call(window, "events")).stream()
                .map(ChromiumPeer::asMap)
                .map(e -> new PeerEvent(
                        (long) number(e.get("epochMillis")),
                        number(e.get("pageMillis")),
                        String.valueOf(e.get("type")),
                        String.valueOf(e.get("value"))))
                .toList();
    }

    /** Closes the connection; the window goes back to the browser for the next peer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            browser.call(window, "close");
        } catch (RuntimeException e) {
            // Navigating away below tears the connection down as well.
        } finally {
            browser.release(window);
            if (ownedBrowser != null) {
                ownedBrowser.close();
            }
        }
    }

    /**
     * The SDP with every {@code a=candidate} line dropped except UDP candidates on the given address, e.g.
     * "127.0.0.1". Chromium gathers all interfaces; this keeps a test on one path (and mimics a peer that
     * announces loopback only).
     */
    public static String keepOnlyCandidatesOn(String sdp, String address) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        return sdp.lines()
                .filter(line -> !line.startsWith("a=candidate:") || isUdpCandidateOn(line, address))
                .collect(java.util.stream.Collectors.joining(eol, "", eol));
    }

    private static boolean isUdpCandidateOn(String candidateLine, String address) {
        // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
        String[] f = candidateLine.split(" ");
        return f.length > 5 && f[2].equalsIgnoreCase("udp") && f[4].equals(address);
    }

    /** The frequency measured in the received audio, its level, and the FFT's bin width. */
    public record ReceivedTone(double frequencyHz, double peakDb, double binHz) {
    }

    /** One event recorded by the page, with wall-clock and page-relative times. */
    public record PeerEvent(long epochMillis, double pageMillis, String type, String value) {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new ChromiumPeerException("expected an object from the page, got " + o);
    }

    static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
