package dev.wavoice.server.deploy;

import static dev.wavoice.server.deploy.DeploymentFiles.named;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.HttpToolInvoker;
import dev.wavoice.server.agent.SessionPolicy;
import dev.wavoice.server.cli.ServeEnvironment;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.deploy.DeploymentFiles.Instruction;
import dev.wavoice.server.testsupport.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files against the service they deploy: every variable they set is one the service reads and
 * README documents, and the values parse into the configuration they mean; probe and health-check paths answer
 * 200 on a real server; ports match the configuration; the drain fits in the grace period; secrets come from the
 * Secret (or the git-ignored .env), never from the files themselves.
 */
class DeploymentManifestsTest {
    /** Sample downward-API values, as the kubelet would fill them in. */
    static final String POD_NAME = "wavoice-5d8f7c9b6d-x2k4q", POD_IP = "10.244.1.17", HOST_IP = "203.0.113.10";
    /** What the Deployment must take from the Secret, never from a literal. */
    static final Set<String> SECRET_SETTINGS = Set.of("WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN",
            "WHATSAPP_VERIFY_TOKEN", "OPENAI_API_KEY", "WAVOICE_ADMIN_TOKEN", "WAVOICE_CLUSTER_SECRET", "WAVOICE_DB_URL");
    static final List<String> DOCKERFILES = List.of("Dockerfile", "Dockerfile.debian");
    private static final Pattern DOLLAR_PAREN = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Pattern COMPOSE_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    @TempDir
    Path dir;

    // ---- variables ------------------------------------------------------------------------------------------

    @Test
    void everySettingTheDeploymentsSetIsReadByTheServiceAndInReadme() {
        Set<String> read = DeploymentFiles.settingsTheServiceReads();
        Set<String> documented = DeploymentFiles.settingsReadmeDocuments();
        assertThat(read).as("the scan of server/src/main").contains("WAVOICE_HTTP_PORT", "WAVOICE_OPUS",
                "WAVOICE_AGENT_ROLLOVER_SECONDS", "WAVOICE_AGENT_TOOL_TIMEOUT_MS", "OPENAI_REALTIME_MODEL",
                "WAVOICE_LOG_LEVEL");

        Map<String, Set<String>> setBy = new TreeMap<>();
        kubernetesEnv().forEach(e -> setBy.computeIfAbsent(e.path("name").asText(), k -> new LinkedHashSet<>())
                .add("deployment.yaml"));
        composeEnvironment().fieldNames().forEachRemaining(n -> setBy.computeIfAbsent(n, k -> new LinkedHashSet<>())
                .add("docker-compose.yml"));
        composeCommentedOptions().forEach(n -> setBy.computeIfAbsent(n, k -> new LinkedHashSet<>())
                .add("docker-compose.yml (commented out)"));
        for (String dockerfile : DOCKERFILES) {
            for (Instruction env : named(DeploymentFiles.dockerfile(dockerfile), "ENV")) {
                Matcher m = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_]*)=").matcher(env.args());
                while (m.find()) {
                    setBy.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>()).add(dockerfile);
                }
            }
        }
        Set<String> helpers = kubernetesHelperVariables();
        for (Map.Entry<String, Set<String>> e : setBy.entrySet()) {
            String name = e.getKey();
            if (helpers.contains(name) || Set.of("JAVA_HOME", "PATH", "LANG").contains(name)) {
                continue; // $(POD_IP) and the like, and the image's own Java environment
            }
            assertThat(read).as("%s, set in %s, is not read anywhere in server/src/main", name, e.getValue())
                    .contains(name);
            assertThat(documented).as("%s, set in %s, is not in README.md's configuration table", name, e.getValue())
                    .contains(name);
        }
        assertThat(setBy.keySet()).as("the deployments set the service's settings at all")
                .contains("WAVOICE_PUBLIC_IP", "WAVOICE_DB_URL", "WAVOICE_INSTANCE_ID", "WAVOICE_DRAIN_SECONDS");
    }

    @Test
    void theKubernetesEnvironmentIsTheConfigurationItMeans() throws Exception {
        Map<String, String> env = kubernetesEnvironment();
        WavoiceConfig config = ServeEnvironment.config(env);
        JsonNode container = DeploymentFiles.deploymentContainer();

        assertThat(config.httpPort()).as("WAVOICE_HTTP_PORT vs the container's http port")
                .isEqualTo(containerPort(container, "http").path("containerPort").asInt());
        JsonNode media = containerPort(container, "media");
        assertThat(media.path("protocol").asText()).isEqualTo("UDP");
        assertThat(config.mediaPort()).as("WAVOICE_MEDIA_PORT vs the container's media port")
                .isEqualTo(media.path("containerPort").asInt());
        assertThat(media.path("hostPort").asInt()).as("the node forwards the port number the answer announces")
                .isEqualTo(config.mediaPort());
        assertThat(config.publicIp()).as("WAVOICE_PUBLIC_IP from status.hostIP").isEqualTo(HOST_IP);
        assertThat(config.instanceId()).as("WAVOICE_INSTANCE_ID from the pod name").isEqualTo(POD_NAME);
        assertThat(config.internalUrl()).as("WAVOICE_INTERNAL_URL from the pod IP and the HTTP port")
                .isEqualTo(URI.create("http://" + POD_IP + ":" + config.httpPort()));
        assertThat(config.dbUrl()).startsWith("jdbc:postgresql://");
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.adminToken().isPresent()).as("an admin token: the pod listens on a non-loopback address").isTrue();
        assertThat(config.appSecret().isPresent() && config.accessToken().isPresent() && config.verifyToken().isPresent())
                .isTrue();
        assertThat(config.clusterSecret().isPresent()).as("one cluster secret for all pods, from the Secret").isTrue();
        assertThat(config.agent()).isEqualTo(AgentKind.OPENAI);
        agentSettingsParse(env);

        // The drain: preStop, then SIGTERM, then WAVOICE_DRAIN_SECONDS of live calls, all inside the grace period.
        JsonNode pod = DeploymentFiles.yaml("deploy/kubernetes/deployment.yaml").path("spec").path("template").path("spec");
        List<String> preStop = strings(container.path("lifecycle").path("preStop").path("exec").path("command"));
        assertThat(preStop).as("a preStop hook").isNotEmpty();
        long preStopSeconds = preStop.get(0).equals("sleep") ? Long.parseLong(preStop.get(1)) : 0;
        assertThat(pod.path("terminationGracePeriodSeconds").asLong())
                .as("terminationGracePeriodSeconds > preStop sleep + WAVOICE_DRAIN_SECONDS")
                .isGreaterThan(preStopSeconds + config.drainTimeout().toSeconds());
    }

    @Test
    void theComposeEnvironmentIsTheConfigurationItMeans() throws Exception {
        JsonNode compose = DeploymentFiles.yaml("docker-compose.yml");
        JsonNode wavoice = compose.path("services").path("wavoice");
        JsonNode postgres = compose.path("services").path("postgres");
        Map<String, String> dotenv = dotenvExample();
        Map<String, String> env = interpolate(wavoice.path("environment"), dotenv);
        WavoiceConfig config = ServeEnvironment.config(env);

        List<String> ports = strings(wavoice.path("ports"));
        assertThat(published(ports, "tcp", config.httpPort())).as("HTTP port %s published", config.httpPort()).isNotNull();
        String[] mediaMapping = published(ports, "udp", config.mediaPort());
        assertThat(mediaMapping).as("media port %s/udp published", config.mediaPort()).isNotNull();
        assertThat(Integer.parseInt(mediaMapping[mediaMapping.length - 2]))
                .as("the host publishes the port number the answer announces").isEqualTo(config.mediaPort());
        assertThat(config.publicIp()).as("WAVOICE_PUBLIC_IP").isNotNull();

        Map<String, String> pg = interpolate(postgres.path("environment"), dotenv);
        assertThat(config.dbUrl()).as("WAVOICE_DB_URL names the postgres service, its database, user and password")
                .isEqualTo("jdbc:postgresql://postgres:5432/" + pg.get("POSTGRES_DB") + "?user=" + pg.get("POSTGRES_USER")
                        + "&password=" + pg.get("POSTGRES_PASSWORD"));
        assertThat(wavoice.path("depends_on").path("postgres").path("condition").asText())
                .as("wavoice starts once PostgreSQL answers").isEqualTo("service_healthy");
        assertThat(config.adminToken().isPresent()).as("an admin token: the container listens on a non-loopback address").isTrue();
        assertThat(config.agent()).isEqualTo(AgentKind.OPENAI);
        agentSettingsParse(env);

        assertThat(seconds(wavoice.path("stop_grace_period").asText()))
                .as("stop_grace_period > WAVOICE_DRAIN_SECONDS").isGreaterThan(config.drainTimeout().toSeconds());
        String check = String.join(" ", strings(wavoice.path("healthcheck").path("test")));
        assertThat(check).as("the health check's port is the HTTP port").contains(":" + config.httpPort() + "/health");
    }

    @Test
    void everyComposeVariableIsDocumentedInlineAndSecretsComeFromDotEnv() {
        String[] lines = DeploymentFiles.text("docker-compose.yml").split("\n");
        Pattern key = Pattern.compile("^\\s+([A-Z][A-Z0-9_]+):\\s*(.*)$");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = key.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            String previous = i > 0 ? lines[i - 1].strip() : "";
            assertThat(m.group(2).contains(" # ") || previous.startsWith("#"))
                    .as("docker-compose.yml line %d: %s has no comment saying what it is", i + 1, m.group(1)).isTrue();
            if (SECRET_SETTINGS.contains(m.group(1)) || m.group(1).equals("POSTGRES_PASSWORD")) {
                assertThat(m.group(2)).as("%s comes from .env, not from the compose file", m.group(1)).contains("${");
            }
        }
        Map<String, String> dotenv = dotenvExample();
        dotenv.forEach((name, value) -> assertThat(value.isEmpty() || value.startsWith("CHANGE-ME"))
                .as(".env.example: %s must be a placeholder (CHANGE-ME) or empty, got '%s'", name, value).isTrue());
        assertThat(DeploymentFiles.text(".gitignore").lines().map(String::strip))
                .as(".gitignore keeps the filled-in secrets out").contains(".env", "deploy/kubernetes/secret.yaml");
    }

    // ---- Kubernetes objects ---------------------------------------------------------------------------------

    @Test
    void secretsComeFromTheSecretWhoseExampleIsMarkedAsPlaceholders() {
        JsonNode secret = DeploymentFiles.yaml("deploy/kubernetes/secret.example.yaml");
        assertThat(secret.path("kind").asText()).isEqualTo("Secret");
        JsonNode data = secret.path("stringData");
        data.fields().forEachRemaining(f -> assertThat(f.getValue().asText())
                .as("secret.example.yaml: %s must be a placeholder", f.getKey()).contains("CHANGE-ME"));
        for (JsonNode e : kubernetesEnv()) {
            String name = e.path("name").asText();
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (SECRET_SETTINGS.contains(name)) {
                assertThat(e.has("value")).as("%s as a literal in deployment.yaml", name).isFalse();
                assertThat(ref.path("name").asText()).as("%s's Secret", name).isEqualTo(secret.path("metadata").path("name").asText());
            }
            if (!ref.isMissingNode()) {
                assertThat(data.has(ref.path("key").asText()))
                        .as("%s refers to key %s, missing from the example Secret", name, ref.path("key").asText()).isTrue();
            }
        }
        assertThat(kubernetesEnv()).extracting(e -> e.path("name").asText()).containsAll(SECRET_SETTINGS);
        assertThat(strings(DeploymentFiles.yaml("deploy/kubernetes/kustomization.yaml").path("resources")))
                .as("kustomization applies the manifests but never the example Secret")
                .contains("deployment.yaml", "service.yaml", "pdb.yaml", "ingress.yaml")
                .doesNotContain("secret.example.yaml")
                .allSatisfy(f -> assertThat(DeploymentFiles.root().resolve("deploy/kubernetes").resolve(f)).isRegularFile());
    }

    @Test
    void serviceIngressAndDisruptionBudgetSelectThePods() {
        JsonNode deployment = DeploymentFiles.yaml("deploy/kubernetes/deployment.yaml");
        JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(deployment.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertMatches("Deployment selector", deployment.path("spec").path("selector").path("matchLabels"), labels);

        JsonNode service = DeploymentFiles.yaml("deploy/kubernetes/service.yaml");
        assertMatches("Service selector", service.path("spec").path("selector"), labels);
        JsonNode servicePort = service.path("spec").path("ports").get(0);
        JsonNode container = DeploymentFiles.deploymentContainer();
        String target = servicePort.path("targetPort").asText();
        assertThat(target.matches("\\d+") ? containerPortNumbered(container, Integer.parseInt(target))
                : containerPort(container, target)).as("the Service's targetPort %s is a container port", target)
                .isNotNull();

        JsonNode pdb = DeploymentFiles.yaml("deploy/kubernetes/pdb.yaml");
        assertThat(pdb.path("kind").asText()).isEqualTo("PodDisruptionBudget");
        assertMatches("PodDisruptionBudget selector", pdb.path("spec").path("selector").path("matchLabels"), labels);

        JsonNode ingress = DeploymentFiles.yaml("deploy/kubernetes/ingress.yaml");
        JsonNode rule = ingress.path("spec").path("rules").get(0);
        assertThat(strings(ingress.path("spec").path("tls").get(0).path("hosts"))).as("TLS for the rule's host")
                .contains(rule.path("host").asText());
        JsonNode path = rule.path("http").path("paths").get(0);
        assertThat(path.path("path").asText()).as("Meta posts to /webhook").isEqualTo("/webhook");
        JsonNode backend = path.path("backend").path("service");
        assertThat(backend.path("name").asText()).isEqualTo(service.path("metadata").path("name").asText());
        assertThat(backend.path("port").path("name").asText(backend.path("port").path("number").asText()))
                .isIn(servicePort.path("name").asText(), servicePort.path("port").asText());
    }

    // ---- probes and health checks against a real server -----------------------------------------------------

    @Test
    void probeAndHealthCheckPathsAnswer200OnARealServer() throws Exception {
        JsonNode container = DeploymentFiles.deploymentContainer();
        Map<String, String> paths = new LinkedHashMap<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            if (!get.isMissingNode()) {
                paths.put("deployment.yaml " + probe, get.path("path").asText());
                assertThat(get.path("port").asText()).as("%s probes the HTTP port", probe)
                        .isIn("http", containerPort(container, "http").path("containerPort").asText());
            }
        }
        assertThat(paths.get("deployment.yaml readinessProbe")).isEqualTo("/ready");
        assertThat(paths.get("deployment.yaml livenessProbe")).isEqualTo("/health");
        paths.put("docker-compose.yml healthcheck", urlPath(String.join(" ",
                strings(DeploymentFiles.yaml("docker-compose.yml").path("services").path("wavoice").path("healthcheck").path("test")))));
        for (String dockerfile : DOCKERFILES) {
            List<Instruction> check = named(DeploymentFiles.finalStage(DeploymentFiles.dockerfile(dockerfile)), "HEALTHCHECK");
            assertThat(check).as("%s has a HEALTHCHECK", dockerfile).hasSize(1);
            assertThat(check.get(0).args()).as("%s HEALTHCHECK port: WAVOICE_HTTP_PORT or its default", dockerfile)
                    .contains("${WAVOICE_HTTP_PORT:-" + WavoiceConfig.DEFAULT_HTTP_PORT + "}");
            paths.put(dockerfile + " HEALTHCHECK", urlPath(check.get(0).args()));
        }
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.ECHO))) {
            for (Map.Entry<String, String> e : paths.entrySet()) {
                assertThat(t.get(e.getValue()).statusCode()).as("%s: GET %s", e.getKey(), e.getValue()).isEqualTo(200);
            }
        }
    }

    // ---- Dockerfiles ----------------------------------------------------------------------------------------

    @Test
    void theDockerfilesPackageTheShadedJarAndRunItAsTheLauncherDoes() throws Exception {
        String pom = DeploymentFiles.text("server/pom.xml");
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).as("server/pom.xml names the shaded jar").isTrue();
        String jar = "server/target/" + finalName.group(1) + ".jar";
        List<String> modules = new ArrayList<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(DeploymentFiles.text("pom.xml"));
        while (module.find()) {
            modules.add(module.group(1));
        }
        List<String> dockerignore = DeploymentFiles.text(".dockerignore").lines().map(String::strip).toList();

        for (String dockerfile : DOCKERFILES) {
            List<Instruction> all = DeploymentFiles.dockerfile(dockerfile);
            List<Instruction> last = DeploymentFiles.finalStage(all);
            String what = dockerfile + ": ";
            List<String> copied = new ArrayList<>();
            for (Instruction copy : named(all, "COPY")) {
                List<String> parts = List.of(copy.args().split("\\s+"));
                if (parts.get(0).startsWith("--from")) {
                    continue;
                }
                for (String source : parts.subList(0, parts.size() - 1)) {
                    copied.add(source);
                    assertThat(DeploymentFiles.root().resolve(source)).as(what + "COPY %s exists", source).exists();
                    assertThat(dockerignore).as(what + ".dockerignore lets %s into the build context", source)
                            .containsAnyOf("!" + source, "!" + source + "/");
                }
            }
            for (String m : modules) {
                assertThat(copied).as(what + "the reactor needs every module's pom (%s/pom.xml)", m).contains(m + "/pom.xml");
            }
            assertThat(named(all, "RUN")).as(what + "builds the jar with Maven")
                    .anySatisfy(r -> assertThat(r.args()).contains("mvn").contains("package").contains("-pl server -am"));
            assertThat(named(all, "RUN")).as(what + "links the runtime from the modules jdeps lists")
                    .anySatisfy(r -> assertThat(r.args()).contains("jdeps --print-module-deps")
                            .contains("jlink --add-modules \"$modules\"").contains("--strip-debug").contains("--no-header-files")
                            .contains("--no-man-pages").contains("--compress="));
            assertThat(named(last, "COPY")).as(what + "the image holds the shaded jar as /app/wavoice.jar")
                    .anySatisfy(c -> assertThat(c.args()).startsWith("--from=build").endsWith("/src/" + jar + " /app/wavoice.jar"));

            List<String> entry = DeploymentFiles.entrypoint(dockerfile);
            assertThat(entry).as(what + "ENTRYPOINT").startsWith("java").endsWith("-jar", "/app/wavoice.jar", "serve")
                    .contains("--enable-native-access=ALL-UNNAMED").contains("-XX:AOTCache=/app/wavoice.aot");
            // The JVM refuses an ahead-of-time cache recorded with other module options than it runs with.
            String recordedWith = "java " + String.join(" ", entry.subList(1, entry.indexOf("-XX:AOTCache=/app/wavoice.aot")));
            assertThat(named(last, "RUN")).as(what + "records the AOT cache with the ENTRYPOINT's JVM options")
                    .anySatisfy(r -> assertThat(r.args()).contains(recordedWith)
                            .contains("-XX:AOTCacheOutput=/app/wavoice.aot -jar /app/wavoice.jar serve --exit-after-warmup"));
            List<Instruction> user = named(last, "USER");
            assertThat(user).as(what + "runs as a non-root user").hasSize(1);
            assertThat(user.get(0).args().split(":")[0]).isNotIn("root", "0");
            assertThat(String.join(" ", named(last, "EXPOSE").stream().map(Instruction::args).toList()).split("\\s+"))
                    .as(what + "EXPOSE the default ports").contains(WavoiceConfig.DEFAULT_HTTP_PORT + "/tcp",
                            WavoiceConfig.DEFAULT_MEDIA_PORT + "/udp");
        }
        assertThat(DeploymentFiles.argDefault(DeploymentFiles.dockerfile("Dockerfile"), "RUNTIME_IMAGE")).startsWith("alpine:");
        assertThat(named(DeploymentFiles.finalStage(DeploymentFiles.dockerfile("Dockerfile")), "RUN"))
                .anySatisfy(r -> assertThat(r.args()).containsPattern("apk add --no-cache [^&]*\\bopus\\b"));
        assertThat(DeploymentFiles.argDefault(DeploymentFiles.dockerfile("Dockerfile.debian"), "RUNTIME_IMAGE")).startsWith("debian:");
        assertThat(named(DeploymentFiles.finalStage(DeploymentFiles.dockerfile("Dockerfile.debian")), "RUN"))
                .anySatisfy(r -> assertThat(r.args()).containsPattern("apt-get install [^&]*\\blibopus0\\b"));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** The env entries of the Deployment's container. */
    private static List<JsonNode> kubernetesEnv() {
        List<JsonNode> out = new ArrayList<>();
        DeploymentFiles.deploymentContainer().path("env").forEach(out::add);
        assertThat(out).as("deployment.yaml sets env").isNotEmpty();
        return out;
    }

    /** Variables that are not settings but only feed $(NAME) references of later entries (e.g. POD_IP). */
    private static Set<String> kubernetesHelperVariables() {
        Set<String> referenced = new LinkedHashSet<>();
        for (JsonNode e : kubernetesEnv()) {
            Matcher m = DOLLAR_PAREN.matcher(e.path("value").asText(""));
            while (m.find()) {
                referenced.add(m.group(1));
            }
        }
        Set<String> helpers = new LinkedHashSet<>();
        for (JsonNode e : kubernetesEnv()) {
            String name = e.path("name").asText();
            if (!DeploymentFiles.SETTING.matcher(name).matches() && referenced.contains(name)) {
                helpers.add(name);
            }
        }
        return helpers;
    }

    /**
     * The container's environment as the kubelet would build it: downward-API fields from the sample values,
     * secret keys from the example Secret, and $(NAME) expanded only from entries defined earlier.
     */
    private static Map<String, String> kubernetesEnvironment() {
        Map<String, String> fields = Map.of("metadata.name", POD_NAME, "status.podIP", POD_IP, "status.hostIP", HOST_IP);
        JsonNode secret = DeploymentFiles.yaml("deploy/kubernetes/secret.example.yaml").path("stringData");
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : kubernetesEnv()) {
            String name = e.path("name").asText();
            String value;
            if (e.has("value")) {
                StringBuilder sb = new StringBuilder();
                Matcher m = DOLLAR_PAREN.matcher(e.path("value").asText());
                while (m.find()) {
                    assertThat(env).as("%s refers to $(%s), which must be defined before it", name, m.group(1))
                            .containsKey(m.group(1));
                    m.appendReplacement(sb, Matcher.quoteReplacement(env.get(m.group(1))));
                }
                m.appendTail(sb);
                value = sb.toString();
            } else if (e.path("valueFrom").has("fieldRef")) {
                String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                assertThat(fields).as("%s: fieldRef %s", name, field).containsKey(field);
                value = fields.get(field);
            } else {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                assertThat(ref.isMissingNode()).as("%s: value, fieldRef or secretKeyRef", name).isFalse();
                value = secret.path(ref.path("key").asText()).asText();
            }
            env.put(name, value);
        }
        return env;
    }

    private static JsonNode composeEnvironment() {
        JsonNode env = DeploymentFiles.yaml("docker-compose.yml").path("services").path("wavoice").path("environment");
        assertThat(env.isObject()).as("docker-compose.yml: services.wavoice.environment as a map").isTrue();
        return env;
    }

    /** Settings shown commented out in the compose file (documented options): they must exist too. */
    private static List<String> composeCommentedOptions() {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*#\\s*(" + DeploymentFiles.SETTING.pattern() + "):")
                .matcher(DeploymentFiles.text("docker-compose.yml"));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Map<String, String> dotenvExample() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : DeploymentFiles.text(".env.example").split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertThat(eq).as(".env.example line '%s' is VAR=value", l).isPositive();
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }

    /** Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} from .env; every required one must be in .env.example. */
    private static Map<String, String> interpolate(JsonNode environment, Map<String, String> dotenv) {
        Map<String, String> out = new LinkedHashMap<>();
        environment.fields().forEachRemaining(f -> {
            StringBuilder sb = new StringBuilder();
            Matcher m = COMPOSE_VARIABLE.matcher(f.getValue().asText());
            while (m.find()) {
                String name = m.group(1), op = m.group(2);
                String value = dotenv.get(name);
                if (op != null && op.endsWith("-")) {
                    value = value == null || (op.startsWith(":") && value.isEmpty()) ? m.group(3) : value;
                } else {
                    assertThat(dotenv).as("docker-compose.yml %s uses ${%s}, which .env.example must define",
                            f.getKey(), name).containsKey(name);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            out.put(f.getKey(), sb.toString());
        });
        return out;
    }

    /** The agent-side settings parse as the service parses them. */
    private static void agentSettingsParse(Map<String, String> env) throws Exception {
        AgentConfig.fromEnvironment(env);
        SessionPolicy.fromEnvironment(env);
        try (HttpToolInvoker ignored = HttpToolInvoker.fromEnvironment(env)) {
            // parsed
        }
        String opus = env.get("WAVOICE_OPUS");
        if (opus != null && !opus.isBlank()) {
            OpusCodecs.Preference.parse(opus);
        }
    }

    /** The mapping ("[ip:]host:container[/proto]") that publishes this container port, split on ':', or null. */
    private static String[] published(List<String> ports, String protocol, int containerPort) {
        for (String p : ports) {
            String[] protoSplit = p.split("/");
            String proto = protoSplit.length > 1 ? protoSplit[1] : "tcp";
            String[] parts = protoSplit[0].split(":");
            if (proto.equals(protocol) && parts.length >= 2
                    && Integer.parseInt(parts[parts.length - 1]) == containerPort) {
                return parts;
            }
        }
        return null;
    }

    private static JsonNode containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("deployment.yaml: no container port named " + name);
    }

    private static JsonNode containerPortNumbered(JsonNode container, int number) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("containerPort").asInt() == number) {
                return p;
            }
        }
        return null;
    }

    private static void assertMatches(String what, JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("%s is not empty", what).isPositive();
        selector.fields().forEachRemaining(f -> assertThat(labels.path(f.getKey()).asText())
                .as("%s %s=%s vs the pod labels", what, f.getKey(), f.getValue().asText()).isEqualTo(f.getValue().asText()));
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            out.add(node.asText());
        }
        return out;
    }

    /** The path of the http://…/path URL in a command line. */
    private static String urlPath(String command) {
        Matcher m = Pattern.compile("http://[^/\\s\"]+(/[^\\s\"]*)").matcher(command);
        assertThat(m.find()).as("a URL in '%s'", command).isTrue();
        return m.group(1);
    }

    /** A compose duration such as 45s or 1m30s, in seconds. */
    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(h|m|s)").matcher(duration);
        long total = 0;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total += switch (m.group(2)) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                default -> n;
            };
        }
        assertThat(total).as("duration '%s'", duration).isPositive();
        return total;
    }
}
