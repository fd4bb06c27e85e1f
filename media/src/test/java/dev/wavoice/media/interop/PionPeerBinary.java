package dev.wavoice.media.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the Go test programs with Debian's Go, Pion and gorilla/websocket, once per checkout: the
 * Pion test peer ({@code src/test/go/pionpeer}, into {@code target/pion-peer/}) and the stand-in for
 * OpenAI's Realtime WebRTC endpoint ({@code src/test/go/openaistandin}, into
 * {@code target/openaistandin/}). Both import the package they share, {@code src/test/go/peerkit}, as
 * {@code wavoice.dev/peerkit}. A binary is reused while it is newer than every Go source file of its
 * program and of that package. Nothing is downloaded: GOPATH mode, GOPROXY=off, only Debian's sources.
 *
 * <p>Debian installs e.g. {@code github.com/pion/webrtc} without the {@code /v3} directory its
 * import path {@code github.com/pion/webrtc/v3} needs, so the build puts a small GOPATH of
 * symlinks ({@code target/<dir>/gopath}) in front of {@code /usr/share/gocode}, one for every
 * major-version import the sources use that Debian's tree lacks, and one more for the shared
 * package ({@code wavoice.dev/peerkit -> src/test/go/peerkit}). gorilla/websocket has no
 * {@code /vN} import path, so Debian's tree serves it as it is.
 *
 * <p>Missing tools fail loudly, naming the packages: these tests never skip.
 */
final class PionPeerBinary {
    static final String DEBIAN_PACKAGES =
            "golang-go golang-github-pion-webrtc.v3-dev golang-github-gorilla-websocket-dev";
    /** The WhatsApp-edge / answerer test peer. */
    static final String PION_PEER = "pionpeer";
    /** The stand-in for OpenAI's Realtime WebRTC endpoint. */
    static final String OPENAI_STAND_IN = "openaistandin";
    /** The package both programs import, in {@code src/test/go/peerkit}. */
    static final String SHARED = "peerkit";
    /** The GOPATH import path of {@link #SHARED}. */
    static final String SHARED_IMPORT = "wavoice.dev/peerkit";
    static final Path GOCODE = Path.of("/usr/share/gocode");
    private static final Path PION = GOCODE.resolve("src/github.com/pion");
    private static final Path GORILLA = GOCODE.resolve("src/github.com/gorilla/websocket");
    private static final Pattern VERSIONED_IMPORT = Pattern.compile("\"github\\.com/pion/([A-Za-z0-9_.-]+)/(v[0-9]+)[\"/]");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

    private static final Map<String, Path> BUILT = new HashMap<>();
    private static final Map<String, Duration> BUILD_TIMES = new HashMap<>();

    private PionPeerBinary() {
    }

    /** The up-to-date Pion test peer, building it first if it is missing or older than its sources. */
    static Path get() {
        return get(PION_PEER);
    }

    /**
     * The up-to-date binary of the Go program in {@code src/test/go/<program>} (package main), built
     * into {@link #outputDir} first if it is missing or older than its sources.
     */
    static synchronized Path get(String program) {
        Path done = BUILT.get(program);
        if (done != null) {
            return done;
        }
        Path module = moduleDir();
        Path sources = module.resolve("src/test/go").resolve(program);
        if (!Files.isDirectory(sources)) {
            throw new IllegalArgumentException("no Go program " + sources);
        }
        Path shared = module.resolve("src/test/go").resolve(SHARED);
        if (!Files.isDirectory(shared)) {
            throw new IllegalStateException("no shared Go package " + shared);
        }
        Path out = outputDir(module, program);
        Path binary = out.resolve(program);
        try {
            if (!Files.isExecutable(binary) || isStale(binary, List.of(sources, shared))) {
                build(program, sources, shared, out, binary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("building the Go test program " + program + " in " + out, e);
        }
        BUILT.put(program, binary);
        return binary;
    }

    /** Where a program is built: the Pion peer keeps its historical {@code target/pion-peer/}. */
    static Path outputDir(Path module, String program) {
        return module.resolve("target").resolve(program.equals(PION_PEER) ? "pion-peer" : program);
    }

    /** How long the last build of the Pion peer in this JVM took, or null when the binary was reused. */
    static synchronized Duration lastBuildTime() {
        return BUILD_TIMES.get(PION_PEER);
    }

    static Path moduleDir() {
        Path here = Path.of("").toAbsolutePath();
        // The server module's end-to-end tests reuse this harness from the media test-jar: look beside it too.
        for (Path p : List.of(here, here.resolve("media"), here.resolveSibling("media"))) {
            if (Files.isDirectory(p.resolve("src/test/go/pionpeer"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find src/test/go/pionpeer from " + here
                + "; run the tests from the media module or the repository root");
    }

    private static boolean isStale(Path binary, List<Path> sourceDirs) throws IOException {
        FileTime builtAt = Files.getLastModifiedTime(binary);
        for (Path dir : sourceDirs) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.filter(f -> f.toString().endsWith(".go"))
                        .anyMatch(f -> lastModified(f).compareTo(builtAt) >= 0)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static FileTime lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void build(String program, Path sources, Path shared, Path out, Path binary)
            throws IOException {
        Path go = findGo();
        if (!Files.isRegularFile(PION.resolve("webrtc/peerconnection.go"))) {
            throw new IllegalStateException("Pion's Go sources are not in " + PION.resolve("webrtc")
                    + ". The Pion interop tests need Debian's packages: apt-get install -y " + DEBIAN_PACKAGES);
        }
        if (importsGorilla(sources) && !Files.isRegularFile(GORILLA.resolve("conn.go"))) {
            throw new IllegalStateException("gorilla/websocket's Go sources are not in " + GORILLA + ". "
                    + program + " needs Debian's packages: apt-get install -y " + DEBIAN_PACKAGES);
        }
        Files.createDirectories(out);
        Path gopath = out.resolve("gopath");
        deleteTree(gopath);
        for (String link : overlayLinks(List.of(sources, shared))) {
            Path target = PION.resolve(link.substring(0, link.indexOf('/')));
            Path at = gopath.resolve("src/github.com/pion").resolve(link);
            Files.createDirectories(at.getParent());
            Files.createSymbolicLink(at, target);
        }
        Path sharedLink = gopath.resolve("src").resolve(SHARED_IMPORT);
        Files.createDirectories(sharedLink.getParent());
        Files.createSymbolicLink(sharedLink, shared.toAbsolutePath());

        Path tmp = out.resolve(program + ".tmp");
        Path log = out.resolve("build.log");
        List<String> cmd = List.of(go.toString(), "build", "-o", tmp.toString(), ".");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(sources.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("GO111MODULE", "off");
        env.put("GOPATH", gopath + ":" + GOCODE);
        env.put("GOPROXY", "off");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOFLAGS", "");
        // No C compiler needed, and the standard library builds the same everywhere.
        env.put("CGO_ENABLED", "0");
        if (env.get("HOME") == null && env.get("XDG_CACHE_HOME") == null && env.get("GOCACHE") == null) {
            env.put("GOCACHE", out.resolve("gocache").toString());
        }

        long start = System.nanoTime();
        Process p = pb.start();
        boolean done;
        try {
            done = p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the Go test program " + program, e);
        }
        if (!done) {
            p.destroyForcibly();
            throw new IllegalStateException("building the Go test program " + program + " took over "
                    + BUILD_TIMEOUT + "; see " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("go build of " + sources + " failed (exit " + p.exitValue() + ", "
                    + "GOPATH=" + env.get("GOPATH") + "):\n" + output
                    + "\nIt needs Debian's packages: apt-get install -y " + DEBIAN_PACKAGES);
        }
        Files.move(tmp, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        BUILD_TIMES.put(program, took);
        System.err.printf("built the Go test program %s in %d ms: %s%n", program, took.toMillis(), binary);
    }

    private static boolean importsGorilla(Path sources) throws IOException {
        try (Stream<Path> files = Files.list(sources)) {
            for (Path f : (Iterable<Path>) files.filter(PionPeerBinary::isBuildSource)::iterator) {
                if (Files.readString(f, StandardCharsets.ISO_8859_1).contains("\"github.com/gorilla/websocket\"")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Every {@code pion/<name>/vN} that Pion's sources and ours import but Debian's tree lacks, as
     * {@code "<name>/vN"}. Found by reading the imports, so a Debian update that adds or moves a
     * package needs no change here.
     */
    static List<String> overlayLinks(List<Path> ourSources) throws IOException {
        TreeSet<String> needed = new TreeSet<>();
        List<Path> roots = new ArrayList<>();
        roots.add(PION);
        roots.addAll(ourSources);
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(PionPeerBinary::isBuildSource)::iterator) {
                    Matcher m = VERSIONED_IMPORT.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        needed.add(m.group(1) + "/" + m.group(2));
                    }
                }
            }
        }
        List<String> links = new ArrayList<>();
        for (String n : needed) {
            String name = n.substring(0, n.indexOf('/'));
            if (!Files.exists(PION.resolve(n)) && Files.isDirectory(PION.resolve(name))) {
                links.add(n);
            }
        }
        return links;
    }

    private static boolean isBuildSource(Path f) {
        String s = f.getFileName().toString();
        return s.endsWith(".go") && !s.endsWith("_test.go") && Files.isRegularFile(f);
    }

    private static Path findGo() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "go"));
                }
            }
        }
        candidates.add(Path.of("/usr/lib/go/bin/go"));
        candidates.add(Path.of("/usr/bin/go"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c;
            }
        }
        throw new IllegalStateException("no Go toolchain (looked for `go` on PATH and in /usr/lib/go/bin)."
                + " The Pion interop tests need Debian's packages: apt-get install -y " + DEBIAN_PACKAGES);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // Depth-first; symlinks are removed, never followed (they point into /usr/share/gocode).
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
