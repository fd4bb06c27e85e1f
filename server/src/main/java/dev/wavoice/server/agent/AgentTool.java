package dev.wavoice.server.agent;

import java.net.URI;

/**
 * A function the agent may call. {@code parametersSchema} is JSON Schema text, kept as text so the record
 * stays immutable; {@code url} is where an HTTP tool's arguments are POSTed (null for built-ins).
 */
public record AgentTool(String name, String description, String parametersSchema, URI url) {
    /** The built-in tool that ends the call once the goodbye has played. */
    public static final String END_CALL = "end_call";

    /** The built-in tool (off unless {@code WAVOICE_CALLBACK_TOOL=on}) that has wavoice call the caller back. */
    public static final String SCHEDULE_CALLBACK = "schedule_callback";

    public static AgentTool scheduleCallback() {
        return new AgentTool(SCHEDULE_CALLBACK,
                "Promise the caller a call back and have it made: wavoice calls this caller back after the given number"
                        + " of minutes, with the reason as the agent's instructions for that call. Tell the caller when.",
                "{\"type\":\"object\",\"properties\":{\"minutes\":{\"type\":\"number\",\"minimum\":0,"
                        + "\"maximum\":10080,\"description\":\"minutes from now\"},\"reason\":{\"type\":\"string\","
                        + "\"description\":\"what the call back is about, for the agent who makes it\"}},"
                        + "\"required\":[\"minutes\",\"reason\"]}", null);
    }

    public static AgentTool endCall() {
        return new AgentTool(END_CALL,
                "Hang up the call. Say goodbye first; the call ends once that goodbye has finished playing.",
                "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}}}", null);
    }
}
