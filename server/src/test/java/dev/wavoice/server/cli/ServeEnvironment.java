package dev.wavoice.server.cli;

import dev.wavoice.server.config.WavoiceConfig;
import java.util.Map;

/** What {@code wavoice serve} makes of an environment, for tests outside this package (the deployment checks). */
public final class ServeEnvironment {
    private ServeEnvironment() {}

    /** The configuration {@code wavoice serve} would run with, given these variables and no flags. */
    public static WavoiceConfig config(Map<String, String> env) {
        return new ServeCommand().config(env);
    }
}
