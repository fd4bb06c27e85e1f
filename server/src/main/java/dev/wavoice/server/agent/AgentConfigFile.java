package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional agent config file: what the agent is, kept out of env vars because instructions and tool
 * schemas are long. Every field is optional; absent ones keep the base value.
 *
 * <pre>{@code
 * {"instructions": "...", "voice": "marin", "greeting": "...", "turn_detection": "semantic_vad",
 *  "transcription_model": "gpt-4o-mini-transcribe",
 *  "tools": [{"name": "lookup_order", "description": "...", "parameters": {...JSON schema...},
 *             "url": "https://example.internal/tools/lookup_order"}],
 *  "recording": "on",
 *  "numbers": {"<phone number id>": {"name": "sales", "agent": "stream", "stream_url": "wss://...", ...}}}
 * }</pre>
 *
 * The agent per WhatsApp number ({@code numbers}) is read by {@link AgentDirectory}.
 */
public final class AgentConfigFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentConfigFile() {
    }

    public static AgentConfig apply(AgentConfig base, Path file) {
        return apply(base, readText(file), file);
    }

    /** The file's text over {@code base}; {@code file} only names it in errors. */
    static AgentConfig apply(AgentConfig base, String text, Path file) {
        return applyObject(base, read(text, file), file, "");
    }

    /** The file's JSON object; {@code file} only names it in errors. */
    static JsonNode read(String text, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new ConfigException("agent config file " + file + " is not readable JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("agent config file " + file + " must hold a JSON object");
        }
        return root;
    }

    static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("agent config file " + file + " is not readable UTF-8: " + e.getMessage());
        }
    }

    /**
     * One agent's object (the file's top level, or a number's entry, {@code where} naming it in errors) over
     * {@code base}: its tools are added to the base's.
     */
    static AgentConfig applyObject(AgentConfig base, JsonNode root, Path file, String where) {
        List<AgentTool> tools = new ArrayList<>(base.tools());
        for (JsonNode t : root.path("tools")) {
            AgentTool tool = tool(file, t);
            // The agent calls a tool by name: a second one of the same name could never be called.
            if (tools.stream().anyMatch(other -> other.name().equals(tool.name()))) {
                throw new ConfigException("agent config file " + file + where + ": tool " + tool.name()
                        + " is declared twice");
            }
            tools.add(tool);
        }
        return new AgentConfig(base.url(), base.model(), base.apiKey(),
                text(root, "instructions", base.instructions()),
                text(root, "voice", base.voice()),
                text(root, "greeting", base.greeting()),
                root.hasNonNull("turn_detection") ? TurnDetection.parse(root.get("turn_detection").asText())
                        : base.turnDetection(),
                text(root, "transcription_model", base.transcriptionModel()),
                tools);
    }

    private static AgentTool tool(Path file, JsonNode t) {
        String name = t.path("name").asText("");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException("agent config file " + file + ": tool name must be 1-64 of [A-Za-z0-9_-] (got '"
                    + name + "')");
        }
        JsonNode parameters = t.path("parameters");
        if (!parameters.isObject()) {
            throw new ConfigException("agent config file " + file + ": tool " + name
                    + " needs \"parameters\", a JSON schema object");
        }
        URI url = null;
        if (t.hasNonNull("url")) {
            try {
                url = new URI(t.get("url").asText());
            } catch (URISyntaxException e) {
                throw new ConfigException("agent config file " + file + ": tool " + name + " url is not a URL ("
                        + e.getMessage() + ")");
            }
            // Checked here, not when the agent first calls the tool mid-call: the HTTP client refuses other schemes
            // and URLs without a host.
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new ConfigException("agent config file " + file + ": tool " + name
                        + " url must be an http(s) URL with a host");
            }
        }
        return new AgentTool(name, t.path("description").asText(""), parameters.toString(), url);
    }

    private static String text(JsonNode root, String field, String fallback) {
        return root.hasNonNull(field) ? root.get(field).asText() : fallback;
    }
}
