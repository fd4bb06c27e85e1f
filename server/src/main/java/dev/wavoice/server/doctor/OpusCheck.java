package dev.wavoice.server.doctor;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.media.CallMediaFactory;

/**
 * Which Opus codec calls will use and why, as the service picks it ({@code WAVOICE_OPUS}): libopus when it loads,
 * else the pure-Java Concentus, which costs more CPU a call, so an unplanned fallback is a warning.
 */
final class OpusCheck implements DoctorCheck {
    static final String NAME = "opus";

    private final DoctorSetup setup;

    OpusCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() {
        OpusCodecs.Selection selection;
        try {
            selection = CallMediaFactory.opus(setup.env());
        } catch (ConfigException e) {
            return Check.fail(NAME, e.getMessage(), "install libopus (e.g. the libopus0 package) or set "
                    + CallMediaFactory.OPUS_ENV + "=auto");
        }
        String reason = selection.reason();
        if (reason.startsWith("concentus: native libopus unavailable")) {
            return Check.warn(NAME, reason, "install libopus for a cheaper codec per call, or set "
                    + CallMediaFactory.OPUS_ENV + "=java to choose Concentus on purpose");
        }
        return Check.ok(NAME, reason);
    }
}
