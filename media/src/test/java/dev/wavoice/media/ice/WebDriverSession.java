package dev.wavoice.media.ice;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Just enough of the W3C WebDriver protocol, over the JDK's HTTP client, to run JavaScript in headless
 * Chromium through Debian's chromedriver: no Selenium dependency needed for an ICE/SDP interop check.
 */
final class WebDriverSession implements AutoCloseable {
    private static final String[] CHROMIUM_ARGS = {"--headless=new", "--no-sandbox",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            // Loopback only, and real addresses instead of mDNS names, so the peers can reach each other here.
            "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns"};

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process driver;
    private final String base;
    private final String session;

    WebDriverSession(String chromedriver, String chromium) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(chromedriver, "--port=" + port).redirectErrorStream(true)
                .redirectOutput(new File("target/chromedriver.log")).start();
        base = "http://127.0.0.1:" + port;
        String caps = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\",\"goog:chromeOptions\":{"
                + "\"binary\":" + quote(chromium) + ",\"args\":["
                + Arrays.stream(CHROMIUM_ARGS).map(WebDriverSession::quote).collect(Collectors.joining(",")) + "]}}}}";
        String created = null;
        for (int attempt = 0; attempt < 50 && created == null; attempt++) {
            try {
                created = post("/session", caps);
            } catch (IOException notListeningYet) {
                Thread.sleep(100);
            }
        }
        session = field(created, "sessionId");
        if (session == null) {
            driver.destroy();
            throw new IllegalStateException("chromedriver did not create a session: " + created);
        }
    }

    /** Runs an async script (the callback is the last argument) and returns its string result. */
    String executeAsync(String script, String... args) throws Exception {
        String body = "{\"script\":" + quote(script) + ",\"args\":["
                + Arrays.stream(args).map(WebDriverSession::quote).collect(Collectors.joining(",")) + "]}";
        return field(post("/session/" + session + "/execute/async", body), "value");
    }

    @Override
    public void close() throws Exception {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base + "/session/" + session)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            // Ending the session quits Chromium; make sure nothing of it outlives the test.
            java.util.List<ProcessHandle> browser = driver.descendants().toList();
            driver.destroy();
            driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            browser.forEach(ProcessHandle::destroy);
        }
    }

    private String post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** The first string field of that name in a JSON text (all we need from WebDriver's answers), or null. */
    static String field(String json, String name) {
        int k = json == null ? -1 : json.indexOf("\"" + name + "\":\"");
        if (k < 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = k + name.length() + 4; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char n = json.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(n);
            }
        }
        return null;
    }
}
