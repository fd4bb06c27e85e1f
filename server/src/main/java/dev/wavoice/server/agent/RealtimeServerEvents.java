package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.server.agent.AgentEvent.Speaker;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps server → client events (GA names, plus the beta names that differ) to {@link AgentEvent}s. Pure: the
 * session does the counting and logging.
 */
final class RealtimeServerEvents {

    /** The outcome of one event: zero or more agent events, or a sign that the type is unknown. */
    record Parsed(List<AgentEvent> events, boolean known) {
        static final Parsed IGNORED = new Parsed(List.of(), true);
        static final Parsed UNKNOWN = new Parsed(List.of(), false);

        static Parsed of(AgentEvent event) {
            return new Parsed(List.of(event), true);
        }
    }

    /** Events we understand but the bridge does not act on; not counted as unknown. */
    private static final Set<String> KNOWN_IGNORED = Set.of(
            "session.created", "session.updated", "rate_limits.updated", "input_audio_buffer.committed",
            "input_audio_buffer.cleared", "input_audio_buffer.timeout_triggered", "conversation.created",
            "conversation.item.created", "conversation.item.added", "conversation.item.done",
            "conversation.item.truncated", "conversation.item.deleted", "conversation.item.retrieved",
            "conversation.item.input_audio_transcription.segment",
            "conversation.item.input_audio_transcription.failed", "response.created", "response.output_item.added",
            "response.output_item.done", "response.content_part.added", "response.content_part.done",
            "response.output_audio.done", "response.audio.done", "response.output_text.delta",
            "response.output_text.done", "response.text.delta", "response.text.done",
            "response.function_call_arguments.delta", "transcription_session.updated");

    private RealtimeServerEvents() {
    }

    /**
     * @throws IllegalArgumentException when an audio delta is not valid base64
     */
    static Parsed parse(String type, JsonNode e) {
        return switch (type) {
            case "response.output_audio.delta", "response.audio.delta" ->
                    Parsed.of(new AgentEvent.AudioDelta(text(e, "item_id"), Pcm16.fromBase64(e.path("delta").asText(""))));
            case "input_audio_buffer.speech_started" -> Parsed.of(new AgentEvent.SpeechStarted(text(e, "item_id")));
            case "input_audio_buffer.speech_stopped" -> Parsed.of(new AgentEvent.SpeechStopped(text(e, "item_id")));
            case "response.output_audio_transcript.delta", "response.audio_transcript.delta" -> Parsed.of(
                    new AgentEvent.Transcript(Speaker.ASSISTANT, text(e, "delta"), false, text(e, "item_id")));
            case "response.output_audio_transcript.done", "response.audio_transcript.done" -> Parsed.of(
                    new AgentEvent.Transcript(Speaker.ASSISTANT, text(e, "transcript"), true, text(e, "item_id")));
            case "conversation.item.input_audio_transcription.delta" -> Parsed.of(
                    new AgentEvent.Transcript(Speaker.CALLER, text(e, "delta"), false, text(e, "item_id")));
            case "conversation.item.input_audio_transcription.completed" -> Parsed.of(
                    new AgentEvent.Transcript(Speaker.CALLER, text(e, "transcript"), true, text(e, "item_id")));
            case "response.function_call_arguments.done" -> Parsed.of(
                    new AgentEvent.ToolCall(text(e, "call_id"), text(e, "name"), e.path("arguments").asText("{}")));
            case "response.done" -> responseDone(e.path("response"));
            case "output_audio_buffer.started" -> Parsed.of(new AgentEvent.Playout(AgentEvent.PlayoutState.STARTED));
            case "output_audio_buffer.stopped" -> Parsed.of(new AgentEvent.Playout(AgentEvent.PlayoutState.STOPPED));
            case "output_audio_buffer.cleared" -> Parsed.of(new AgentEvent.Playout(AgentEvent.PlayoutState.CLEARED));
            case "error" -> {
                JsonNode error = e.path("error");
                yield Parsed.of(new AgentEvent.Error(text(error, "type"), text(error, "code"), text(error, "message")));
            }
            default -> KNOWN_IGNORED.contains(type) ? Parsed.IGNORED : Parsed.UNKNOWN;
        };
    }

    /** Usage, and for a failed response its error (a quota or key problem shows up here mid-call). */
    private static Parsed responseDone(JsonNode response) {
        List<AgentEvent> events = new ArrayList<>(2);
        JsonNode error = response.path("status_details").path("error");
        if ("failed".equals(response.path("status").asText()) && error.isObject()) {
            events.add(new AgentEvent.Error(text(error, "type"), text(error, "code"), text(error, "message")));
        }
        JsonNode usage = response.path("usage");
        if (!usage.isMissingNode() && !usage.isNull()) {
            events.add(usage(usage));
        }
        return new Parsed(List.copyOf(events), true);
    }

    private static AgentEvent usage(JsonNode usage) {
        return new AgentEvent.Usage(usage.path("input_tokens").asLong(), usage.path("output_tokens").asLong(),
                usage.path("input_token_details").path("audio_tokens").asLong(),
                usage.path("output_token_details").path("audio_tokens").asLong());
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
