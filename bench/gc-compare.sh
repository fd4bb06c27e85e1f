#!/usr/bin/env bash
# G1, generational ZGC and Serial, interleaved, ROUNDS rounds: idle RSS 5 s after /ready, then
# ./wavoice bench --calls 20 --seconds 20 with the collector and -Xlog:gc; logs and bench output go to OUT.
#   bench/gc-compare.sh [rounds] [out-dir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-2}"
out="${2:-$(mktemp -d)}"
mkdir -p "$out"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 21+}/bin/java"
jar="$root/server/target/wavoice.jar"
declare -A gc_opts=([g1]="-XX:+UseG1GC" [zgc]="-XX:+UseZGC" [serial]="-XX:+UseSerialGC")
for ((round = 1; round <= rounds; round++)); do
  for gc in g1 zgc serial; do
    tag="$gc-$round"
    dir="$(mktemp -d)"; port=$((20000 + RANDOM % 20000))
    # shellcheck disable=SC2086
    (cd "$dir" && WAVOICE_AGENT=echo WAVOICE_HTTP_HOST=127.0.0.1 WAVOICE_HTTP_PORT="$port" WAVOICE_MEDIA_HOST=127.0.0.1 \
      WAVOICE_MEDIA_PORT=0 WAVOICE_DB_URL="jdbc:h2:file:$dir/db/w" WHATSAPP_APP_SECRET=x \
      exec "$java" --enable-native-access=ALL-UNNAMED ${gc_opts[$gc]} -Xlog:gc:file="$out/idle-$tag.gc.log" \
        -jar "$jar" serve >"$dir/log" 2>&1) &
    pid=$!
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" == 200 ]]; do
      kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
      sleep 0.1
    done
    sleep 5
    echo "idle $tag rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status") load=$(cut -d' ' -f1-3 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$dir"
    "$root/wavoice" bench --calls 20 --seconds 20 --server-cpus 0 --caller-cpus 1 \
      --server-java-opts "${gc_opts[$gc]} -Xlog:gc:file=$out/bench-$tag.gc.log" --json "$out/bench-$tag.json" \
      >"$out/bench-$tag.txt" 2>&1
    echo "bench $tag: $(grep -E '^server CPU|^frames back' "$out/bench-$tag.txt" | tr -s ' ' | paste -sd ';') load=$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
echo "logs in $out"
