package dev.wavoice.server.agent.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One message from a Media Streams bot, as the session acts on it: audio to play, a mark, a clear, the hang-up, or
 * a message dropped with its reason. {@link #parse} never throws: a bot's bytes are outside input.
 */
sealed interface BotMessage {

    /** Audio at the stream's rate (never empty). */
    record Media(short[] pcm) implements BotMessage {
    }

    record Mark(String name) implements BotMessage {
    }

    record Clear() implements BotMessage {
    }

    /** The bot ends the call; {@code reason} is what it said, on one line and at most 200 characters. */
    record HangUp(String reason) implements BotMessage {
    }

    record Dropped(StreamCounters.Drop why) implements BotMessage {
    }

    ObjectMapper JSON = new ObjectMapper();
    int MAX_REASON = 200;

    /** What a bot said (a hang-up's or a close's reason), fit for a log line and a call row: one line, bounded. */
    static String oneLine(String said) {
        String line = said.replaceAll("[\\x00-\\x1f\\x7f]", " ").strip();
        return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) : line;
    }

    /**
     * @param streamSid   this call's stream: a message naming another is dropped ({@code streamSid} may be left out)
     * @param hangupEvent the event name of the bot's hang-up message
     */
    static BotMessage parse(String text, String streamSid, StreamFormat format, String hangupEvent) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException e) {
            return new Dropped(StreamCounters.Drop.BAD_JSON);
        }
        if (message == null || !message.isObject()) {
            return new Dropped(StreamCounters.Drop.BAD_JSON);
        }
        JsonNode sid = message.get("streamSid");
        if (sid != null && !sid.isNull() && !sid.asText().equals(streamSid)) {
            return new Dropped(StreamCounters.Drop.BAD_MESSAGE);
        }
        String event = message.path("event").asText("");
        switch (event) {
            case "media" -> {
                JsonNode payload = message.path("media").path("payload");
                if (!payload.isTextual()) {
                    return new Dropped(StreamCounters.Drop.BAD_MESSAGE);
                }
                try {
                    short[] pcm = format.decode(payload.asText());
                    return pcm.length == 0 ? new Dropped(StreamCounters.Drop.BAD_MEDIA) : new Media(pcm);
                } catch (IllegalArgumentException e) {
                    return new Dropped(StreamCounters.Drop.BAD_MEDIA);
                }
            }
            case "mark" -> {
                JsonNode name = message.path("mark").path("name");
                return name.isTextual() ? new Mark(name.asText()) : new Dropped(StreamCounters.Drop.BAD_MESSAGE);
            }
            case "clear" -> {
                return new Clear();
            }
            default -> {
                if (!event.equals(hangupEvent)) {
                    return new Dropped(StreamCounters.Drop.UNKNOWN_EVENT);
                }
                String reason = oneLine(message.path("reason").asText(""));
                return new HangUp(reason.isEmpty() ? "the bot hung up" : "the bot hung up: " + reason);
            }
        }
    }
}
