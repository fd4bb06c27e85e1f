package dev.wavoice.media.interop;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium process driven through chromedriver, hosting any number of {@link ChromiumPeer}
 * pages (one window each). Start one per test class and reuse it: starting Chromium costs far more than a
 * page, and the build machines have two cores.
 *
 * <p>Nothing here reaches the network: chromedriver and Chromium are given by path (so Selenium Manager,
 * which would try to download a driver, is never run), and the page is served from a JDK HTTP server on
 * 127.0.0.1. Chromium and chromedriver come from the Debian packages {@value #DEBIAN_PACKAGES}.
 */
public final class ChromiumBrowser implements AutoCloseable {

    public static final String DEBIAN_PACKAGES = "chromium chromium-driver";
    public static final String INSTALL_COMMAND = "apt-get update && apt-get install -y " + DEBIAN_PACKAGES;

    /**
     * Chromium's command line, each flag for a reason.
     */
    static final List<String> BASE_ARGUMENTS = List.of(
            // Headless WebRTC works with the new headless mode; --no-sandbox because tests run as root.
            "--headless=new",
            "--no-sandbox",
            // getUserMedia gets a fake microphone without any permission prompt.
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            // AudioContexts start running without a user gesture (the page analyses received audio at once).
            "--autoplay-policy=no-user-gesture-required",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            // Without these Chromium keeps trying to reach Google services through the closed network.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-quic",
            // Even with the flags above, Chromium 156 (through Debian's /usr/bin/chromium wrapper) still looks
            // up accounts.google.com, update.googleapis.com and clients2.google.com, about two dozen DNS
            // queries in its first ten seconds (seen with strace). No host name is ever resolved now:
            // ICE uses literal addresses, and the page is on 127.0.0.1, which the rule would catch too
            // (it applies to IP literals) were it not excluded.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            // Several peer windows run side by side; none may be throttled as a background window.
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            // ICE on loopback, checked on Chromium 156 with a machine that has lo plus one other interface:
            //  - Chromium enumerates every interface only for a page holding media permission; any other
            //    page gets the default-route interface alone. --use-fake-ui-for-media-stream (above) grants
            //    that permission to every page, including one that only sends a WebAudio tone and never
            //    calls getUserMedia. Without it: no 127.0.0.1 candidate at all.
            //  - Even then the loopback interface is skipped unless --allow-loopback-in-peer-connection is
            //    given; with it the offer carries "127.0.0.1 ... typ host" (and ::1).
            //  - Host addresses are hidden behind random "<uuid>.local" mDNS names for pages without media
            //    permission. Our Java ICE agent resolves no mDNS, so WebRtcHideLocalIpsWithMdns is disabled
            //    too, keeping literal addresses even should the permission heuristic change.
            // Chromium still gathers the other interfaces (and TCP "active" candidates); a peer that only
            // offers 127.0.0.1 ends up on a loopback pair.
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns");

    /**
     * Where the binaries are and what the fake microphone plays.
     *
     * @param chromium the browser ({@code /usr/bin/chromium}, system property {@code wavoice.chromium})
     * @param chromedriver the driver ({@code /usr/bin/chromedriver}, system property {@code wavoice.chromedriver})
     * @param fakeCaptureWav 16-bit PCM WAV that Chromium loops as microphone input (see {@link ToneWav})
     * @param extraArguments appended to {@link #BASE_ARGUMENTS}
     * @param logDirectory where chromedriver's log goes (kept after close, for diagnosis)
     */
    public record Config(Path chromium, Path chromedriver, Optional<Path> fakeCaptureWav,
                         List<String> extraArguments, Path logDirectory) {

        public Config {
            extraArguments = List.copyOf(extraArguments);
        }

        public static Config defaults() {
            Path target = Path.of("target");
            return new Config(
                    Path.of(System.getProperty("wavoice.chromium", "/usr/bin/chromium")),
                    Path.of(System.getProperty("wavoice.chromedriver", "/usr/bin/chromedriver")),
                    Optional.empty(), List.of(),
                    Files.isDirectory(target) ? target.resolve("chromium-logs") : Path.of(System.getProperty("java.io.tmpdir")));
        }

        public Config withFakeCaptureWav(Path wav) {
            return new Config(chromium, chromedriver, Optional.of(wav), extraArguments, logDirectory);
        }

        public Config withChromium(Path path) {
            return new Config(path, chromedriver, fakeCaptureWav, extraArguments, logDirectory);
        }

        public Config withChromedriver(Path path) {
            return new Config(chromium, path, fakeCaptureWav, extraArguments, logDirectory);
        }

        public Config withExtraArguments(List<String> arguments) {
            return new Config(chromium, chromedriver, fakeCaptureWav, arguments, logDirectory);
        }

        List<String> arguments(Path userDataDir) {
            List<String> args = new ArrayList<>(BASE_ARGUMENTS);
            args.add("--user-data-dir=" + userDataDir);
            fakeCaptureWav.ifPresent(wav -> args.add("--use-file-for-fake-audio-capture=" + wav.toAbsolutePath()));
            args.addAll(extraArguments);
            return args;
        }
    }

    private static final String PAGE_RESOURCE = "/webrtc/peer.html";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);

    private final Config config;
    private final Path tempDir;
    private final Path driverLog;
    private final HttpServer http;
    private final String pageUrl;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final ProcessHandle driverProcess;
    private final Thread shutdownHook;
    private final Duration startupTime;
    private final String version;
    private final Deque<String> freeWindows = new ArrayDeque<>();
    private Duration scriptTimeout = SCRIPT_TIMEOUT;
    private boolean initialWindowInUse;
    private boolean closed;

    /** Starts Chromium without a WAV: {@link AudioSource#fakeCapture()} then sends Chromium's beep. */
    public static ChromiumBrowser start() {
        return start(Config.defaults());
    }

    /** Starts Chromium whose fake microphone plays (and loops) the given WAV. */
    public static ChromiumBrowser start(Path fakeCaptureWav) {
        return start(Config.defaults().withFakeCaptureWav(fakeCaptureWav));
    }

    public static ChromiumBrowser start(Config config) {
        requireExecutable(config.chromium(), "Chromium", "chromium");
        requireExecutable(config.chromedriver(), "chromedriver", "chromium-driver");
        config.fakeCaptureWav().ifPresent(wav -> {
            if (!Files.isReadable(wav)) {
                throw new ChromiumPeerException("fake capture WAV not readable: " + wav);
            }
        });
        return new ChromiumBrowser(config);
    }

    private static void requireExecutable(Path path, String what, String debianPackage) {
        if (!Files.isExecutable(path)) {
            throw new ChromiumPeerException(what + " not found at " + path + " (Debian package '" + debianPackage
                    + "'). The Chromium interop tests need the Debian packages " + DEBIAN_PACKAGES + ": "
                    + INSTALL_COMMAND);
        }
    }

    private ChromiumBrowser(Config config) {
        this.config = config;
        long started = System.nanoTime();
        HttpServer server = null;
        ChromeDriverService svc = null;
        ChromeDriver drv = null;
        ProcessHandle driverProc = null;
        Path temp = null;
        Thread hook = null;
        try {
            temp = Files.createTempDirectory("wavoice-chromium-");
            Files.createDirectories(config.logDirectory());
            this.driverLog = Files.createTempFile(config.logDirectory(), "chromedriver-", ".log");
            server = startPageServer();
            this.pageUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/peer.html";

            // The driver executable is given explicitly: Selenium then skips Selenium Manager entirely
            // (it would otherwise try to download a driver and a browser).
            svc = new ChromeDriverService.Builder()
                    .usingDriverExecutable(config.chromedriver().toFile())
                    .usingAnyFreePort()
                    .withLogFile(driverLog.toFile())
                    .build();
            Set<ProcessHandle> before = ProcessHandle.current().children().collect(Collectors.toSet());
            svc.start();
            driverProc = findDriverProcess(before);
            // Whatever happens to the test JVM short of SIGKILL, the browser does not outlive it.
            ProcessHandle toKill = driverProc;
            hook = new Thread(() -> killTree(toKill, Duration.ZERO), "chromium-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);

            ChromeOptions options = new ChromeOptions();
            options.setBinary(config.chromium().toFile());
            options.addArguments(config.arguments(temp.resolve("profile")));
            drv = new ChromeDriver(svc, options);
            drv.manage().timeouts().scriptTimeout(SCRIPT_TIMEOUT);
            this.version = String.valueOf(drv.getCapabilities().getBrowserVersion());
        } catch (IOException e) {
            cleanUp(drv, svc, driverProc, server, temp, hook);
            throw new ChromiumPeerException("cannot prepare Chromium: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            cleanUp(drv, svc, driverProc, server, temp, hook);
            throw new ChromiumPeerException("Chromium did not start (" + config.chromium() + " via "
                    + config.chromedriver() + "); chromedriver log: " + logPathOrNone() + ": " + e.getMessage(), e);
        }
        this.tempDir = temp;
        this.http = server;
        this.service = svc;
        this.driver = drv;
        this.driverProcess = driverProc;
        this.shutdownHook = hook;
        this.startupTime = Duration.ofNanos(System.nanoTime() - started);
    }

    private String logPathOrNone() {
        try {
            return String.valueOf(driverLog);
        } catch (RuntimeException e) {
            return "(none)";
        }
    }

    private static ProcessHandle findDriverProcess(Set<ProcessHandle> before) {
        return ProcessHandle.current().children()
                .filter(p -> !before.contains(p))
                .filter(p -> p.info().command().map(c -> c.contains("chromedriver")).orElse(true))
                .findFirst()
                .orElseThrow(() -> new ChromiumPeerException("chromedriver started but its process is not a child of this JVM"));
    }

    private static HttpServer startPageServer() throws IOException {
        byte[] page;
        try (InputStream in = ChromiumBrowser.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new ChromiumPeerException("test resource " + PAGE_RESOURCE + " missing from the classpath");
            }
            page = in.readAllBytes();
        }
        // 127.0.0.1 over plain HTTP is a "potentially trustworthy" origin, so the page is a secure context
        // and may use getUserMedia and RTCPeerConnection (the page checks window.isSecureContext).
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                if (exchange.getRequestURI().getPath().equals("/peer.html")) {
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.getResponseHeaders().set("Cache-Control", "no-store");
                    exchange.sendResponseHeaders(200, page.length);
                    out.write(page);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        return server;
    }

    /** Opens a new peer page (in a window of its own) that will send the given audio. */
    public ChromiumPeer newPeer(AudioSource source) {
        return openPeer(source, null);
    }

    ChromiumPeer openPeer(AudioSource source, ChromiumBrowser closeWithPeer) {
        String handle;
        synchronized (this) {
            ensureOpen();
            handle = freeWindows.poll();
            if (handle == null) {
                if (!initialWindowInUse) {
                    initialWindowInUse = true;
                    handle = driver.getWindowHandle();
                } else {
                    handle = driver.switchTo().newWindow(WindowType.WINDOW).getWindowHandle();
                }
            }
            driver.switchTo().window(handle);
            driver.get(pageUrl);
        }
        ChromiumPeer peer = new ChromiumPeer(this, handle, closeWithPeer);
        peer.init(source);
        return peer;
    }

    /**
     * Opens a page of the test's own (an application's page rather than a {@link ChromiumPeer}) in a window of
     * this browser, with the same flags and fake microphone, and returns the driver switched to that window.
     * Not to be used concurrently with peers of the same browser.
     */
    public synchronized ChromeDriver openPage(String url) {
        ensureOpen();
        String handle = freeWindows.poll();
        if (handle == null) {
            if (!initialWindowInUse) {
                initialWindowInUse = true;
                handle = driver.getWindowHandle();
            } else {
                handle = driver.switchTo().newWindow(WindowType.WINDOW).getWindowHandle();
            }
        }
        driver.switchTo().window(handle);
        driver.get(url);
        return driver;
    }

    /** Calls an entry point of the page in the given window; returns its value or throws with the page's error. */
    Object call(String windowHandle, String function, Object... args) {
        return call(windowHandle, Duration.ZERO, function, args);
    }

    /**
     * As {@link #call(String, String, Object...)}, for an entry point that may itself wait up to
     * {@code pageWait}: Selenium's script timeout is raised above it so the page's own, clearer timeout
     * error arrives first.
     */
    synchronized Object call(String windowHandle, Duration pageWait, String function, Object... args) {
        ensureOpen();
        Object result;
        try {
            Duration needed = pageWait.plus(Duration.ofSeconds(10));
            if (needed.compareTo(scriptTimeout) > 0) {
                driver.manage().timeouts().scriptTimeout(needed);
                scriptTimeout = needed;
            }
            driver.switchTo().window(windowHandle);
            result = ((JavascriptExecutor) driver).executeAsyncScript(
                    "callPeer(arguments[0], arguments[1], arguments[arguments.length - 1]);", function, List.of(args));
        } catch (WebDriverException e) {
            throw new ChromiumPeerException("page call " + function + " failed in Chromium: " + e.getMessage(), e);
        }
        if (!(result instanceof Map<?, ?> map)) {
            throw new ChromiumPeerException("page call " + function + " returned " + result);
        }
        if (map.get("error") != null) {
            throw new ChromiumPeerException("page call " + function + " failed: " + map.get("error"));
        }
        return map.get("value");
    }

    /** Returns a peer's window for reuse: navigating away closes its RTCPeerConnection and audio. */
    synchronized void release(String windowHandle) {
        if (closed) {
            return;
        }
        try {
            driver.switchTo().window(windowHandle);
            driver.get("about:blank");
            freeWindows.push(windowHandle);
        } catch (WebDriverException e) {
            // The window is gone; nothing to reuse.
        }
    }

    /** From the start of chromedriver to a browser ready for pages. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Chromium's version as reported by the driver, e.g. "156.0.8078.108". */
    public String version() {
        return version;
    }

    /** The page's address on the local HTTP server. */
    public String pageUrl() {
        return pageUrl;
    }

    /** chromedriver, Chromium and all their children, as of now. */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(driverProcess);
        driverProcess.descendants().forEach(all::add);
        return all;
    }

    private void ensureOpen() {
        if (closed) {
            throw new ChromiumPeerException("Chromium already closed");
        }
    }

    /** Quits the browser, stops the driver and the page server, and kills whatever process of theirs is left. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cleanUp(driver, service, driverProcess, http, tempDir, shutdownHook);
    }

    private static void cleanUp(ChromeDriver driver, ChromeDriverService service, ProcessHandle driverProcess,
                                HttpServer http, Path tempDir, Thread hook) {
        // Snapshot the tree first: once chromedriver exits, Chromium's processes are re-parented and can
        // no longer be found from here.
        List<ProcessHandle> tree = new ArrayList<>();
        if (driverProcess != null) {
            tree.add(driverProcess);
            driverProcess.descendants().forEach(tree::add);
        }
        if (driver != null) {
            try {
                driver.quit();
            } catch (RuntimeException e) {
                // Killed below.
            }
        }
        if (service != null) {
            try {
                service.stop();
            } catch (RuntimeException e) {
                // Killed below.
            }
        }
        killAll(tree, Duration.ofSeconds(5));
        if (http != null) {
            http.stop(0);
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs anyway.
            }
        }
        if (tempDir != null) {
            deleteRecursively(tempDir);
        }
    }

    private static void killTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        killAll(tree, grace);
    }

    private static void killAll(List<ProcessHandle> tree, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : tree) {
            long left = deadline - System.nanoTime();
            if (left > 0 && p.isAlive()) {
                try {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception e) {
                    // Still alive: forced below.
                }
            }
        }
        for (ProcessHandle p : tree) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Reported by processes() / the caller's own check.
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            // A temp dir left behind is harmless.
        }
    }

    @Override
    public String toString() {
        return "Chromium " + version + " (" + pageUrl + ")";
    }
}
