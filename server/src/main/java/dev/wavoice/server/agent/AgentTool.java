package dev.wavoice.server.agent;

import java.net.URI;

/**
 * A function the agent may call. {@code parametersSchema} is JSON Schema text, kept as text so the record
 * stays immutable; {@code url} is where an HTTP tool's arguments are POSTed (null for built-ins).
 */
public record AgentTool(String name, String description, String parametersSchema, URI url) {
    /** The built-in tool that ends the call once the goodbye has played. */
    public static final String END_CALL = "end_call";

    public static AgentTool endCall() {
        return new AgentTool(END_CALL,
                "Hang up the call. Say goodbye first; the call ends once that goodbye has finished playing.",
                "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}}}", null);
    }
}
