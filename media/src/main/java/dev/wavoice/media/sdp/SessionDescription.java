package dev.wavoice.media.sdp;

import java.util.List;

/**
 * A parsed SDP (RFC 8866). {@code v=0} is implied. {@code fields} holds the session-level lines other than
 * {@code o=}, {@code s=} and {@code a=} ({@code t=}, {@code c=}, {@code b=}, ...) in their original order.
 */
public record SessionDescription(Origin origin, String sessionName, List<SdpField> fields,
                                 List<Attribute> attributes, List<MediaDescription> media) {

    public SessionDescription {
        fields = List.copyOf(fields);
        attributes = List.copyOf(attributes);
        media = List.copyOf(media);
    }

    public static SessionDescription parse(String sdp) throws SdpParseException {
        return SdpParser.parse(sdp);
    }

    /** RFC 8866 §5 text with CRLF line endings. */
    public String write() {
        return SdpWriter.write(this);
    }

    public String attribute(String name) {
        return Attributes.first(attributes, name);
    }

    public List<String> attributes(String name) {
        return Attributes.all(attributes, name);
    }

    public boolean hasAttribute(String name) {
        return attribute(name) != null;
    }
}
