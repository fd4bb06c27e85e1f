package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.doctor.Doctor;
import dev.wavoice.server.doctor.DoctorReport;
import dev.wavoice.server.doctor.DoctorSetup;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice doctor}: checks what the service depends on (configuration, Graph token and calling settings, the
 * OpenAI key and model, the media port and address, the database, the Opus codec) from the same environment
 * {@code wavoice serve} reads, and says what to fix. Exits 1 when any check fails.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check the configuration and every service wavoice depends on; say what to fix.")
public final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the report as JSON, for scripts.")
    boolean json;

    @Option(names = "--timeout-ms", description = "Each check's bound in milliseconds (default 2500).")
    long timeoutMs = Doctor.DEFAULT_TIMEOUT.toMillis();

    @Override
    public Integer call() {
        return run(System.getenv(), System.out);
    }

    /** Runs the doctor against {@code env}, prints the report; 0 when nothing failed. */
    public int run(Map<String, String> env, PrintStream out) {
        WavoiceConfig config = null;
        String error = null;
        try {
            config = new ServeCommand().config(env);
            // The agents' settings parse as serve parses them (the agent config file, tool hosts, stream URL).
            AgentDirectory.fromEnvironment(env, config.agent(), config.agentTransport());
        } catch (ConfigException | IllegalArgumentException e) {
            config = null;
            error = e.getMessage();
        }
        DoctorSetup setup = new DoctorSetup(config, error, env, null, false, Duration.ofMillis(timeoutMs),
                Clock.systemUTC());
        DoctorReport report = setup.doctor().run();
        if (json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report.json(new ObjectMapper())));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.print(report.text());
        }
        out.flush();
        return report.failed() ? 1 : 0;
    }
}
