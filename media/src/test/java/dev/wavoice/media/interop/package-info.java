/**
 * Interop test peers: independent WebRTC implementations our endpoint is judged against.
 *
 * <h2>Chromium (libwebrtc, full ICE)</h2>
 * Needs the Debian packages {@code chromium} and {@code chromium-driver}
 * ({@code apt-get update && apt-get install -y chromium chromium-driver}); a machine without them fails
 * the tests with that command in the message, it does not skip them. Selenium drives
 * {@code /usr/bin/chromedriver} and {@code /usr/bin/chromium} by path and never downloads anything.
 *
 * <pre>{@code
 * static ChromiumBrowser chrome;                       // @BeforeAll: ChromiumBrowser.start(wavOrNothing)
 *
 * try (ChromiumPeer peer = chrome.newPeer(AudioSource.tone(660))) {
 *     // Chromium offers, our endpoint answers:
 *     String answer = ourEndpointAnswering(peer.createOffer());
 *     peer.acceptAnswer(answer);
 *     // or our endpoint offers, Chromium answers: String answer = peer.acceptOffer(ourOffer);
 *     peer.awaitConnected(Duration.ofSeconds(10));
 *     PeerStats stats = peer.stats();                  // ICE/DTLS state, selected pair, RTP counters
 *     double hz = peer.receivedFrequencyHz();          // what our endpoint sent, measured by WebAudio
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.wavoice.media.interop.AudioSource#tone} makes the tone in the page, so each peer (and
 *       each test) picks its own frequency; {@link dev.wavoice.media.interop.AudioSource#fakeCapture} sends
 *       the WAV given to {@link dev.wavoice.media.interop.ChromiumBrowser#start(java.nio.file.Path)} (see
 *       {@link dev.wavoice.media.interop.ToneWav}) through getUserMedia.</li>
 *   <li>SDP leaves the page with every candidate gathered (no trickle): plain {@code 127.0.0.1} host
 *       candidates, never mDNS names, plus the machine's other interfaces and TCP candidates.
 *       {@link dev.wavoice.media.interop.ChromiumPeer#keepOnlyCandidatesOn} trims them to one address.
 *       Even toward a peer that announces 127.0.0.1 only, Chromium may send its checks from a socket on
 *       another local interface: expect peer-reflexive sources such as {@code 192.0.2.2}.</li>
 *   <li>Offers carry one sendrecv audio m-line, Opus only, BUNDLE, rtcp-mux, {@code a=setup:actpass};
 *       Chromium's answers to an {@code actpass} offer take {@code a=setup:active}.</li>
 * </ul>
 *
 * <h2>OpenAI's Realtime WebRTC endpoint (stand-in: Pion and gorilla/websocket)</h2>
 * {@link dev.wavoice.media.interop.OpenAiStandIn} runs {@code src/test/go/openaistandin}, built like the Pion
 * peer (Debian's {@code golang-go golang-github-pion-webrtc.v3-dev golang-github-gorilla-websocket-dev}, nothing
 * downloaded). It speaks OpenAI's public API shapes, not ours: {@code POST /v1/realtime/calls} (multipart
 * {@code sdp} + {@code session}, or raw {@code application/sdp}) answers with {@code 201}, a {@code Location} of
 * {@code /v1/realtime/calls/rtc_…} and an SDP answer ({@code a=setup:active}, full ICE, one 127.0.0.1 host
 * candidate, Opus on the offer's payload type); {@code GET /v1/realtime?call_id=…} is the sideband WebSocket.
 *
 * <pre>{@code
 * try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults().withKey("sk-test")
 *         .withGreetingOpusFile(greeting).withReplyOpusFile(reply).withRecordDir(dir))) {
 *     // point the bridge at openai.baseUrl() / openai.realtimeUrl(), place a call, then:
 *     String callId = openai.awaitCallCreated(1, Duration.ofSeconds(10));
 *     openai.awaitServerEvent(callId, "response.done", Duration.ofSeconds(10));
 *     List<String> sent = openai.clientEventTypes(callId);       // e.g. [session.update, response.create]
 *     List<byte[]> heard = openai.recordedPayloads(callId);      // the caller's Opus, to decode
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code response.create} plays the greeting file; caller speech (told from Opus packet sizes) gives
 *       {@code input_audio_buffer.speech_started}/{@code speech_stopped}, a transcription, then the reply file;
 *       speech during a response cancels it at once ({@code output_audio_buffer.cleared}, {@code response.done}
 *       cancelled). Between responses nothing is sent (as with DTX); timestamps jump by the silence.</li>
 *   <li>Faults: wrong key (401), unknown model (400), {@code failStatus}/{@code failFirst}, {@code badSdp},
 *       {@code noOpus}, {@code answerDelay}, {@code dropAfter}, and {@link
 *       dev.wavoice.media.interop.OpenAiStandIn#dropCall} at any moment.</li>
 * </ul>
 */
package dev.wavoice.media.interop;
