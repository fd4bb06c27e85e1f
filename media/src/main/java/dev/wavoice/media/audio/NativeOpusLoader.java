package dev.wavoice.media.audio;

/**
 * Opens the native libopus codec. The implementation uses the FFM API, which is final only from
 * Java 22 (a preview API under the project's {@code release 21}), so it is compiled separately for
 * 22 from {@code src/main/java22} and found through {@link java.util.ServiceLoader}: this Java 21
 * code never names it, and on a Java 21 runtime it simply fails to load and Concentus is used.
 */
public interface NativeOpusLoader {
    /**
     * Opens libopus from {@code library} (a file path or a name for the dynamic loader), or throws
     * {@link IllegalStateException} saying why it cannot.
     */
    OpusCodec load(String library);
}
