package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.audio.SineGenerator;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the {@link LocalAgentServer}: energy VAD over the appended audio, then a chime and the
 * caller's own audio played back. Messages arrive on the socket's thread; a reply plays on a virtual thread so
 * a {@code response.cancel}, a truncate or new speech can stop it mid-way (barge-in works against it).
 */
final class LocalAgentConversation {
    private static final Logger log = LoggerFactory.getLogger(LocalAgentConversation.class);
    private static final int RATE = 24_000;
    /** 100 ms deltas, like the real service sends, at twice real time so barge-in has something to cut. */
    private static final int DELTA = 2_400;
    private static final long DELTA_PAUSE_MS = 50;
    /** 30 s of caller audio at most: a stuck line must not grow memory. */
    private static final int MAX_RECORDED = 30 * RATE;

    private final ObjectMapper json;
    private final Consumer<String> sink;
    /** Where replies are played over WebRTC; null when they go out as audio delta events. */
    private final Speaker speaker;
    private final EnergyVad vad = new EnergyVad(-45, 25);
    private final short[] frame = new short[EnergyVad.FRAME];
    private int framed;
    private long samplesIn;
    private short[] recorded = new short[RATE];
    private int recordedLength;
    private int voicedLength;
    private String callerItem;
    private final short[] previous = new short[EnergyVad.FRAME];
    /** Ids come from the socket thread and the reply thread alike. */
    private final AtomicInteger nextId = new AtomicInteger();
    private volatile Reply current;

    /**
     * Plays replies on a WebRTC leg, as OpenAI does over WebRTC: the audio goes on the media path, and the events
     * say when the caller starts and stops hearing it ({@code output_audio_buffer.*}).
     */
    interface Speaker {
        /** Queues PCM at 24 kHz for playout. */
        void play(short[] pcm, int off, int len);

        /** Drops what is queued (barge-in). */
        void clear();

        /** Milliseconds of audio still queued. */
        long queuedMillis();
    }

    /** A response being played; {@code stopped} is set by cancel, truncate or barge-in. */
    private record Reply(String responseId, String itemId, AtomicBoolean stopped) {
    }

    LocalAgentConversation(ObjectMapper json, Consumer<String> sink) {
        this(json, sink, null);
    }

    LocalAgentConversation(ObjectMapper json, Consumer<String> sink, Speaker speaker) {
        this.json = json;
        this.sink = sink;
        this.speaker = speaker;
    }

    void open() {
        ObjectNode e = event("session.created");
        e.putObject("session").put("type", "realtime").put("id", "sess_local").put("model", "local-agent");
        send(e);
    }

    void onMessage(String text) {
        JsonNode m;
        try {
            m = json.readTree(text);
        } catch (Exception e) {
            sendError("invalid_request_error", "invalid_json", "event is not JSON");
            return;
        }
        String type = m.path("type").asText("");
        switch (type) {
            case "session.update" -> {
                ObjectNode e = event("session.updated");
                e.set("session", m.path("session").deepCopy());
                send(e);
            }
            case "input_audio_buffer.append" -> {
                try {
                    audio(Pcm16.fromBase64(m.path("audio").asText("")));
                } catch (IllegalArgumentException e) {
                    sendError("invalid_request_error", "invalid_audio", "audio is not base64");
                }
            }
            case "response.create" -> play(Chime.greeting(), "[local agent] greeting chime");
            case "response.cancel" -> stop();
            case "conversation.item.truncate" -> {
                Reply r = current;
                if (r != null && r.itemId().equals(m.path("item_id").asText())) {
                    r.stopped().set(true);
                }
                ObjectNode e = event("conversation.item.truncated").put("item_id", m.path("item_id").asText())
                        .put("content_index", 0).put("audio_end_ms", m.path("audio_end_ms").asLong());
                send(e);
            }
            case "input_audio_buffer.clear", "input_audio_buffer.commit", "conversation.item.create" -> {
                // Accepted; the line test has nothing to do with them.
            }
            default -> sendError("invalid_request_error", "unknown_event", "unsupported event type " + type);
        }
    }

    void close() {
        stop();
    }

    /** Caller audio: PCM at 24 kHz, from appends or (over WebRTC) from the media leg. */
    void audio(short[] pcm) {
        for (int i = 0; i < pcm.length; ) {
            int n = Math.min(pcm.length - i, EnergyVad.FRAME - framed);
            System.arraycopy(pcm, i, frame, framed, n);
            framed += n;
            i += n;
            if (framed == EnergyVad.FRAME) {
                framed = 0;
                samplesIn += EnergyVad.FRAME;
                vadFrame();
            }
        }
    }

    private void vadFrame() {
        EnergyVad.Change change = vad.frame(frame, 0);
        if (change == EnergyVad.Change.STARTED) {
            stop(); // the caller talks over the reply: stop it, as the real service does
            callerItem = "item_local_" + nextId.incrementAndGet();
            recordedLength = 0;
            voicedLength = 0;
            record(previous); // the voiced frame that made this one count
            send(event("input_audio_buffer.speech_started").put("item_id", callerItem)
                    .put("audio_start_ms", ms(samplesIn - 2L * EnergyVad.FRAME)));
        }
        System.arraycopy(frame, 0, previous, 0, EnergyVad.FRAME);
        if (vad.speaking() || change == EnergyVad.Change.STOPPED) {
            record(frame);
            if (vad.lastVoiced()) {
                voicedLength = recordedLength;
            }
        }
        if (change == EnergyVad.Change.STOPPED) {
            answer();
        }
    }

    private void record(short[] f) {
        if (recordedLength + f.length > MAX_RECORDED) {
            return;
        }
        if (recordedLength + f.length > recorded.length) {
            recorded = Arrays.copyOf(recorded, Math.min(MAX_RECORDED, recorded.length * 2));
        }
        System.arraycopy(f, 0, recorded, recordedLength, f.length);
        recordedLength += f.length;
    }

    private void answer() {
        String seconds = String.format(Locale.ROOT, "%.1f", voicedLength / (double) RATE);
        send(event("input_audio_buffer.speech_stopped").put("item_id", callerItem).put("audio_end_ms", ms(samplesIn)));
        send(event("input_audio_buffer.committed").put("item_id", callerItem));
        send(event("conversation.item.input_audio_transcription.completed").put("item_id", callerItem)
                .put("content_index", 0)
                .put("transcript", "[local agent: no speech recognition] " + seconds + " s of caller audio"));
        short[] chime = Chime.reply();
        short[] reply = Arrays.copyOf(chime, chime.length + voicedLength);
        System.arraycopy(recorded, 0, reply, chime.length, voicedLength);
        play(reply, "[local agent] " + seconds + " s of caller audio");
    }

    private void play(short[] pcm, String transcript) {
        stop();
        Reply reply = new Reply("resp_local_" + nextId.incrementAndGet(), "item_local_" + nextId.incrementAndGet(), new AtomicBoolean());
        current = reply;
        send(event("response.created").set("response", json.createObjectNode().put("id", reply.responseId())
                .put("status", "in_progress")));
        Thread.ofVirtual().name("local-agent-reply").start(() -> {
            boolean completed = true;
            if (speaker != null) {
                send(event("output_audio_buffer.started").put("response_id", reply.responseId()));
            }
            for (int off = 0; off < pcm.length; off += DELTA) {
                if (reply.stopped().get()) {
                    completed = false;
                    break;
                }
                int n = Math.min(DELTA, pcm.length - off);
                if (speaker != null) {
                    speaker.play(pcm, off, n);
                } else {
                    send(event("response.output_audio.delta").put("response_id", reply.responseId())
                            .put("item_id", reply.itemId()).put("output_index", 0).put("content_index", 0)
                            .put("delta", Pcm16.toBase64(pcm, off, n)));
                }
                try {
                    Thread.sleep(DELTA_PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (completed) {
                send(event("response.output_audio.done").put("response_id", reply.responseId())
                        .put("item_id", reply.itemId()));
                send(event("response.output_audio_transcript.done").put("response_id", reply.responseId())
                        .put("item_id", reply.itemId()).put("transcript", transcript));
                if (speaker != null && awaitPlayed(reply)) {
                    send(event("output_audio_buffer.stopped").put("response_id", reply.responseId()));
                }
            }
            ObjectNode response = json.createObjectNode().put("id", reply.responseId())
                    .put("status", completed ? "completed" : "cancelled");
            ObjectNode usage = response.putObject("usage").put("total_tokens", 0).put("input_tokens", 0)
                    .put("output_tokens", 0);
            usage.putObject("input_token_details").put("audio_tokens", 0).put("text_tokens", 0);
            usage.putObject("output_token_details").put("audio_tokens", 0).put("text_tokens", 0);
            send((ObjectNode) event("response.done").set("response", response));
        });
    }

    /** Over WebRTC: waits until the queued reply has been played out; false when it was cut first. */
    private boolean awaitPlayed(Reply reply) {
        try {
            while (!reply.stopped().get() && speaker.queuedMillis() > 0) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !reply.stopped().get();
    }

    private void stop() {
        Reply r = current;
        if (r != null && r.stopped().compareAndSet(false, true) && speaker != null) {
            speaker.clear(); // the caller talks over the reply: it stops at once, as OpenAI's does
            send(event("output_audio_buffer.cleared").put("response_id", r.responseId()));
        }
    }

    private void sendError(String type, String code, String message) {
        ObjectNode e = event("error");
        e.putObject("error").put("type", type).put("code", code).put("message", message);
        send(e);
        log.debug("local agent rejected an event code={}", code);
    }

    private ObjectNode event(String type) {
        return json.createObjectNode().put("type", type).put("event_id", "evt_local_" + nextId.incrementAndGet());
    }

    private void send(ObjectNode event) {
        String text = event.toString();
        // Jetty's session takes one message at a time; the socket thread and the reply thread both send.
        synchronized (sink) {
            try {
                sink.accept(text);
            } catch (RuntimeException e) {
                // The client went away mid-reply; the close callback ends the conversation.
                stop();
            }
        }
    }

    private static long ms(long samples) {
        return samples * 1000 / RATE;
    }

    /** The local agent's only sounds besides the caller's own voice. */
    static final class Chime {
        static final double REPLY_HZ = 1_320;

        private Chime() {
        }

        /** 200 ms at 1320 Hz, then 50 ms of silence so the parrot line starts clearly. */
        static short[] reply() {
            short[] pcm = new short[RATE / 4];
            new SineGenerator(REPLY_HZ, RATE, 0.2).fill(pcm, 0, RATE / 5);
            return pcm;
        }

        /** Two rising notes, 150 ms each. */
        static short[] greeting() {
            short[] pcm = new short[RATE * 3 / 10];
            new SineGenerator(660, RATE, 0.2).fill(pcm, 0, RATE * 3 / 20);
            new SineGenerator(880, RATE, 0.2).fill(pcm, RATE * 3 / 20, RATE * 3 / 20);
            return pcm;
        }
    }
}
