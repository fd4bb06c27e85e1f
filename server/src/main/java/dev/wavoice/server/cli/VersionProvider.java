package dev.wavoice.server.cli;

import picocli.CommandLine;

/** Version from the jar manifest (Maven fills it); "dev" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"wavoice " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
