package dev.wavoice.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The software bill of materials shipped inside {@code server/target/wavoice.jar} (CycloneDX, written by {@code mvn
 * package}) lists every library the jar was built from, at the version packed, and nothing that only the tests use.
 */
class SbomIT {
    static final Path JAR = Path.of("target", "wavoice.jar");
    static final String SBOM = "META-INF/sbom/wavoice.cdx.json";

    @Test
    void theJarCarriesABillOfMaterialsNamingEveryLibraryItPacks() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getEntry(SBOM)).as("%s in %s (the SBOM is only written when Maven runs online)", SBOM, JAR)
                    .isNotNull();
            JsonNode bom = new ObjectMapper().readTree(jar.getInputStream(jar.getEntry(SBOM)));
            assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
            assertThat(bom.path("metadata").path("component").path("name").asText()).isEqualTo("wavoice-server");

            Map<String, JsonNode> listed = new HashMap<>();
            for (JsonNode c : bom.path("components")) {
                listed.put(c.path("group").asText() + ":" + c.path("name").asText(), c);
                assertThat(c.path("purl").asText()).startsWith("pkg:maven/");
                assertThat(c.path("hashes")).as("hashes of %s", c.path("name")).isNotEmpty();
            }
            assertThat(listed).containsKeys("org.bouncycastle:bctls-jdk18on", "io.javalin:javalin",
                    "com.fasterxml.jackson.core:jackson-databind", "org.postgresql:postgresql", "com.h2database:h2",
                    "dev.wavoice:wavoice-media");
            assertThat(listed.keySet()).noneMatch(k -> k.startsWith("org.junit") || k.contains("jazzer")
                    || k.startsWith("org.assertj") || k.startsWith("org.seleniumhq") || k.startsWith("org.awaitility"));

            // every library whose Maven coordinates shade kept in the jar is in the SBOM at that version
            int packed = 0;
            for (var e : jar.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
                    && e.getName().endsWith("/pom.properties")).toList()) {
                Properties p = new Properties();
                try (InputStream in = jar.getInputStream(e)) {
                    p.load(in);
                }
                String key = p.getProperty("groupId") + ":" + p.getProperty("artifactId");
                if (key.equals("dev.wavoice:wavoice-server")) {
                    continue;
                }
                packed++;
                assertThat(listed).as("packed %s is listed", key).containsKey(key);
                assertThat(listed.get(key).path("version").asText()).as("version of %s", key)
                        .isEqualTo(p.getProperty("version"));
            }
            assertThat(packed).as("libraries with Maven coordinates in the jar").isGreaterThan(20);
        }
    }
}
