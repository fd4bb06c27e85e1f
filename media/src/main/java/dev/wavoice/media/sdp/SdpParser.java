package dev.wavoice.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 8866 parser, tolerant where real peers differ (LF or CRLF, blank lines, unknown line types and attributes
 * kept in order) and strict where a wrong guess would corrupt negotiation (the {@code v=}, {@code o=} and
 * {@code m=} lines, the {@code x=} line shape).
 */
final class SdpParser {
    private SdpParser() {
    }

    static SessionDescription parse(String text) throws SdpParseException {
        if (text == null) {
            throw new SdpParseException(1, "", "no SDP");
        }
        String[] lines = text.split("\n", -1);
        Origin origin = null;
        String sessionName = null;
        List<SdpField> sessionFields = new ArrayList<>();
        List<Attribute> sessionAttributes = new ArrayList<>();
        List<MediaDescription> media = new ArrayList<>();
        MediaBuilder current = null;
        boolean sawVersion = false;
        int lastLine = 0;

        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            lastLine = lineNumber;
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw new SdpParseException(lineNumber, line, "expected <type>=<value> with a lower-case letter type");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (!sawVersion) {
                if (type != 'v' || !value.trim().equals("0")) {
                    throw new SdpParseException(lineNumber, line, "an SDP must start with v=0");
                }
                sawVersion = true;
                continue;
            }
            switch (type) {
                case 'v' -> throw new SdpParseException(lineNumber, line, "v= may appear only once");
                case 'm' -> {
                    if (origin == null) {
                        throw new SdpParseException(lineNumber, line, "media section before the o= line");
                    }
                    if (current != null) {
                        media.add(current.build());
                    }
                    current = MediaBuilder.parse(value, lineNumber, line);
                }
                case 'a' -> {
                    Attribute a = Attribute.parse(value, lineNumber, line);
                    (current == null ? sessionAttributes : current.attributes).add(a);
                }
                case 'o' -> {
                    if (current != null || origin != null) {
                        throw new SdpParseException(lineNumber, line, "o= belongs once at session level");
                    }
                    origin = Origin.parse(value, lineNumber, line);
                }
                case 's' -> {
                    if (current == null && sessionName == null) {
                        sessionName = value;
                    } else {
                        throw new SdpParseException(lineNumber, line, "s= belongs once at session level");
                    }
                }
                case 'c' -> {
                    if (Tokens.words(value).length != 3) {
                        throw new SdpParseException(lineNumber, line, "connection needs <nettype> <addrtype> <address>");
                    }
                    (current == null ? sessionFields : current.fields).add(new SdpField(type, value));
                }
                default -> (current == null ? sessionFields : current.fields).add(new SdpField(type, value));
            }
        }
        if (!sawVersion) {
            throw new SdpParseException(1, "", "empty SDP");
        }
        if (origin == null) {
            throw new SdpParseException(lastLine + 1, "", "missing o= line");
        }
        if (current != null) {
            media.add(current.build());
        }
        // A missing s= is a common sloppiness; RFC 8866 §5.3 suggests "-" when there is no name.
        return new SessionDescription(origin, sessionName == null ? "-" : sessionName, sessionFields,
                sessionAttributes, media);
    }

    private static final class MediaBuilder {
        final String media;
        final int port;
        final int portCount;
        final String proto;
        final List<String> formats;
        final List<SdpField> fields = new ArrayList<>();
        final List<Attribute> attributes = new ArrayList<>();

        private MediaBuilder(String media, int port, int portCount, String proto, List<String> formats) {
            this.media = media;
            this.port = port;
            this.portCount = portCount;
            this.proto = proto;
            this.formats = formats;
        }

        static MediaBuilder parse(String value, int lineNumber, String line) throws SdpParseException {
            String[] p = Tokens.words(value);
            if (p.length < 4) {
                throw new SdpParseException(lineNumber, line, "m= needs <media> <port> <proto> <fmt> ...");
            }
            String portText = p[1];
            int slash = portText.indexOf('/');
            int port = number(slash < 0 ? portText : portText.substring(0, slash), 65535, lineNumber, line, "port");
            int count = slash < 0 ? 0 : number(portText.substring(slash + 1), 65535, lineNumber, line, "port count");
            return new MediaBuilder(p[0], port, count, p[2], List.of(p).subList(3, p.length));
        }

        MediaDescription build() {
            return new MediaDescription(media, port, portCount, proto, formats, fields, attributes);
        }
    }

    static int number(String text, int max, int lineNumber, String line, String what) throws SdpParseException {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the line
        }
        throw new SdpParseException(lineNumber, line, what + " '" + text + "' is not a number in 0.." + max);
    }
}
