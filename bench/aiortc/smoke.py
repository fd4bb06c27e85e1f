#!/usr/bin/python3
"""Plays WhatsApp against answerer.py: a fake Graph API, signed webhooks, and aiortc callers sending a tone.

  /usr/bin/python3 bench/aiortc/smoke.py [--calls M] [--seconds S] [--json out.json]
  /usr/bin/python3 bench/aiortc/smoke.py --url http://127.0.0.1:PORT --graph-port G [--server-pid PID] ...

Starts the answerer as a child process on a free loopback port with WAVOICE_GRAPH_URL pointing at the fake
Graph server here, then per call: an aiortc offerer (Opus only, session-level a=ice-lite as WhatsApp's edge
announces, ICE role forced to controlled) with a sine track at its own frequency, a signed `connect` webhook,
the answer from the `pre_accept` it receives applied to the offerer, and after S seconds an FFT of what came
back (the echo must peak at the call's own frequency) and a signed `terminate` webhook.

Reports setup latency (webhook sent -> pre_accept / accept received at the Graph server) and the answerer
process's CPU per call while all M calls are up (utime + stime from /proc, divided by call-seconds).
Exits 1 if a call did not connect or its echo did not carry its tone. The callers run in this process, so
for large M they compete with the answerer for the same cores.

The second form drives an answerer that is already running (this one, or `wavoice serve`) whose Graph API URL is
http://127.0.0.1:G and whose app secret is $WHATSAPP_APP_SECRET.
"""
import argparse
import asyncio
import fractions
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aioice.ice
import av
import numpy
from aiohttp import ClientSession, web
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

HERE = Path(__file__).resolve().parent
SECRET = os.environ.get("WHATSAPP_APP_SECRET") or "smoke-secret"  # the answerer's app secret
PHONE_NUMBER_ID = "110000000000001"
RATE = 48000
FRAME = 960
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ToneTrack(MediaStreamTrack):
    """A sine at one frequency, 20 ms frames at 48 kHz mono, paced in real time."""

    kind = "audio"

    def __init__(self, hz: float) -> None:
        super().__init__()
        self._hz = hz
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += FRAME
            wait = self._start + self._pts / RATE - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        n = numpy.arange(self._pts, self._pts + FRAME)
        samples = (0.3 * 32767 * numpy.sin(2 * numpy.pi * self._hz * n / RATE)).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        return frame


def peak_hz(pcm: numpy.ndarray, rate: int) -> float:
    spectrum = numpy.abs(numpy.fft.rfft(pcm * numpy.hanning(len(pcm))))
    spectrum[:5] = 0  # ignore DC
    return float(numpy.argmax(spectrum)) * rate / len(pcm)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # the answerer is gone: the figures become nan, the run still reports
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def signed(body: bytes) -> dict:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + digest}


def webhook(call_id: str, event: str, **call_fields) -> bytes:
    call = {"id": call_id, "from": "15557654321", "to": "15550001111", "event": event,
            "timestamp": str(int(time.time())), "direction": "USER_INITIATED", **call_fields}
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
             "calls": [call]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "200000000000002", "changes": [{"value": value, "field": "calls"}]}]}).encode()


class FakeGraph:
    """Records call actions with their arrival time; hands each pre_accept's answer to the waiting caller."""

    def __init__(self) -> None:
        self.actions: dict[tuple[str, str], tuple[float, str]] = {}
        self.waiters: dict[tuple[str, str], asyncio.Future] = {}
        self.bad_requests: list[str] = []

    def wait(self, call_id: str, action: str) -> asyncio.Future:
        return self.waiters.setdefault((call_id, action), asyncio.get_running_loop().create_future())

    async def calls(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        body = await request.json()
        session = body.get("session") or {}
        if (request.match_info["pnid"] != PHONE_NUMBER_ID or body.get("messaging_product") != "whatsapp"
                or session.get("sdp_type") != "answer" or "a=setup:active" not in session.get("sdp", "")):
            self.bad_requests.append(json.dumps(body)[:200])
            return web.json_response({"error": {"message": "unexpected request"}}, status=400)
        key = (body["call_id"], body["action"])
        self.actions[key] = (at, session["sdp"])
        self.wait(*key).set_result((at, session["sdp"]))
        return web.json_response({"success": True})


async def start_graph(graph: FakeGraph, port: int | None) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_post("/{version}/{pnid}/calls", graph.calls)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = port or free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


def whatsapp_like(offer_sdp: str) -> str:
    """WhatsApp's edge is ICE-lite: announce it at session level (before the first m-line)."""
    head, sep, media = offer_sdp.partition("m=audio")
    return head + "a=ice-lite\r\n" + sep + media


class Caller:
    def __init__(self, index: int, hz: float, graph: FakeGraph, http: ClientSession, webhook_url: str) -> None:
        self.call_id = f"wacid.smoke{index:04d}"
        self.hz = hz
        self._graph = graph
        self._http = http
        self._url = webhook_url
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._received: list[numpy.ndarray] = []
        self._collect = False
        self._reader: asyncio.Task | None = None
        self.result: dict = {"call_id": self.call_id, "tone_hz": hz}

    async def dial(self) -> None:
        pc = self._pc
        transceiver = pc.addTransceiver(ToneTrack(self.hz), direction="sendrecv")
        opus = [c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType.lower() == "audio/opus"]
        transceiver.setCodecPreferences(opus)

        @pc.on("track")
        def on_track(track):
            self._reader = asyncio.create_task(self._read(track))

        await pc.setLocalDescription(await pc.createOffer())
        # The edge is ICE-lite, so the answerer must control; aiortc 1.4 makes every offerer controlling.
        for ice in pc._RTCPeerConnection__iceTransports:
            ice._connection.ice_controlling = False
        offer = whatsapp_like(pc.localDescription.sdp)

        body = webhook(self.call_id, "connect", session={"sdp_type": "offer", "sdp": offer})
        sent = time.perf_counter()
        pre_accept = self._graph.wait(self.call_id, "pre_accept")
        accept = self._graph.wait(self.call_id, "accept")
        async with self._http.post(self._url, data=body, headers=signed(body)) as response:
            self.result["webhook_status"] = response.status
        pre_at, answer_sdp = await asyncio.wait_for(pre_accept, 15)
        self.result["pre_accept_ms"] = (pre_at - sent) * 1000
        self.result["answer_setup"] = next((l for l in answer_sdp.splitlines() if l.startswith("a=setup:")), None)
        self.result["answer_candidates"] = [l for l in answer_sdp.splitlines() if l.startswith("a=candidate:")]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        accept_at, _ = await asyncio.wait_for(accept, 15)
        self.result["accept_ms"] = (accept_at - sent) * 1000

    async def _read(self, track) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if self._collect:
                stereo = frame.to_ndarray().reshape(-1, len(frame.layout.channels))
                self._received.append(stereo.mean(axis=1))

    def listen(self) -> None:
        self._received.clear()
        self._collect = True

    def check_tone(self) -> None:
        pcm = numpy.concatenate(self._received) if self._received else numpy.zeros(0)
        self.result["echo_seconds"] = len(pcm) / RATE
        self.result["echo_rms"] = float(numpy.sqrt(numpy.mean(pcm.astype(float) ** 2))) if len(pcm) else 0.0
        self.result["echo_peak_hz"] = peak_hz(pcm, RATE) if len(pcm) >= RATE // 2 else None
        self.result["tone_ok"] = (self.result["echo_peak_hz"] is not None
                                  and abs(self.result["echo_peak_hz"] - self.hz) <= 15)

    async def hang_up(self) -> None:
        body = webhook(self.call_id, "terminate", status="COMPLETED")
        async with self._http.post(self._url, data=body, headers=signed(body)) as response:
            self.result["terminate_status"] = response.status
        if self._reader:
            self._reader.cancel()
        await self._pc.close()


async def wait_ready(url: str, http: ClientSession, process: subprocess.Popen | None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process and process.poll() is not None:
            raise SystemExit(f"answerer exited with {process.returncode}")
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("answerer not ready after 30 s")


async def rejects_bad_signature(http: ClientSession, url: str) -> bool:
    body = webhook("wacid.forged", "connect", session={"sdp_type": "offer", "sdp": "v=0\r\n"})
    async with http.post(url, data=body, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}) as response:
        return response.status == 401


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(calls: int, seconds: float, stagger: float, url: str | None, graph_port: int | None,
              server_pid: int | None) -> dict:
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]  # loopback only
    graph = FakeGraph()
    graph_runner, graph_port = await start_graph(graph, graph_port)
    answerer = None
    if url is None:
        http_port = free_port()
        env = dict(os.environ, WHATSAPP_APP_SECRET=SECRET, WAVOICE_GRAPH_URL=f"http://127.0.0.1:{graph_port}",
                   WAVOICE_HTTP_HOST="127.0.0.1", WAVOICE_HTTP_PORT=str(http_port),
                   WAVOICE_LOG_LEVEL=os.environ.get("WAVOICE_LOG_LEVEL", "WARNING"))
        answerer = subprocess.Popen([sys.executable, str(HERE / "answerer.py")], env=env)
        base, server_pid = f"http://127.0.0.1:{http_port}", answerer.pid
    else:
        base = url.rstrip("/")
    cpu = (lambda: cpu_seconds(server_pid)) if server_pid else (lambda: float("nan"))
    report: dict = {"calls": calls, "seconds": seconds, "url": base, "server_pid": server_pid}
    try:
        async with ClientSession() as http:
            await wait_ready(base + "/ready", http, answerer)
            report["bad_signature_401"] = await rejects_bad_signature(http, base + "/webhook")
            callers = [Caller(i, 300 + 100 * i, graph, http, base + "/webhook") for i in range(calls)]
            cpu_before_setup = cpu()

            async def dial(caller: Caller, delay: float) -> None:
                await asyncio.sleep(delay)
                try:
                    await caller.dial()
                except Exception as e:
                    caller.result["error"] = f"{type(e).__name__}: {e}"

            await asyncio.gather(*(dial(c, i * stagger) for i, c in enumerate(callers)))
            connected = [c for c in callers if "accept_ms" in c.result]
            report["setup_cpu_ms_per_call"] = (cpu() - cpu_before_setup) * 1000 / max(1, len(connected))

            await asyncio.sleep(1.0)  # let the first echoed frames and the resamplers settle
            for c in connected:
                c.listen()
            cpu_start, wall_start, own_start = cpu(), time.monotonic(), cpu_seconds(os.getpid())
            await asyncio.sleep(seconds)
            cpu_used, wall = cpu() - cpu_start, time.monotonic() - wall_start
            report["driver_cpu_percent_total"] = 100 * (cpu_seconds(os.getpid()) - own_start) / wall
            for c in connected:
                c.check_tone()
            async with http.get(base + "/ready") as response:
                live = await response.json()
            if "frames_out" in live:  # answerer.py's own figures, over the whole calls
                report["frames_out"], report["frames_out_late"] = live["frames_out"], live["frames_out_late"]
            report["cpu_percent_per_call"] = 100 * cpu_used / (wall * max(1, len(connected)))
            report["cpu_percent_total"] = 100 * cpu_used / wall
            await asyncio.gather(*(c.hang_up() for c in callers))
            await asyncio.sleep(0.5)
            async with http.get(base + "/ready") as response:
                report["calls_left_after_terminate"] = (await response.json()).get("calls")
    finally:
        if answerer:
            answerer.terminate()
            try:
                answerer.wait(10)
            except subprocess.TimeoutExpired:
                answerer.kill()
        await graph_runner.cleanup()

    report["per_call"] = [c.result for c in callers]
    pre = [c.result["pre_accept_ms"] for c in callers if "pre_accept_ms" in c.result]
    acc = [c.result["accept_ms"] for c in callers if "accept_ms" in c.result]
    for name, values in (("pre_accept_ms", pre), ("accept_ms", acc)):
        if values:
            report[name] = {"p50": statistics.median(values), "p99": percentile(values, 99), "max": max(values)}
    report["connected"] = len(acc)
    report["tones_ok"] = sum(1 for c in callers if c.result.get("tone_ok"))
    report["graph_bad_requests"] = graph.bad_requests
    report["ok"] = (report["tones_ok"] == calls and report["bad_signature_401"]
                    and report["calls_left_after_terminate"] in (0, None) and not graph.bad_requests)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--stagger", type=float, default=0.2, help="seconds between call starts")
    parser.add_argument("--json", help="write the full report here")
    parser.add_argument("--url", help="drive an answerer already running here instead of starting answerer.py")
    parser.add_argument("--graph-port", type=int, help="with --url: the port its Graph API URL points at")
    parser.add_argument("--server-pid", type=int, help="with --url: the answerer's process, for its CPU time")
    args = parser.parse_args()
    if args.url and not args.graph_port:
        parser.error("--url needs --graph-port (the answerer's WHATSAPP_GRAPH_URL port)")
    report = asyncio.run(run(args.calls, args.seconds, args.stagger, args.url, args.graph_port, args.server_pid))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for c in report["per_call"]:
        print(f"{c['call_id']}: tone {c['tone_hz']} Hz -> echo peak {c.get('echo_peak_hz')} Hz "
              f"(rms {c.get('echo_rms', 0):.0f}), pre_accept {c.get('pre_accept_ms', float('nan')):.1f} ms, "
              f"accept {c.get('accept_ms', float('nan')):.1f} ms, {c.get('answer_setup')}"
              + (f", error {c['error']}" if "error" in c else ""))
    for name in ("pre_accept_ms", "accept_ms"):
        if name in report:
            r = report[name]
            print(f"{name}: p50 {r['p50']:.1f}  p99 {r['p99']:.1f}  max {r['max']:.1f}")
    print(f"answerer CPU: {report.get('cpu_percent_per_call', float('nan')):.2f} % of a core per call "
          f"({report.get('cpu_percent_total', float('nan')):.1f} % for {report['connected']} calls), "
          f"{report.get('setup_cpu_ms_per_call', float('nan')):.1f} ms CPU per call while dialling (media of calls "
          f"already up included); "
          f"callers (this process) {report.get('driver_cpu_percent_total', float('nan')):.1f} %")
    if "frames_out" in report:
        print(f"answerer outbound frames over 5 ms late: {report['frames_out_late']} of {report['frames_out']}")
    print(f"connected {report['connected']}/{report['calls']}, tones ok {report['tones_ok']}, "
          f"bad signature -> 401: {report['bad_signature_401']}, calls left after terminate: "
          f"{report.get('calls_left_after_terminate')}, result: {'OK' if report['ok'] else 'FAILED'}")
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
