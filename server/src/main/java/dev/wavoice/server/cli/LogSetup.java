package dev.wavoice.server.cli;

/**
 * Chooses the Logback configuration before any logger exists: plain one-line events by default, JSON lines
 * with {@code WAVOICE_LOG_FORMAT=json} or {@code --log-format json}.
 */
final class LogSetup {
    private LogSetup() {}

    static void beforeFirstLogger(String[] args) {
        String format = System.getenv("WAVOICE_LOG_FORMAT");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-format") && i + 1 < args.length) {
                format = args[i + 1];
            } else if (args[i].startsWith("--log-format=")) {
                format = args[i].substring("--log-format=".length());
            }
        }
        // doctor's output is its report (JSON with --json, read by scripts), setup's its diff: log lines on the same stream would break
        // it, and what the libraries it touches would log, the report says. WAVOICE_LOG_LEVEL still wins.
        if (args.length > 0 && (args[0].equals("doctor") || args[0].equals("setup")) && System.getenv("WAVOICE_LOG_LEVEL") == null) {
            System.setProperty("WAVOICE_LOG_LEVEL", "OFF");
        }
        if ("json".equalsIgnoreCase(format) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
    }
}
