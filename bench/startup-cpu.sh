#!/usr/bin/env bash
# Start-up cost with and without the JDK's ahead-of-time cache, start-up warm-up on and off: process CPU (utime +
# stime from /proc) and wall time from exec to GET /ready 200, configurations interleaved, ROUNDS rounds.
#   ./wavoice aot-cache && bench/startup-cpu.sh [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-4}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 24+}/bin/java"
jar="$root/server/target/wavoice.jar"
aot="$(ls "$root"/server/target/wavoice-jdk*.aot 2>/dev/null | head -1)"
[[ -s "$aot" && "$aot" -nt "$jar" ]] || { echo "no AOT cache for this jar: run ./wavoice aot-cache first" >&2; exit 1; }
tck="$(getconf CLK_TCK)"
for ((round = 1; round <= rounds; round++)); do
  for cfg in aot:true none:true aot:false none:false; do
    cache="${cfg%%:*}"; warmup="${cfg##*:}"
    opts=(--enable-native-access=ALL-UNNAMED -XX:+UseG1GC)
    [[ "$cache" == aot ]] && opts+=("-XX:AOTCache=$aot")
    dir="$(mktemp -d)"; port=$((20000 + RANDOM % 20000))
    t0="$(date +%s%N)"
    (cd "$dir" && WAVOICE_WARMUP="$warmup" WAVOICE_AGENT=echo WAVOICE_HTTP_HOST=127.0.0.1 WAVOICE_HTTP_PORT="$port" \
      WAVOICE_MEDIA_HOST=127.0.0.1 WAVOICE_MEDIA_PORT=0 WAVOICE_DB_URL="jdbc:h2:file:$dir/db/w" WHATSAPP_APP_SECRET=x \
      exec "$java" "${opts[@]}" -cp "$jar" dev.wavoice.server.cli.Main serve >"$dir/log" 2>&1) &
    pid=$!
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" == 200 ]]; do
      kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
      sleep 0.02
    done
    t1="$(date +%s%N)"
    cpu="$(awk -v t="$tck" '{printf "%.0f", ($14 + $15) * 1000 / t}' "/proc/$pid/stat")"
    printf '%-5s warmup=%-5s wall_ms=%-6d cpu_ms=%-6s load=%s aot_errors=%s\n' "$cache" "$warmup" \
      $(( (t1 - t0) / 1000000 )) "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" "$(grep -c '\[error\]\[aot\]' "$dir/log" || true)"
    kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$dir"
  done
done
