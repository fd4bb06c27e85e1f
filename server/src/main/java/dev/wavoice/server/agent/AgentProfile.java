package dev.wavoice.server.agent;

import dev.wavoice.server.agent.stream.StreamSettings;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.ConfigException;

/**
 * One agent that answers calls: the default, or the one a WhatsApp number is mapped to ({@link AgentDirectory}).
 *
 * @param name      what the call row and the dashboard show as the call's agent
 * @param kind      local, openai, echo, pcm-echo or stream
 * @param transport how an OpenAI-compatible agent is reached (ignored by the other kinds)
 * @param realtime  instructions, voice, tools… of a Realtime agent (local or OpenAI)
 * @param stream    the bot's socket, for {@link AgentKind#STREAM}; null otherwise
 * @param recording whether its calls are recorded
 */
public record AgentProfile(String name, AgentKind kind, AgentTransport transport, AgentConfig realtime,
                           StreamSettings stream, boolean recording) {

    public AgentProfile {
        if (kind == AgentKind.STREAM && stream == null) {
            throw new ConfigException("agent " + name + " is a stream agent without a stream URL");
        }
    }

    /** The name a kind and transport get when the configuration gives none, as the call log has always shown it. */
    public static String defaultName(AgentKind kind, AgentTransport transport) {
        boolean realtime = kind == AgentKind.LOCAL || kind == AgentKind.OPENAI;
        return kind.configName() + (realtime && transport == AgentTransport.WEBRTC ? "/webrtc" : "");
    }

    /** Whether calls need an Opus codec (every kind but the echo line, which relays RTP as it comes). */
    public boolean decodes() {
        return kind != AgentKind.ECHO;
    }
}
