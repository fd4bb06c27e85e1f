package dev.wavoice.media.sdp;

/**
 * A line other than {@code v=}, {@code o=}, {@code s=}, {@code m=} and {@code a=} (for example {@code c=},
 * {@code b=}, {@code t=}, {@code i=}), kept verbatim and in order so nothing the peer said is lost.
 */
public record SdpField(char type, String value) {

    public static SdpField connection(String address) {
        return new SdpField('c', "IN " + (address.indexOf(':') >= 0 ? "IP6 " : "IP4 ") + address);
    }

    public String format() {
        return type + "=" + value;
    }
}
