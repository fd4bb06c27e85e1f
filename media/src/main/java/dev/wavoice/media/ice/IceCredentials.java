package dev.wavoice.media.ice;

import java.util.Objects;
import java.util.random.RandomGenerator;

/** ICE username fragment and password (RFC 8445 §5.3; sizes and characters from RFC 8839 §5.4). */
public record IceCredentials(String ufrag, String pwd) {
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(pwd, "pwd");
    }

    /** 8-char ufrag (24 bits of entropy needed, 48 given) and 24-char pwd (128 needed, 144 given). */
    public static IceCredentials random(RandomGenerator random) {
        return new IceCredentials(randomString(random, 8), randomString(random, 24));
    }

    private static String randomString(RandomGenerator random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", pwd=<redacted>]";
    }
}
