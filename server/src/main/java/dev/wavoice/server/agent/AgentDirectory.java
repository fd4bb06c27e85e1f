package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.server.agent.stream.StreamFormat;
import dev.wavoice.server.agent.stream.StreamSettings;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which agent answers which WhatsApp number: the {@code numbers} of the agent config file map a phone number id to an
 * agent of its own (kind, transport, instructions, voice, tools, stream URL, recording); calls on any other number get
 * the default agent, which {@code WAVOICE_AGENT} and the file's top level describe.
 */
public record AgentDirectory(AgentProfile fallback, Map<String, AgentProfile> byNumber) {
    /** Env var: {@code on} records the default agent's calls (a number's entry says {@code "recording"} itself). */
    public static final String RECORDING_ENV = "WAVOICE_RECORDING";

    public AgentDirectory {
        byNumber = Map.copyOf(byNumber);
    }

    /** One agent for every number. */
    public static AgentDirectory single(AgentProfile agent) {
        return new AgentDirectory(agent, Map.of());
    }

    /** The agent for calls on {@code phoneNumberId} (the default when the number is not mapped or unknown). */
    public AgentProfile forNumber(String phoneNumberId) {
        AgentProfile p = phoneNumberId == null ? null : byNumber.get(phoneNumberId);
        return p == null ? fallback : p;
    }

    /** Every distinct agent, the default first. */
    public List<AgentProfile> all() {
        List<AgentProfile> all = new ArrayList<>();
        all.add(fallback);
        for (AgentProfile p : byNumber.values()) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        return all;
    }

    /**
     * From the environment: the default agent of {@code kind} and {@code transport} ({@code WAVOICE_AGENT},
     * {@code WAVOICE_AGENT_TRANSPORT}, resolved by the caller), its Realtime settings from {@code OPENAI_*} and the
     * file, its stream from {@code WAVOICE_STREAM_*}; then the file's numbers.
     */
    public static AgentDirectory fromEnvironment(Map<String, String> env, AgentKind kind, AgentTransport transport) {
        AgentConfig realtime = AgentConfig.fromEnvironment(env);
        StreamSettings stream = kind == AgentKind.STREAM ? StreamSettings.fromEnvironment(env) : null;
        String fileName = env.get(AgentConfig.CONFIG_FILE_ENV);
        JsonNode root = null;
        Path file = null;
        if (fileName != null && !fileName.isBlank()) {
            file = Path.of(fileName.trim());
            root = AgentConfigFile.read(AgentConfigFile.readText(file), file);
        }
        boolean recording = on(env.get(RECORDING_ENV), RECORDING_ENV)
                || (root != null && on(root.path("recording").asText(null), "recording"));
        AgentProfile fallback = new AgentProfile(AgentProfile.defaultName(kind, transport), kind, transport, realtime,
                stream, recording);
        if (root == null || !root.has("numbers")) {
            return single(fallback);
        }
        return new AgentDirectory(fallback, numbers(root.get("numbers"), file, fallback, env));
    }

    private static Map<String, AgentProfile> numbers(JsonNode numbers, Path file, AgentProfile fallback,
            Map<String, String> env) {
        if (!numbers.isObject()) {
            throw new ConfigException("agent config file " + file + ": \"numbers\" must map phone number ids to agents");
        }
        Map<String, AgentProfile> byNumber = new LinkedHashMap<>();
        var entries = numbers.fields();
        while (entries.hasNext()) {
            var e = entries.next();
            String id = e.getKey();
            String where = " number " + id;
            JsonNode n = e.getValue();
            if (!id.matches("[0-9]{1,32}") || !n.isObject()) {
                throw new ConfigException("agent config file " + file + ": \"numbers\" keys are WhatsApp phone number "
                        + "ids (digits) and each value an object (got " + id + ")");
            }
            AgentKind kind = n.hasNonNull("agent") ? AgentKind.resolve(n.get("agent").asText(), false)
                    : fallback.kind();
            AgentTransport transport = n.hasNonNull("transport") ? AgentTransport.parse(n.get("transport").asText())
                    : fallback.transport();
            AgentConfig realtime = AgentConfigFile.applyObject(fallback.realtime(), n, file, where);
            ToolHosts.parse(env.get(ToolHosts.ENV)).check(realtime.tools());
            StreamSettings stream = null;
            if (kind == AgentKind.STREAM) {
                stream = streamOf(n, fallback.stream(), file, where);
            }
            String name = n.hasNonNull("name") ? n.get("name").asText().trim()
                    : AgentProfile.defaultName(kind, transport) + "@" + id;
            boolean recording = n.has("recording") ? on(n.get("recording").asText(), "recording")
                    : fallback.recording();
            byNumber.put(id, new AgentProfile(name, kind, transport, realtime, stream, recording));
        }
        return byNumber;
    }

    /** A number's stream agent: its own {@code stream_url}, format and hang-up event over the default stream's. */
    private static StreamSettings streamOf(JsonNode n, StreamSettings base, Path file, String where) {
        String url = n.path("stream_url").asText(null);
        if (url == null && base == null) {
            throw new ConfigException("agent config file " + file + where + ": a stream agent needs \"stream_url\"");
        }
        return new StreamSettings(url != null ? StreamSettings.parseUrl(url) : base.url(),
                n.hasNonNull("stream_format") ? StreamFormat.parse(n.get("stream_format").asText())
                        : base != null ? base.format() : null,
                n.hasNonNull("hangup_event") ? n.get("hangup_event").asText()
                        : base != null ? base.hangupEvent() : null,
                base != null ? base.maxMessageChars() : StreamSettings.DEFAULT_MAX_MESSAGE_CHARS);
    }

    private static boolean on(String value, String what) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw new ConfigException(what + " must be on or off (got '" + value + "')");
        };
    }
}
