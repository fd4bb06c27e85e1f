package dev.wavoice.media.audio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * libopus through the FFM API: no JNI glue to build, only the system's {@code libopus.so.0}.
 * Compiled for Java 22 (see {@link NativeOpusLoader}). The method handles live in this object, not
 * in statics, so a codec that was never opened costs nothing and two libraries can coexist in tests.
 * Restricted FFM methods are the point of this class; the server jar's manifest grants native access.
 */
@SuppressWarnings("restricted")
public final class NativeOpusCodec implements OpusCodec {
    /** Names tried, in order, when no library is configured: Debian/Ubuntu, other Unixes, macOS. */
    static final String[] DEFAULT_NAMES = {"libopus.so.0", "libopus.so", "libopus.0.dylib", "opus"};

    // opus_defines.h
    static final int OPUS_OK = 0;
    static final int OPUS_APPLICATION_VOIP = 2048;
    static final int OPUS_SET_BITRATE = 4002;
    static final int OPUS_SET_MAX_BANDWIDTH = 4004;
    static final int OPUS_SET_COMPLEXITY = 4010;
    static final int OPUS_SET_INBAND_FEC = 4012;
    static final int OPUS_SET_PACKET_LOSS_PERC = 4014;
    static final int OPUS_SET_DTX = 4016;
    static final int OPUS_SET_SIGNAL = 4024;
    static final int OPUS_SIGNAL_VOICE = 3001;

    final MethodHandle encoderCreate;
    final MethodHandle encode;
    final MethodHandle encoderCtl;
    final MethodHandle encoderDestroy;
    final MethodHandle decoderCreate;
    final MethodHandle decode;
    final MethodHandle decoderDestroy;
    private final String version;
    private final String library;

    private NativeOpusCodec(SymbolLookup lookup, String library) {
        Linker linker = Linker.nativeLinker();
        this.library = library;
        encoderCreate = handle(linker, lookup, "opus_encoder_create",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        encode = handle(linker, lookup, "opus_encode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        // int opus_encoder_ctl(OpusEncoder *st, int request, ...): every setter we use passes one
        // opus_int32, which is the third argument and the first variadic one.
        encoderCtl = linker.downcallHandle(symbol(lookup, "opus_encoder_ctl"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        encoderDestroy = handle(linker, lookup, "opus_encoder_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        decoderCreate = handle(linker, lookup, "opus_decoder_create",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        decode = handle(linker, lookup, "opus_decode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        decoderDestroy = handle(linker, lookup, "opus_decoder_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle versionString = handle(linker, lookup, "opus_get_version_string",
                FunctionDescriptor.of(ADDRESS));
        try {
            MemorySegment cString = (MemorySegment) versionString.invokeExact();
            version = cString.reinterpret(256).getString(0);
        } catch (Throwable e) {
            throw new IllegalStateException("opus_get_version_string failed in " + library, e);
        }
    }

    /**
     * Opens libopus from a path or a loader name; {@code null} or blank tries {@link #DEFAULT_NAMES}.
     * Throws {@link IllegalStateException} with the reason when it cannot.
     */
    public static NativeOpusCodec open(String library) {
        if (library != null && !library.isBlank()) {
            return openOne(library.strip());
        }
        StringBuilder reasons = new StringBuilder();
        for (String name : DEFAULT_NAMES) {
            try {
                return openOne(name);
            } catch (IllegalStateException e) {
                reasons.append(reasons.isEmpty() ? "" : "; ").append(e.getMessage());
            }
        }
        throw new IllegalStateException("libopus not found (" + reasons + ")");
    }

    private static NativeOpusCodec openOne(String library) {
        boolean isPath = library.contains("/") || library.contains("\\");
        if (isPath && !Files.isRegularFile(Path.of(library))) {
            throw new IllegalStateException("no file " + library);
        }
        SymbolLookup lookup;
        try {
            // The auto arena keeps the library loaded as long as this codec's symbols are reachable.
            lookup = isPath ? SymbolLookup.libraryLookup(Path.of(library), Arena.ofAuto())
                    : SymbolLookup.libraryLookup(library, Arena.ofAuto());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + library + ": " + e.getMessage(), e);
        }
        return new NativeOpusCodec(lookup, library);
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing"));
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(symbol(lookup, name), fd);
    }

    /** The library's own version string, e.g. "libopus 1.3.1". */
    public String version() {
        return version;
    }

    @Override
    public String name() {
        return "libopus";
    }

    @Override
    public OpusEncoder newEncoder(int sampleRate, int bitrate, int complexity) {
        var encoder = new NativeOpusEncoder(this, OpusCodec.checkSampleRate(sampleRate));
        encoder.setBitrate(bitrate);
        encoder.setComplexity(complexity);
        return encoder;
    }

    @Override
    public OpusDecoder newDecoder(int sampleRate) {
        return new NativeOpusDecoder(this, OpusCodec.checkSampleRate(sampleRate));
    }

    /** libopus decodes every mode at every API rate. */
    @Override
    public int decodeRateFor(int pcmRate) {
        return OpusCodec.checkSampleRate(pcmRate);
    }

    @Override
    public String toString() {
        return version + " (native, " + library + ")";
    }

    /** Found by {@link java.util.ServiceLoader} from code compiled for Java 21. */
    public static final class Loader implements NativeOpusLoader {
        @Override
        public OpusCodec load(String library) {
            return open(library);
        }
    }
}
