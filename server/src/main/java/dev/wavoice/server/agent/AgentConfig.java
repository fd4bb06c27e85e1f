package dev.wavoice.server.agent;

import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to reach the agent and what it should be. Immutable; the API key is a {@link Secret}, so
 * {@code toString} (and any log line built from it) shows {@code <redacted>}.
 *
 * @param url                 the Realtime WebSocket endpoint, without the {@code model} query parameter
 * @param tools               declared tools; the built-in {@code end_call} is always added on the wire
 */
public record AgentConfig(
        URI url,
        String model,
        Secret apiKey,
        String instructions,
        String voice,
        String greeting,
        TurnDetection turnDetection,
        String transcriptionModel,
        List<AgentTool> tools) {

    public static final String DEFAULT_URL = "wss://api.openai.com/v1/realtime";
    public static final String DEFAULT_MODEL = "gpt-realtime";
    public static final String DEFAULT_INSTRUCTIONS = "You answer phone calls. Be brief, warm and clear; "
            + "callers hear you, they cannot read. When the caller is done, say goodbye and call end_call.";
    public static final String DEFAULT_VOICE = "marin";
    public static final String DEFAULT_GREETING = "Greet the caller in one short sentence and ask how you can help.";
    public static final String DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";
    /** Env var: {@code on} gives every agent the built-in {@code schedule_callback} tool (off by default). */
    public static final String CALLBACK_TOOL_ENV = "WAVOICE_CALLBACK_TOOL";
    /** Env var naming the optional JSON agent config file. */
    public static final String CONFIG_FILE_ENV = "WAVOICE_AGENT_CONFIG";

    public AgentConfig {
        String scheme = url == null ? null : url.getScheme();
        if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss")) || url.getHost() == null) {
            throw new ConfigException("OPENAI_REALTIME_URL must be a ws:// or wss:// URL (got '" + url + "')");
        }
        if (model == null || model.isBlank()) {
            throw new ConfigException("OPENAI_REALTIME_MODEL must not be empty");
        }
        apiKey = apiKey == null ? Secret.none() : apiKey;
        tools = List.copyOf(tools);
        for (AgentTool tool : tools) {
            if (tool.name().equals(AgentTool.END_CALL)) {
                throw new ConfigException("tool name end_call is built in; choose another name");
            }
            if (tool.name().equals(AgentTool.SCHEDULE_CALLBACK) && tool.url() != null) {
                throw new ConfigException("tool name schedule_callback is built in (" + CALLBACK_TOOL_ENV
                        + "=on); choose another name");
            }
        }
    }

    /** Defaults for everything but the endpoint: what a test or the local agent needs. */
    public static AgentConfig defaults(URI url, Secret apiKey) {
        return new AgentConfig(url, DEFAULT_MODEL, apiKey, DEFAULT_INSTRUCTIONS, DEFAULT_VOICE, DEFAULT_GREETING,
                TurnDetection.SERVER_VAD, DEFAULT_TRANSCRIPTION_MODEL, List.of());
    }

    /**
     * From the environment: {@code OPENAI_REALTIME_URL}, {@code OPENAI_REALTIME_MODEL}, {@code OPENAI_API_KEY},
     * then the file named by {@code WAVOICE_AGENT_CONFIG} if set (see {@link AgentConfigFile}), its tools' hosts
     * checked against {@code WAVOICE_TOOL_HOSTS} when that is set ({@link ToolHosts}).
     */
    public static AgentConfig fromEnvironment(Map<String, String> env) {
        URI url;
        try {
            url = URI.create(orDefault(env, "OPENAI_REALTIME_URL", DEFAULT_URL));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("OPENAI_REALTIME_URL is not a URL (got '" + env.get("OPENAI_REALTIME_URL") + "')");
        }
        String model = orDefault(env, "OPENAI_REALTIME_MODEL", DEFAULT_MODEL);
        AgentConfig base = new AgentConfig(url, model, Secret.of(env.get("OPENAI_API_KEY")), DEFAULT_INSTRUCTIONS,
                DEFAULT_VOICE, DEFAULT_GREETING, TurnDetection.SERVER_VAD, DEFAULT_TRANSCRIPTION_MODEL, List.of());
        String file = env.get(CONFIG_FILE_ENV);
        AgentConfig config = file == null || file.isBlank() ? base : AgentConfigFile.apply(base, Path.of(file.trim()));
        if (callbackToolOn(env.get(CALLBACK_TOOL_ENV))) {
            config = config.withTool(AgentTool.scheduleCallback());
        }
        ToolHosts.parse(env.get(ToolHosts.ENV)).check(config.tools());
        return config;
    }

    /** As every other setting: a blank variable (a compose file's {@code VAR=}) counts as unset. */
    private static String orDefault(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public AgentConfig withUrl(URI newUrl) {
        return new AgentConfig(newUrl, model, apiKey, instructions, voice, greeting, turnDetection,
                transcriptionModel, tools);
    }

    public AgentConfig withApiKey(Secret newKey) {
        return new AgentConfig(url, model, newKey, instructions, voice, greeting, turnDetection,
                transcriptionModel, tools);
    }

    /** The same agent speaking for one call: its instructions, voice and first turn replaced. */
    public AgentConfig withPersona(String newInstructions, String newVoice, String newGreeting) {
        return new AgentConfig(url, model, apiKey, newInstructions, newVoice, newGreeting, turnDetection,
                transcriptionModel, tools);
    }

    /** The same agent with one more tool. */
    public AgentConfig withTool(AgentTool tool) {
        List<AgentTool> more = new java.util.ArrayList<>(tools);
        more.add(tool);
        return new AgentConfig(url, model, apiKey, instructions, voice, greeting, turnDetection, transcriptionModel,
                more);
    }

    private static boolean callbackToolOn(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw new ConfigException(CALLBACK_TOOL_ENV + " must be on or off (got '" + value + "')");
        };
    }
}
