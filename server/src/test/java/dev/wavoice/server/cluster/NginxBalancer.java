package dev.wavoice.server.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** nginx (Debian's package) as a round-robin HTTP load balancer in front of several instances, on loopback. */
final class NginxBalancer implements AutoCloseable {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    final int port;
    private final Process process;

    private NginxBalancer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static NginxBalancer start(Path dir, List<Integer> backends) throws Exception {
        if (!Files.isExecutable(NGINX)) {
            throw new IllegalStateException("nginx is missing: apt-get install nginx");
        }
        int port = ServeProcess.freePort();
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        String upstream = backends.stream().map(p -> "    server 127.0.0.1:" + p + " max_fails=0;")
                .collect(Collectors.joining("\n"));
        String conf = """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream wavoice {
                %2$s
                  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / { proxy_pass http://wavoice; proxy_next_upstream error timeout; }
                  }
                }
                """.formatted(prefix, upstream, port);
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("out.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return new NginxBalancer(port, p);
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("nginx exited: " + Files.readString(prefix.resolve("out.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
