package dev.wavoice.server.agent;

import dev.wavoice.server.config.ConfigException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code WAVOICE_TOOL_HOSTS}: the hosts ({@code host} or {@code host:port}, comma-separated) HTTP tools may call.
 * Tool URLs come from the agent config file only (a tool call names a tool, never a URL); this list is the second
 * lock, so that a config file edited by mistake or by someone else cannot point a tool at an internal service.
 * Unset: any host the config names.
 */
public record ToolHosts(Set<String> allowed) {
    public static final String ENV = "WAVOICE_TOOL_HOSTS";

    public static ToolHosts parse(String value) {
        if (value == null || value.isBlank()) {
            return new ToolHosts(Set.of());
        }
        return new ToolHosts(Arrays.stream(value.split(",")).map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
    }

    /** Refuses, at startup, a tool whose URL's host is not on the list (when there is a list). */
    public void check(List<AgentTool> tools) {
        if (allowed.isEmpty()) {
            return;
        }
        for (AgentTool tool : tools) {
            URI url = tool.url();
            if (url == null) {
                continue;
            }
            String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
            String hostPort = url.getPort() < 0 ? host : host + ":" + url.getPort();
            if (!allowed.contains(host) && !allowed.contains(hostPort)) {
                throw new ConfigException("tool " + tool.name() + " calls " + hostPort + ", which " + ENV
                        + " does not list (" + String.join(",", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
