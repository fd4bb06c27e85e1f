package dev.wavoice.media.sdp;

/**
 * An RTP payload format from {@code a=rtpmap} (+ {@code a=fmtp}): payload type, encoding, clock, channels.
 *
 * @param fmtp the {@code a=fmtp} parameters, or "" when none
 */
public record PayloadFormat(int payloadType, String encoding, int clockRate, int channels, String fmtp) {

    public String rtpmap() {
        return payloadType + " " + encoding + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }

    /** A {@code key=value;...} fmtp parameter, or null. */
    public String parameter(String name) {
        for (String kv : fmtp.split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).trim().equalsIgnoreCase(name)) {
                return kv.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
