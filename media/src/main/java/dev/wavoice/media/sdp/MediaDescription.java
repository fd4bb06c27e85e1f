package dev.wavoice.media.sdp;

import java.util.List;

/**
 * One media section (RFC 8866 §5.14): the {@code m=} line, then its other lines ({@code i=}, {@code c=},
 * {@code b=}, {@code k=}) and attributes, each in the order they were written.
 *
 * @param portCount the {@code /<number of ports>} suffix, or 0 when absent
 */
public record MediaDescription(String media, int port, int portCount, String proto, List<String> formats,
                               List<SdpField> fields, List<Attribute> attributes) {

    public MediaDescription {
        formats = List.copyOf(formats);
        fields = List.copyOf(fields);
        attributes = List.copyOf(attributes);
    }

    /** Value of the first attribute with this name ("" for a property attribute), or null. */
    public String attribute(String name) {
        return Attributes.first(attributes, name);
    }

    public List<String> attributes(String name) {
        return Attributes.all(attributes, name);
    }

    public boolean hasAttribute(String name) {
        return attribute(name) != null;
    }

    /** The value of the first {@code c=} line at this level, or null. */
    public String connection() {
        for (SdpField f : fields) {
            if (f.type() == 'c') {
                return f.value();
            }
        }
        return null;
    }

    public String formatMediaLine() {
        StringBuilder sb = new StringBuilder().append(media).append(' ').append(port);
        if (portCount > 0) {
            sb.append('/').append(portCount);
        }
        sb.append(' ').append(proto);
        for (String f : formats) {
            sb.append(' ').append(f);
        }
        return sb.toString();
    }
}
