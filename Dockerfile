# syntax=docker/dockerfile:1
#
# wavoice on Alpine: a Java runtime linked with jlink from only the modules the jar uses, the distribution's
# libopus for native Opus, a non-root user. Build from the repository root:
#
#   docker build -f Dockerfile -t wavoice .
#
# (Dockerfile.debian is the same on Debian slim with libopus0.) GOING-LIVE.md says how to run it.

# The build stage is Maven on Temurin's *Alpine* JDK because it also links the runtime: jlink links from the JDK
# it runs in, and a Temurin 25 JDK ships no jmods for another C library, so a JDK on glibc cannot link a runtime
# for Alpine's musl. Building and linking on Alpine gives a musl runtime; the jar itself is the same anywhere.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-25-alpine
ARG RUNTIME_IMAGE=alpine:3.22

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# The poms first, so a change in the sources does not invalidate the layers above it. bench/pom.xml is read
# because the root pom lists the module; only media and server are built.
COPY pom.xml ./
COPY .mvn .mvn
COPY media/pom.xml media/
COPY server/pom.xml server/
COPY bench/pom.xml bench/
COPY media/src media/src
COPY server/src server/src
# -DskipTests still compiles the tests: the server module depends on the media module's test-jar (test scope),
# which -Dmaven.test.skip=true would not build. The shade plugin writes server/target/wavoice.jar.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl server -am package

# The runtime: the modules jdeps finds in the jar, nothing else (no compiler, no jmods, no man pages). On JDK 25
# the elliptic-curve TLS provider is part of java.base; with a JDK 21 build image add jdk.crypto.ec, which is
# loaded as a service and so never shows in jdeps' output.
RUN set -eu; \
    release="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')"; \
    modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release "$release" server/target/wavoice.jar)"; \
    echo "runtime modules: $modules"; \
    jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
          --output /opt/java; \
    /opt/java/bin/java -version

FROM ${RUNTIME_IMAGE}
# opus: libopus.so.0, which wavoice loads through the FFM API (WAVOICE_OPUS=auto picks it, pure Java otherwise).
# busybox (in the base image) provides the wget of the health check and the sleep of the Kubernetes preStop hook.
RUN apk add --no-cache opus \
 && addgroup -S -g 10001 wavoice \
 && adduser -S -D -H -u 10001 -G wavoice -h /var/lib/wavoice -s /sbin/nologin wavoice \
 && mkdir -p /var/lib/wavoice/data \
 && chown -R wavoice:wavoice /var/lib/wavoice
COPY --from=build /opt/java /opt/java
COPY --from=build /src/server/target/wavoice.jar /app/wavoice.jar
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:$PATH \
    LANG=C.UTF-8
# The JDK's ahead-of-time cache: classes parsed, verified and linked by a training run of this image's own runtime
# and jar (serve with its start-up self-calls on loopback, then a clean stop), so a start takes about half the CPU
# to /ready (BENCHMARKS.md, "Cold start"). Recorded with the ENTRYPOINT's JVM options: the JVM refuses a cache
# recorded with other module options. Nothing leaves the build container (loopback ports, a throwaway database,
# the built-in agent).
RUN mkdir /tmp/aot-training && cd /tmp/aot-training \
 && env WAVOICE_HTTP_HOST=127.0.0.1 WAVOICE_HTTP_PORT=0 WAVOICE_MEDIA_HOST=127.0.0.1 WAVOICE_MEDIA_PORT=0 \
        WAVOICE_AGENT=local WAVOICE_DB_URL=jdbc:h2:file:/tmp/aot-training/db/wavoice \
        java --enable-native-access=ALL-UNNAMED -XX:+UseG1GC -XX:MaxRAMPercentage=75 \
             -XX:AOTCacheOutput=/app/wavoice.aot -jar /app/wavoice.jar serve --exit-after-warmup \
 && cd / && rm -rf /tmp/aot-training \
 && chmod 0444 /app/wavoice.aot
USER 10001:10001
# Without WAVOICE_DB_URL the call log is an H2 file under ./data/, i.e. /var/lib/wavoice/data (mount a volume
# there, or better point WAVOICE_DB_URL at PostgreSQL).
WORKDIR /var/lib/wavoice
# HTTP (webhook, probes, metrics, API) and the one UDP port all calls' media share (WAVOICE_MEDIA_PORT).
EXPOSE 8080/tcp 40000/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD wget -q -O /dev/null "http://127.0.0.1:${WAVOICE_HTTP_PORT:-8080}/health" || exit 1
# --enable-native-access: libopus through the FFM API (the jar's manifest also says Enable-Native-Access).
# G1, chosen by measurement against generational ZGC and Serial (BENCHMARKS.md, "Garbage collector"): the least CPU
# per call-second, no collection at all during 20 calls of 20 s, RSS like Serial's and 40-55 MiB below ZGC's, and
# young pauses of a few ms where Serial's start-up collections stopped everything for 84-127 ms. Named here because
# the JVM would pick Serial by itself under the pod's 1 GiB limit (below 1792 MiB or 2 CPUs). Heap: 75 % of the
# container's memory limit. -XX:AOTCache: the cache recorded above.
# More JVM options (e.g. -Xlog:gc): JDK_JAVA_OPTIONS, which the java launcher reads. One that changes the heap layout
# (another collector, e.g. ZGC) makes the JVM refuse the AOT cache: it says so at start and runs without it.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/app/wavoice.aot", "-jar", "/app/wavoice.jar", "serve"]
