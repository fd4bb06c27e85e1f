package dev.wavoice.server.agent.stream;

import dev.wavoice.server.config.ConfigException;
import java.net.URI;
import java.util.Map;

/**
 * Where a Media Streams bot is and how to talk to it ({@code WAVOICE_AGENT=stream}).
 *
 * @param url             the bot's WebSocket ({@code WAVOICE_STREAM_URL}, ws:// or wss://); one socket per call
 * @param format          the audio both ways ({@code WAVOICE_STREAM_FORMAT}, default μ-law at 8 kHz as Twilio)
 * @param hangupEvent     the {@code event} of the message a bot sends to end the call with a {@code reason}
 *                        ({@code WAVOICE_STREAM_HANGUP_EVENT}, default {@code hangup}); closing the socket also ends it
 * @param maxMessageChars a longer message from the bot is dropped and counted (a runaway bot must not fill memory)
 */
public record StreamSettings(URI url, StreamFormat format, String hangupEvent, int maxMessageChars) {
    public static final String URL_ENV = "WAVOICE_STREAM_URL";
    public static final String FORMAT_ENV = "WAVOICE_STREAM_FORMAT";
    public static final String HANGUP_EVENT_ENV = "WAVOICE_STREAM_HANGUP_EVENT";
    public static final String DEFAULT_HANGUP_EVENT = "hangup";
    /** 1 MiB: ten seconds of 24 kHz L16 in one message, far more than any bot sends at once. */
    public static final int DEFAULT_MAX_MESSAGE_CHARS = 1 << 20;

    public StreamSettings {
        String scheme = url == null ? null : url.getScheme();
        if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss")) || url.getHost() == null) {
            throw new ConfigException(URL_ENV + " must be a ws:// or wss:// URL (got '" + url + "')");
        }
        format = format == null ? StreamFormat.MULAW_8K : format;
        hangupEvent = hangupEvent == null || hangupEvent.isBlank() ? DEFAULT_HANGUP_EVENT : hangupEvent.trim();
        if (maxMessageChars <= 0) {
            maxMessageChars = DEFAULT_MAX_MESSAGE_CHARS;
        }
    }

    public static StreamSettings of(URI url, StreamFormat format) {
        return new StreamSettings(url, format, DEFAULT_HANGUP_EVENT, DEFAULT_MAX_MESSAGE_CHARS);
    }

    /** From the environment; {@code WAVOICE_STREAM_URL} is required. */
    public static StreamSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_ENV);
        if (url == null || url.isBlank()) {
            throw new ConfigException("WAVOICE_AGENT=stream needs " + URL_ENV + " (the bot's ws:// or wss:// URL)");
        }
        return new StreamSettings(parseUrl(url), StreamFormat.parse(env.get(FORMAT_ENV)), env.get(HANGUP_EVENT_ENV),
                DEFAULT_MAX_MESSAGE_CHARS);
    }

    public static URI parseUrl(String url) {
        try {
            return URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL_ENV + " is not a URL (got '" + url + "')");
        }
    }
}
