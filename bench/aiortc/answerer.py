#!/usr/bin/python3
"""A WhatsApp call answerer on aiortc: the stack Pipecat's WhatsApp transport uses, as a side-by-side anchor.

It speaks wavoice's outside contract, so the same caller load can drive both:
  GET  /ready    200 once listening
  POST /webhook  WhatsApp calls webhook, X-Hub-Signature-256 checked (401 on mismatch), answered 200 at once
  Graph API      POST {graph}/{version}/{phone_number_id}/calls: pre_accept with the answer, accept once connected

Per call it does what Pipecat's transport does: answer the offer with aiortc (host candidates, DTLS client),
decode the caller's Opus (aiortc), resample to 24 kHz mono s16 (av.AudioResampler), and send audio back through
an outbound MediaStreamTrack that resamples 24 kHz to 48 kHz for aiortc's Opus encoder. The "agent" is an echo
through PCM, so every 20 ms frame costs a decode, two resamples and an encode, as in wavoice's agent path.

Environment (names as wavoice's `serve`):
  WHATSAPP_APP_SECRET (required), WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN (sent as Bearer if set),
  WHATSAPP_PHONE_NUMBER_ID (used when the webhook's metadata lacks one),
  WHATSAPP_GRAPH_URL or WAVOICE_GRAPH_URL (default https://graph.facebook.com),
  WHATSAPP_GRAPH_VERSION or WAVOICE_GRAPH_VERSION (default v23.0, as wavoice),
  WAVOICE_HTTP_HOST (127.0.0.1), WAVOICE_HTTP_PORT (8080), WAVOICE_MEDIA_HOST (127.0.0.1: the one address
  the ICE host candidates use), WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS (10: a call not connected by then after
  pre_accept is closed), WAVOICE_LOG_LEVEL (INFO).

Needs Debian's python3-aiortc (1.4.0) and python3-aiohttp: apt-get install -y python3-aiortc python3-aiohttp.
Run with the system interpreter: /usr/bin/python3 bench/aiortc/answerer.py
"""
import asyncio
import dataclasses
import fractions
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import time

import aioice.ice
import av
import numpy
from aiohttp import ClientSession, ClientTimeout, web
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

FRAME_SECONDS = 0.020
OUT_RATE = 48000
AGENT_RATE = 24000
MAX_BUFFERED_SECONDS = 0.2

log = logging.getLogger("aiortc-answerer")


@dataclasses.dataclass(frozen=True)
class Settings:
    app_secret: bytes
    verify_token: str | None
    access_token: str | None
    phone_number_id: str | None
    graph_url: str
    graph_version: str
    http_host: str
    http_port: int
    media_host: str
    media_connect_timeout: float

    @staticmethod
    def from_env(env) -> "Settings":
        secret = env.get("WHATSAPP_APP_SECRET")
        if not secret:
            raise SystemExit("WHATSAPP_APP_SECRET is required")
        version = env.get("WHATSAPP_GRAPH_VERSION") or env.get("WAVOICE_GRAPH_VERSION") or "v23.0"
        if not re.fullmatch(r"v\d+\.\d+", version):
            raise SystemExit(f"graph version must look like v23.0 (got '{version}')")
        return Settings(
            app_secret=secret.encode(),
            verify_token=env.get("WHATSAPP_VERIFY_TOKEN"),
            access_token=env.get("WHATSAPP_ACCESS_TOKEN"),
            phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID"),
            graph_url=(env.get("WHATSAPP_GRAPH_URL") or env.get("WAVOICE_GRAPH_URL")
                       or "https://graph.facebook.com").rstrip("/"),
            graph_version=version,
            http_host=env.get("WAVOICE_HTTP_HOST", "127.0.0.1"),
            http_port=int(env.get("WAVOICE_HTTP_PORT", "8080")),
            media_host=env.get("WAVOICE_MEDIA_HOST", "127.0.0.1"),
            media_connect_timeout=float(env.get("WAVOICE_MEDIA_CONNECT_TIMEOUT_SECONDS", "10")),
        )


def event(name: str, **fields) -> None:
    """One structured line per call event."""
    log.info(json.dumps({"event": name, **fields}, separators=(",", ":")))


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def require_setup_active(sdp: str) -> str:
    """WhatsApp's edge is the DTLS server, so the answer must say a=setup:active. aiortc 1.4 answers an actpass
    offer with active by itself (its DTLS role "auto" becomes client). Rewriting the line would not change the
    role aiortc's DTLS transport plays, so anything else fails the call here instead of in the handshake."""
    roles = re.findall(r"(?m)^a=setup:(\w+)", sdp)
    if not roles or any(role != "active" for role in roles):
        raise ValueError(f"aiortc answered a=setup:{','.join(roles) or 'none'}; WhatsApp needs active")
    return sdp


class PcmEchoTrack(MediaStreamTrack):
    """Outbound audio: 24 kHz mono PCM written by the agent side, paced at 20 ms, resampled to 48 kHz for the
    Opus encoder. Silence when the agent has nothing, as Pipecat's outbound track does."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._agent_pcm = bytearray()
        self._out_pcm = bytearray()
        self._upsampler = av.AudioResampler(format="s16", layout="mono", rate=OUT_RATE)
        self._start: float | None = None
        self._pts = 0
        self.frames_sent = 0
        self.frames_late = 0  # handed to the encoder more than 5 ms after their 20 ms slot

    def write(self, pcm: bytes) -> None:
        self._agent_pcm += pcm
        limit = int(MAX_BUFFERED_SECONDS * AGENT_RATE) * 2
        if len(self._agent_pcm) > limit:
            del self._agent_pcm[: len(self._agent_pcm) - limit]

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        out_samples = int(FRAME_SECONDS * OUT_RATE)
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += out_samples
            due = self._start + self._pts / OUT_RATE
            if due > time.time():
                await asyncio.sleep(due - time.time())
            if time.time() - due > 0.005:
                self.frames_late += 1

        agent_bytes = int(FRAME_SECONDS * AGENT_RATE) * 2
        chunk = bytes(self._agent_pcm[:agent_bytes])
        del self._agent_pcm[:agent_bytes]
        if len(chunk) < agent_bytes:
            chunk += bytes(agent_bytes - len(chunk))
        agent_frame = av.AudioFrame.from_ndarray(
            numpy.frombuffer(chunk, dtype=numpy.int16).reshape(1, -1), format="s16", layout="mono")
        agent_frame.sample_rate = AGENT_RATE
        for resampled in self._upsampler.resample(agent_frame):
            self._out_pcm += resampled.to_ndarray().tobytes()

        out_bytes = out_samples * 2
        pcm = bytes(self._out_pcm[:out_bytes])
        del self._out_pcm[:out_bytes]
        if len(pcm) < out_bytes:  # the resampler's filter delay, on the first frame only
            pcm = bytes(out_bytes - len(pcm)) + pcm
        frame = av.AudioFrame.from_ndarray(
            numpy.frombuffer(pcm, dtype=numpy.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = OUT_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, OUT_RATE)
        self.frames_sent += 1
        return frame


class GraphApi:
    def __init__(self, settings: Settings, http: ClientSession) -> None:
        self._settings = settings
        self._http = http

    async def call_action(self, phone_number_id: str, call_id: str, action: str, sdp: str) -> int:
        url = f"{self._settings.graph_url}/{self._settings.graph_version}/{phone_number_id}/calls"
        headers = {"Content-Type": "application/json"}
        if self._settings.access_token:
            headers["Authorization"] = f"Bearer {self._settings.access_token}"
        body = {"messaging_product": "whatsapp", "call_id": call_id, "action": action,
                "session": {"sdp_type": "answer", "sdp": sdp}}
        async with self._http.post(url, data=json.dumps(body), headers=headers) as response:
            await response.read()
            return response.status


class Call:
    """One answered call: peer connection, inbound decode + resample loop, outbound echo track."""

    def __init__(self, call_id: str, phone_number_id: str, graph: GraphApi, received_at: float,
                 connect_timeout: float, on_end) -> None:
        self.call_id = call_id
        self._connect_timeout = connect_timeout
        self.phone_number_id = phone_number_id
        self._graph = graph
        self._received_at = received_at
        self._on_end = on_end
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # host candidates only, no STUN
        self._echo = PcmEchoTrack()
        self._answer_sdp: str | None = None
        self._accepted = False
        self._closed = False
        self._tasks: set[asyncio.Task] = set()
        self.frames_received = 0

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def frames_sent(self) -> int:
        return self._echo.frames_sent

    @property
    def frames_late(self) -> int:
        return self._echo.frames_late

    def _ms(self) -> float:
        return round((time.perf_counter() - self._received_at) * 1000, 2)

    async def answer(self, offer_sdp: str) -> None:
        pc = self._pc

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio":
                self._spawn(self._inbound(track))

        @pc.on("connectionstatechange")
        async def on_state():
            state = pc.connectionState
            if state == "connected" and not self._accepted:
                self._accepted = True
                event("connected", call_id=self.call_id, ms=self._ms())
                self._spawn(self._post("accept"))
            elif state == "failed":
                event("media_failed", call_id=self.call_id, ms=self._ms())
                await self.close("media_failed")

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        pc.addTrack(self._echo)
        answer = await pc.createAnswer()
        await pc.setLocalDescription(answer)  # gathers the host candidates into the SDP
        self._answer_sdp = require_setup_active(pc.localDescription.sdp)
        event("answer_ready", call_id=self.call_id, ms=self._ms())
        if await self._post("pre_accept"):
            self._spawn(self._connect_deadline())

    async def _post(self, action: str) -> bool:
        """A failed Graph call ends this call, never the process."""
        try:
            status = await self._graph.call_action(self.phone_number_id, self.call_id, action, self._answer_sdp)
        except Exception as e:
            event(action + "_failed", call_id=self.call_id, error=type(e).__name__, ms=self._ms())
            await self.close(f"graph_{action}_failed")
            return False
        event(action, call_id=self.call_id, status=status, ms=self._ms())
        if status >= 300:
            await self.close(f"graph_{action}_status_{status}")
            return False
        return True

    async def _connect_deadline(self) -> None:
        await asyncio.sleep(self._connect_timeout)
        if not self._accepted:
            event("media_timeout", call_id=self.call_id, ms=self._ms())
            await self.close("media_timeout")

    async def _inbound(self, track) -> None:
        """Caller audio as an agent gets it in Pipecat: decoded by aiortc, resampled to 24 kHz mono s16."""
        downsampler = av.AudioResampler(format="s16", layout="mono", rate=AGENT_RATE)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames_received += 1
            for resampled in downsampler.resample(frame):
                self._echo.write(resampled.to_ndarray().tobytes())

    async def close(self, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        self._echo.stop()
        await self._pc.close()
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        event("ended", call_id=self.call_id, reason=reason, frames_in=self.frames_received,
              frames_out=self._echo.frames_sent, frames_out_late=self._echo.frames_late)
        self._on_end(self.call_id)


class Answerer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._calls: dict[str, Call] = {}
        self._tasks: set[asyncio.Task] = set()
        self._graph: GraphApi | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/ready", self.ready)
        app.router.add_get("/webhook", self.verify)
        app.router.add_post("/webhook", self.webhook)
        app.cleanup_ctx.append(self._http_client)
        return app

    async def _http_client(self, app):
        async with ClientSession(timeout=ClientTimeout(total=10)) as http:
            self._graph = GraphApi(self._settings, http)
            yield
            await asyncio.gather(*(call.close("shutdown") for call in list(self._calls.values())))

    async def ready(self, request: web.Request) -> web.Response:
        """Also the live media figures of the calls up now (the smoke driver reads them)."""
        calls = list(self._calls.values())
        return web.json_response({
            "status": "ready", "pid": os.getpid(), "calls": len(calls),
            "frames_in": sum(c.frames_received for c in calls),
            "frames_out": sum(c.frames_sent for c in calls),
            "frames_out_late": sum(c.frames_late for c in calls)})

    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        token = self._settings.verify_token
        if q.get("hub.mode") == "subscribe" and token and hmac.compare_digest(q.get("hub.verify_token", ""), token):
            return web.Response(text=q.get("hub.challenge", ""))
        return web.Response(status=403)

    async def webhook(self, request: web.Request) -> web.Response:
        received_at = time.perf_counter()
        body = await request.read()
        if not signature_ok(self._settings.app_secret, body, request.headers.get("X-Hub-Signature-256")):
            return web.Response(status=401)
        try:
            payload = json.loads(body)
        except ValueError:
            return web.Response(status=400)
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                metadata = value.get("metadata") or {}
                phone_number_id = metadata.get("phone_number_id") or self._settings.phone_number_id
                for call in value.get("calls") or []:
                    self._dispatch(call, phone_number_id, received_at)
        return web.json_response({"status": "received"})

    def _dispatch(self, call: dict, phone_number_id: str | None, received_at: float) -> None:
        call_id, kind = call.get("id"), call.get("event")
        if not call_id:
            return
        if kind == "connect":
            session = call.get("session") or {}
            if call_id in self._calls or session.get("sdp_type") != "offer" or not phone_number_id:
                return
            answered = Call(call_id, phone_number_id, self._graph, received_at, self._settings.media_connect_timeout,
                            lambda cid: self._calls.pop(cid, None))
            self._calls[call_id] = answered
            event("connect", call_id=call_id)
            self._spawn(self._answer(answered, session.get("sdp", "")))
        elif kind == "terminate":
            answered = self._calls.get(call_id)
            if answered:
                self._spawn(answered.close("terminated:" + str(call.get("status", ""))))

    async def _answer(self, call: Call, offer_sdp: str) -> None:
        try:
            await call.answer(offer_sdp)
        except Exception as e:
            event("answer_failed", call_id=call.call_id, error=f"{type(e).__name__}: {e}")
            await call.close("answer_failed")

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def bind_ice_to(host: str) -> None:
    """aioice gathers a host candidate on every interface and leaves loopback out; pin it to one address so
    the answerer binds where it is told (loopback in the benchmark), as wavoice's media socket does."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [host]


def main() -> None:
    settings = Settings.from_env(os.environ)
    logging.basicConfig(level=os.environ.get("WAVOICE_LOG_LEVEL", "INFO").upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("aioice", "aiortc", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    bind_ice_to(settings.media_host)
    event("listening", host=settings.http_host, port=settings.http_port, pid=os.getpid(),
          graph=f"{settings.graph_url}/{settings.graph_version}", aiortc=__import__("aiortc").__version__)
    web.run_app(Answerer(settings).app(), host=settings.http_host, port=settings.http_port,
                access_log=None, print=None)


if __name__ == "__main__":
    main()
