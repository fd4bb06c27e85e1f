package dev.wavoice.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wavoice}: the command-line entry point. */
@Command(name = "wavoice",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Answers WhatsApp Business voice calls and bridges them to an AI voice agent.",
        subcommands = {ServeCommand.class, DoctorCommand.class, SetupCommand.class, DemoCommand.class, CallCommand.class, WebhookLoadCommand.class, SimulateCommand.class,
                BenchCommand.class, LocalAgentCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        LogSetup.beforeFirstLogger(args);
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
