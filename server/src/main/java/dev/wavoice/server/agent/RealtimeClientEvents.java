package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The client → server events of the GA Realtime protocol, as JSON text. Over WebRTC the audio travels as Opus on
 * the media leg, so the session names no PCM formats ({@code pcmAudio} false).
 */
final class RealtimeClientEvents {
    static final int SAMPLE_RATE = 24_000;
    /** Names our {@code session.update}, so an {@code error} about it is known for a rejected configuration. */
    static final String SESSION_UPDATE_EVENT_ID = "wavoice_session_update";
    private final ObjectMapper json;
    private final boolean pcmAudio;

    RealtimeClientEvents(ObjectMapper json, boolean pcmAudio) {
        this.json = json;
        this.pcmAudio = pcmAudio;
    }

    String sessionUpdate(AgentConfig config) {
        return sessionUpdate(config, config.instructions());
    }

    /** The configured session with other instructions: the configured ones plus the conversation so far. */
    String sessionUpdate(AgentConfig config, String instructions) {
        ObjectNode root = json.createObjectNode().put("type", "session.update").put("event_id", SESSION_UPDATE_EVENT_ID);
        root.set("session", session(config, instructions));
        return write(root);
    }

    /** The session part of a {@code POST /v1/realtime/calls}: the same object a {@code session.update} carries. */
    String sessionJson(AgentConfig config) {
        return write(session(config, config.instructions()));
    }

    private ObjectNode session(AgentConfig config, String instructions) {
        ObjectNode session = json.createObjectNode();
        session.put("type", "realtime");
        session.put("model", config.model());
        session.put("instructions", instructions);
        session.putArray("output_modalities").add("audio");
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        if (pcmAudio) {
            pcmFormat(input.putObject("format"));
        }
        input.putObject("turn_detection").put("type", config.turnDetection().wireName());
        input.putObject("transcription").put("model", config.transcriptionModel());
        ObjectNode output = audio.putObject("output");
        if (pcmAudio) {
            pcmFormat(output.putObject("format"));
        }
        output.put("voice", config.voice());
        ArrayNode tools = session.putArray("tools");
        tool(tools, AgentTool.endCall());
        config.tools().forEach(t -> tool(tools, t));
        session.put("tool_choice", "auto");
        return session;
    }

    String append(short[] pcm, int off, int len) {
        return write(json.createObjectNode().put("type", "input_audio_buffer.append")
                .put("audio", Pcm16.toBase64(pcm, off, len)));
    }

    String responseCreate(String instructions) {
        ObjectNode root = json.createObjectNode().put("type", "response.create");
        if (instructions != null) {
            root.putObject("response").put("instructions", instructions);
        }
        return write(root);
    }

    String truncate(String itemId, long audioEndMs) {
        return write(json.createObjectNode().put("type", "conversation.item.truncate")
                .put("item_id", itemId).put("content_index", 0).put("audio_end_ms", audioEndMs));
    }

    String toolOutput(String callId, String output) {
        ObjectNode root = json.createObjectNode().put("type", "conversation.item.create");
        root.putObject("item").put("type", "function_call_output").put("call_id", callId).put("output", output);
        return write(root);
    }

    /** What the caller typed on the keypad, as a turn of the caller's (DTMF never reaches the agent as audio). */
    String callerKeys(String digits) {
        ObjectNode root = json.createObjectNode().put("type", "conversation.item.create");
        ObjectNode item = root.putObject("item").put("type", "message").put("role", "user");
        item.putArray("content").addObject().put("type", "input_text")
                .put("text", "[The caller pressed these keys on the phone keypad: " + digits + "]");
        return write(root);
    }

    /** Context for the model that is not a turn of the caller's, e.g. a tool result whose call id is gone. */
    String systemMessage(String text) {
        ObjectNode root = json.createObjectNode().put("type", "conversation.item.create");
        ObjectNode item = root.putObject("item").put("type", "message").put("role", "system");
        item.putArray("content").addObject().put("type", "input_text").put("text", text);
        return write(root);
    }

    private void tool(ArrayNode tools, AgentTool tool) {
        ObjectNode node = tools.addObject().put("type", "function").put("name", tool.name())
                .put("description", tool.description());
        try {
            node.set("parameters", json.readTree(tool.parametersSchema()));
        } catch (IOException e) {
            throw new IllegalArgumentException("tool " + tool.name() + " parameters are not JSON", e);
        }
    }

    private static void pcmFormat(ObjectNode format) {
        format.put("type", "audio/pcm").put("rate", SAMPLE_RATE);
    }

    private String write(ObjectNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
