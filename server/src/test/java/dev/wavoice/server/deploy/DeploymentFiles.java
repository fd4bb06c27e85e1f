package dev.wavoice.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's deployment files (Dockerfiles, compose file, Kubernetes manifests) and what the service
 * itself says about its configuration (the variable names in its sources, README's table), for the tests that
 * hold one against the other.
 */
final class DeploymentFiles {
    /** A setting's name, as the service spells them. */
    static final Pattern SETTING = Pattern.compile("(?:WAVOICE|WHATSAPP|OPENAI)_[A-Z0-9_]+");
    private static final Pattern JAVA_LITERAL = Pattern.compile("\"(" + SETTING.pattern() + ")\"");
    private static final Pattern CONFIG_REFERENCE = Pattern.compile("\\$\\{(" + SETTING.pattern() + ")");
    private static final Pattern README_ROW = Pattern.compile("^\\| `(" + SETTING.pattern() + ")` \\|");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeploymentFiles() {}

    /** The repository root: the directory holding the Dockerfile and deploy/, from the module or the root. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("server/pom.xml")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root (with server/pom.xml and deploy/) not found from "
                + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(relative + " is missing from the repository");
        }
        return p;
    }

    static String text(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + relative, e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    /**
     * The settings the service reads: string literals in server/src/main/java ({@code "WAVOICE_…"}, as in
     * ServeCommand, AgentConfig, SessionPolicy, HttpToolInvoker, CallMediaFactory) and {@code ${WAVOICE_…}} in
     * its resources (the log configuration).
     */
    static Set<String> settingsTheServiceReads() {
        Set<String> names = new TreeSet<>();
        scan(root().resolve("server/src/main/java"), ".java", JAVA_LITERAL, names);
        scan(root().resolve("server/src/main/resources"), ".xml", CONFIG_REFERENCE, names);
        if (names.size() < 20) {
            throw new IllegalStateException("only " + names + " found in server/src/main: the scan is broken");
        }
        return names;
    }

    private static void scan(Path dir, String suffix, Pattern pattern, Set<String> into) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(suffix)).toList()) {
                Matcher m = pattern.matcher(Files.readString(f));
                while (m.find()) {
                    into.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variables in README.md's configuration table. */
    static Set<String> settingsReadmeDocuments() {
        Set<String> names = new TreeSet<>();
        for (String line : text("README.md").split("\n")) {
            Matcher m = README_ROW.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        if (names.size() < 20) {
            throw new IllegalStateException("only " + names + " in README.md's configuration table: the parse is broken");
        }
        return names;
    }

    /** One Dockerfile instruction, continuation lines joined. */
    record Instruction(String keyword, String args, int line) {}

    static List<Instruction> dockerfile(String relative) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text(relative).split("\n", -1);
        StringBuilder current = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (current == null && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (current == null) {
                current = new StringBuilder();
                start = i + 1;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String joined = current.toString().strip();
                int space = joined.indexOf(' ');
                out.add(new Instruction(joined.substring(0, space).toUpperCase(), joined.substring(space + 1).strip(), start));
                current = null;
            }
        }
        return out;
    }

    /** The instructions of the last stage (what the image runs), from its FROM on. */
    static List<Instruction> finalStage(List<Instruction> all) {
        int from = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return all.subList(from, all.size());
    }

    static List<Instruction> named(List<Instruction> all, String keyword) {
        return all.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The exec-form ENTRYPOINT of the final stage. */
    static List<String> entrypoint(String dockerfile) {
        List<Instruction> entry = named(finalStage(dockerfile(dockerfile)), "ENTRYPOINT");
        if (entry.size() != 1) {
            throw new IllegalStateException(dockerfile + ": expected one ENTRYPOINT in the final stage, found " + entry);
        }
        List<String> args = new ArrayList<>();
        json(entry.get(0).args()).forEach(n -> args.add(n.asText()));
        return args;
    }

    /** The JVM options the image starts java with: what stands between "java" and "-jar" in the ENTRYPOINT. */
    static List<String> jvmOptions(String dockerfile) {
        List<String> args = entrypoint(dockerfile);
        int jar = args.indexOf("-jar");
        if (!args.get(0).equals("java") || jar < 0) {
            throw new IllegalStateException(dockerfile + ": ENTRYPOINT is not java … -jar …: " + args);
        }
        return args.subList(1, jar);
    }

    /** The default of an {@code ARG name=value} line, or null. */
    static String argDefault(List<Instruction> all, String name) {
        for (Instruction i : named(all, "ARG")) {
            if (i.args().startsWith(name + "=")) {
                return i.args().substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The only container of the Deployment in deploy/kubernetes/deployment.yaml. */
    static JsonNode deploymentContainer() {
        JsonNode containers = yaml("deploy/kubernetes/deployment.yaml").path("spec").path("template").path("spec")
                .path("containers");
        if (containers.size() != 1) {
            throw new IllegalStateException("deployment.yaml: expected one container, found " + containers.size());
        }
        return containers.get(0);
    }

    /** A Kubernetes memory quantity (e.g. {@code 1Gi}, {@code 768Mi}) in MiB. */
    static long mebibytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory quantity not in Mi or Gi: " + quantity);
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("Gi") ? n * 1024 : n;
    }
}
