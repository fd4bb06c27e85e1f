package dev.wavoice.media.audio;

import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Chooses the Opus implementation for a process: native libopus when it can be opened (cheaper per
 * frame), otherwise pure-Java Concentus, and always says why. Config can force either. The result
 * is an object to pass to whatever creates calls, not a global.
 * <pre>
 * OpusCodecs.Selection opus = OpusCodecs.select(Preference.parse(config.opusCodec()), config.libopusPath());
 * log.info("opus codec: {}", opus.reason());      // e.g. "libopus: found, libopus 1.3.1 (native, libopus.so.0)"
 * OpusEncoder out = opus.codec().newEncoder(RECOMMENDED_BITRATE, RECOMMENDED_COMPLEXITY);
 * out.setInbandFec(true, 10);
 * out.setDtx(true);
 * OpusDecoder in = opus.codec().newDecoder();     // per call; close() both when the call ends
 * // a 24 kHz application: Opus at 24 kHz, no resampler (decodeRateFor says when the decoder must stay at 48 kHz)
 * OpusEncoder out24 = opus.codec().newEncoder(24_000, RECOMMENDED_BITRATE, RECOMMENDED_COMPLEXITY);
 * OpusDecoder in24 = opus.codec().newDecoder(opus.codec().decodeRateFor(24_000));
 * </pre>
 * The native codec lives in {@code src/main/java22} (compiled for Java 22, where FFM is final) and
 * is reached through {@link NativeOpusLoader}, so on Java 21 or without libopus AUTO gives
 * Concentus and the reason says which. Native code needs {@code --enable-native-access=ALL-UNNAMED}
 * to run without a warning (the server jar's manifest says {@code Enable-Native-Access}).
 */
public final class OpusCodecs {
    /**
     * Encoder complexity to use unless config says otherwise. Measured with OpusBench (band spectral
     * distortion of a speech-like signal, 100 Hz..8 kHz, 32 kbit/s): both codecs improve up to 4-5
     * and gain at most 0.1 dB beyond, while libopus's encode cost doubles from 5 to 10. Complexity 0-1
     * in libopus 1.3 also stops coding above 8 kHz, which 5 keeps.
     */
    public static final int RECOMMENDED_COMPLEXITY = 5;

    /** Bitrate the codec measurements and the recommendation above were made at. */
    public static final int RECOMMENDED_BITRATE = 32_000;

    /** What config asks for. */
    public enum Preference {
        /** libopus if present, else Concentus. */
        AUTO,
        /** Concentus only. */
        JAVA,
        /** libopus or fail at startup. */
        NATIVE;

        /** Parses {@code auto|java|native} (case-insensitive). */
        public static Preference parse(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "java", "concentus" -> JAVA;
                case "native", "libopus" -> NATIVE;
                default -> throw new IllegalArgumentException(
                        "opus codec must be auto, java or native, not '" + value + "'");
            };
        }
    }

    /** The chosen codec and a sentence for the startup log. */
    public record Selection(OpusCodec codec, String reason) {
    }

    private OpusCodecs() {
    }

    /** {@code select(AUTO, null)}: libopus from the usual names if it loads, else Concentus. */
    public static Selection best() {
        return select(Preference.AUTO, null);
    }

    /**
     * Picks a codec. {@code nativeLibrary} is a path or loader name for libopus, {@code null} for the
     * usual names. With {@link Preference#NATIVE} a missing library is a startup error
     * ({@link IllegalStateException} with the reason); with {@link Preference#AUTO} it is a fallback.
     */
    public static Selection select(Preference preference, String nativeLibrary) {
        if (preference == Preference.JAVA) {
            return new Selection(new ConcentusOpusCodec(), "concentus: configured (opus codec = java)");
        }
        try {
            OpusCodec codec = openNative(nativeLibrary);
            String why = preference == Preference.NATIVE ? "configured (opus codec = native)" : "found";
            return new Selection(codec, "libopus: " + why + ", " + codec);
        } catch (IllegalStateException e) {
            if (preference == Preference.NATIVE) {
                throw new IllegalStateException("opus codec = native, but " + e.getMessage(), e);
            }
            return new Selection(new ConcentusOpusCodec(), "concentus: native libopus unavailable: " + e.getMessage());
        }
    }

    /** Opens libopus or throws {@link IllegalStateException} saying why not. */
    public static OpusCodec openNative(String nativeLibrary) {
        NativeOpusLoader loader;
        try {
            loader = ServiceLoader.load(NativeOpusLoader.class, OpusCodecs.class.getClassLoader())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the FFM codec is not on the class path"));
        } catch (ServiceConfigurationError | LinkageError e) {
            // NativeOpusCodec is compiled for Java 22: a Java 21 runtime refuses its class version.
            throw new IllegalStateException("the FFM codec needs Java 22 or newer (running "
                    + Runtime.version().feature() + "): " + e.getMessage(), e);
        }
        try {
            return loader.load(nativeLibrary);
        } catch (IllegalStateException e) {
            throw e;
        } catch (LinkageError | RuntimeException e) {
            // e.g. IllegalCallerException when the JVM denies native access to this code
            throw new IllegalStateException("cannot link libopus: " + e, e);
        }
    }
}
