#!/usr/bin/env bash
# The same caller load against the aiortc answerer (bench/aiortc/answerer.py, the stack Pipecat's WhatsApp transport
# uses) and against wavoice, one after the other on this machine; prints wavoice / aiortc ratios.
#
#   apt-get install -y python3-aiortc python3-aiohttp   # Debian 12: aiortc 1.4.0; a benchmark dependency only,
#                                                       # mvn verify does not need it
#   bench/side-by-side.sh [calls] [seconds]             # defaults 20 calls, 30 s; JSON + logs in target/side-by-side
#   FIND_MAX=1 bench/side-by-side.sh 20 30              # also the largest N with every frame on time, both sides
#
# Both runs use `./wavoice bench --agent local`: for aiortc at --url with --server-pid so the bench samples the
# answerer's CPU; for wavoice the bench starts its own server JVM. Every process started here is stopped on exit.
set -euo pipefail

calls="${1:-20}"
seconds="${2:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT_DIR:-$root/target/side-by-side}"
wavoice="${WAVOICE:-$root/wavoice}"   # the launcher (overridable for a dry run of this script)
python=/usr/bin/python3   # Debian's interpreter: the one python3-aiortc is installed for
secret="${WHATSAPP_APP_SECRET:-side-by-side-secret}"
agent="${BENCH_AGENT:-local}"   # wavoice's agent path transcodes as the aiortc answerer does; echo is RTP passthrough
export WHATSAPP_APP_SECRET="$secret"

"$python" -c 'import aiortc, aiohttp' 2>/dev/null \
  || { echo "needs Debian's python3-aiortc and python3-aiohttp (apt-get install -y python3-aiortc python3-aiohttp)" >&2; exit 1; }
mkdir -p "$out"
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
aiortc_port="$(free_port)"
graph_port="$(free_port)"

# `wavoice bench --url` must run its Graph API stand-in on the port the answerer was told to call (--graph-port);
# BENCH_URL_ARGS replaces these options if the bench's spelling changes.
read -r -a url_args <<< "${BENCH_URL_ARGS:---graph-port $graph_port}"
# FIND_MAX=1 also finds the largest N with every frame on time (long: doubling, then bisecting);
# BENCH_ARGS adds options to both runs (e.g. "--ramp 5 --warmup 5").
read -r -a extra_args <<< "${BENCH_ARGS:-} ${FIND_MAX:+--find-max}"

started=()
stop_all() {
  local pid
  for pid in "${started[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  started=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Each child leads its own process group (setsid), so stopping it also stops whatever it started (the bench's JVMs).
# A run whose calls fail still writes its JSON: the ratios are printed anyway and the script's status says so.
failed=0
run_bench() {
  setsid "$wavoice" bench "$@" &
  local pid=$!
  started+=("$pid")
  wait "$pid" || { echo "wavoice bench exited with $? (failed calls: see its output above)" >&2; failed=1; }
}

echo "== aiortc answerer: $calls calls x ${seconds}s" >&2
WAVOICE_GRAPH_URL="http://127.0.0.1:$graph_port" WAVOICE_HTTP_HOST=127.0.0.1 WAVOICE_HTTP_PORT="$aiortc_port" \
  WAVOICE_LOG_LEVEL="${AIORTC_LOG_LEVEL:-WARNING}" \
  setsid "$python" "$root/bench/aiortc/answerer.py" 2> "$out/aiortc-answerer.log" &
aiortc_pid=$!
started+=("$aiortc_pid")
"$python" - "$aiortc_port" "$aiortc_pid" <<'PY'
import sys, time, urllib.request, os
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    if not os.path.exists(f"/proc/{pid}"):
        sys.exit("aiortc answerer exited before it was ready")
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1).status == 200:
            sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("aiortc answerer not ready after 30 s")
PY
run_bench --calls "$calls" --seconds "$seconds" --agent "$agent" "${extra_args[@]}" --url "http://127.0.0.1:$aiortc_port" \
  --server-pid "$aiortc_pid" "${url_args[@]}" --json "$out/aiortc.json"
stop_all

echo "== wavoice: $calls calls x ${seconds}s" >&2
run_bench --calls "$calls" --seconds "$seconds" --agent "$agent" "${extra_args[@]}" --json "$out/wavoice.json"
stop_all

"$python" - "$out/wavoice.json" "$out/aiortc.json" <<'PY'
import json, re, sys

# metric -> (candidate key paths in the `wavoice bench --json` report, first found wins; True if higher is better)
METRICS = {
    "pre_accept p50 (ms)": (["result.setup_ms.pre_accept.p50"], False),
    "pre_accept p99 (ms)": (["result.setup_ms.pre_accept.p99"], False),
    "connected p50 (ms)": (["result.setup_ms.dtls_connected.p50"], False),
    "connected p99 (ms)": (["result.setup_ms.dtls_connected.p99"], False),
    "first audio back p50 (ms)": (["result.setup_ms.first_audio_back.p50"], False),
    "CPU ms per call-second": (["result.server_cpu.cpu_ms_per_call_second"], False),
    "calls per core": (["result.server_cpu.calls_per_core"], True),
    "frames back > 5 ms late": (["result.frames_back.late_over_5ms"], False),
    "largest on-time N": (["find_max.largest_on_time_calls"], True),
}
# When no listed path exists (the report changed), a key path whose letters contain all of these words is taken
# and shown next to the figure.
FUZZY = {
    "pre_accept p50 (ms)": ["preaccept", "p50"], "pre_accept p99 (ms)": ["preaccept", "p99"],
    "connected p50 (ms)": ["connected", "p50"], "connected p99 (ms)": ["connected", "p99"],
    "first audio back p50 (ms)": ["firstaudio", "p50"], "CPU ms per call-second": ["cpu", "percallsecond"],
    "calls per core": ["callspercore"], "frames back > 5 ms late": ["late", "5ms"], "largest on-time N": ["ontimecalls"],
}

def flatten(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield prefix, float(node)

def lookup(doc, name):
    flat = dict(flatten(doc))
    for path in METRICS[name][0]:
        if path in flat:
            return flat[path], path
    words = FUZZY[name]
    for path, value in flat.items():
        squashed = re.sub(r"[^a-z0-9]", "", path.lower())
        if all(w in squashed for w in words):
            return value, path + " (guessed)"
    return None, None

try:
    wavoice, aiortc = (json.load(open(p)) for p in sys.argv[1:3])
except (OSError, ValueError) as e:
    sys.exit(f"cannot read bench JSON: {e}")
print(f"{'metric':28} {'wavoice':>10} {'aiortc':>10} {'wavoice/aiortc':>15}  better")
if "find_max" not in wavoice:
    print("(largest on-time N needs FIND_MAX=1)")
for name, (_, higher_better) in METRICS.items():
    w, wpath = lookup(wavoice, name)
    a, apath = lookup(aiortc, name)
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}"
    ratio = "n/a" if w is None or a is None or a == 0 else f"{w / a:.3f}"
    print(f"{name:28} {fmt(w):>10} {fmt(a):>10} {ratio:>15}  {'higher' if higher_better else 'lower'}"
          + ("" if wpath == apath else f"   [keys: {wpath} / {apath}]"))
PY
exit "$failed"
