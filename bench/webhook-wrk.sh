#!/usr/bin/env bash
# Signed webhook POSTs with wrk (Debian package 'wrk') against a running wavoice:
#   WHATSAPP_APP_SECRET=load-test-secret WAVOICE_HTTP_HOST=127.0.0.1 WAVOICE_HTTP_PORT=18181 ./wavoice serve &
#   bench/webhook-wrk.sh [url] [seconds]
# Every request carries the same signed status event, so after the first one the server's work is signature
# check + JSON parse + de-duplication (see `./wavoice webhook-load` for distinct events).
set -euo pipefail
url="${1:-http://127.0.0.1:18181/webhook}"
seconds="${2:-15}"
secret="${WHATSAPP_APP_SECRET:-load-test-secret}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
body="$root/../shared/fixtures/whatsapp/status-ringing.json"
[[ -f "$body" ]] || { echo "fixture not found: $body" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
sig="$(openssl dgst -sha256 -hmac "$secret" -hex < "$body" | awk '{print $NF}')"
script="$(mktemp --suffix=.lua)"
trap 'rm -f "$script"' EXIT
cat > "$script" <<LUA
wrk.method = "POST"
wrk.body = io.open("$body"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = "sha256=$sig"
LUA
wrk -t2 -c32 -d10s -s "$script" "$url" > /dev/null    # warm-up, not reported
wrk -t2 -c32 -d"${seconds}s" --latency -s "$script" "$url"
