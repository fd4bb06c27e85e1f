"""One Media Streams connection as the bot sees it: checks what arrives, reports it, sends what it is told to.

Every stdout line is one JSON object with "type", "t" (time.monotonic() seconds) and "tNs" (time.monotonic_ns(),
CLOCK_MONOTONIC on Linux, the clock Java's System.nanoTime() reads), plus "conn" and "streamSid" per connection.
"""

import base64
import json
import queue
import socket
import threading
import time

import stream_checks as checks
from stream_audio import MULAW_8K, AudioFormat, SineGenerator, ToneDetector
from ws_server import OP_PING, ClosedError, WebSocketConnection

MARK_EARLY_TOLERANCE_NS = 100_000_000  # a mark echoed this long before its audio could have played is a bug
AUTO_REPLY_AFTER_FRAMES = 15  # 300 ms of the caller's audio, by its own clock rather than ours


class Output:
    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def raw(self, line):
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def emit(self, event):
        now = time.monotonic_ns()
        event = dict(event, t=round(now / 1e9, 6), tNs=now)
        self.raw(json.dumps(event, separators=(",", ":")))


class BotSession:
    def __init__(self, conn_id, sock, args, out):
        self.conn_id = conn_id
        self.sock = sock
        self.args = args
        self.out = out
        self.ws = WebSocketConnection(sock, lambda kind, detail: self.violation(kind, detail), self._on_pong)
        self.stream_sid = None
        self.start = None
        self.fmt = MULAW_8K
        self.finished = False
        self.stopped = False
        self.seen_connected = False
        self.messages = 0
        self.next_seq = 1
        self.last_chunk = 0
        self.last_timestamp = None
        self.media_frames = 0
        self.media_bytes = 0
        self.violations = 0
        self.detector = None
        self.tone = 0
        self.tone_since_frame = 0
        self.pending_tone = (None, 0)
        self.replied_to_tone = False
        self.sine = None
        self.reading = threading.Event()
        self.reading.set()
        self.outbox = queue.Queue()
        self.generation = 0  # bumped by clear: queued or playing say items of an older generation stop
        self.play_end_ns = 0  # when the audio sent so far would end if played from its arrival in real time
        self.pending_marks = []  # [name, sent_ns, due_ns, cleared]

    # ----- reporting

    def emit(self, event):
        self.out.emit(dict(event, conn=self.conn_id, streamSid=self.stream_sid))

    def violation(self, kind, detail, **extra):
        self.violations += 1
        self.emit(dict(extra, type="violation", kind=kind, detail=detail))

    def _report(self, problems, event, message):
        for kind, detail in problems:
            if kind == "order" and self.args.ignore_order:
                continue
            self.violation(kind, detail, event=event, message=message[:300])

    def _on_pong(self, payload):
        self.emit({"type": "pong", "data": payload.decode("utf-8", "replace")})

    # ----- reading

    def run(self):
        threading.Thread(target=self._send_loop, name="send-%d" % self.conn_id, daemon=True).start()
        try:
            if not self.ws.handshake():
                self.emit({"type": "closed", "code": None, "by": "bad-handshake"})
                return
            self.emit({"type": "connection", "path": self.ws.path})
            while True:
                self.reading.wait()
                kind, payload = self.ws.read_message()
                if kind == "close":
                    code, reason = payload
                    self._closed(code, reason, "peer" if not self.ws.close_sent else "bot")
                    return
                if kind == "binary":
                    self.violation("frame", "binary message; Media Streams messages are JSON text")
                    continue
                self.on_text(payload)
        except (ClosedError, OSError) as e:
            self._closed(None, type(e).__name__, "eof")
        finally:
            self.finished = True
            self.outbox.put(None)
            self.ws.shutdown()

    def _closed(self, code, reason, by):
        self.emit({"type": "closed", "code": code, "reason": reason, "by": by, "mediaFrames": self.media_frames,
                   "violations": self.violations})

    def on_text(self, text):
        self.messages += 1
        try:
            msg = json.loads(text)
        except ValueError:
            self.violation("json", "not JSON", message=text[:300])
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("event"), str):
            self.violation("shape", "not an object with a string event", message=text[:300])
            return
        event = msg["event"]
        if self.stopped:
            self.violation("after-stop", "%s after stop" % event, event=event, message=text[:300])
        if event == "connected":
            self.on_connected(msg, text)
            return
        if not self.seen_connected:
            self.seen_connected = True  # report once, then check the rest as if it had come
            self.violation("sequence", "first message is %s, not connected" % event, event=event)
        if event in checks.EXPECTED_KEYS:
            self._report(checks.keys_problems(event, msg, checks.EXPECTED_KEYS[event]), event, text)
        seq, problems = checks.numeric_string("sequenceNumber", msg.get("sequenceNumber"))
        self._report(problems, event, text)
        if seq is not None:
            if seq != self.next_seq:
                self.violation("sequence", "sequenceNumber %d, expected %d" % (seq, self.next_seq), event=event)
            self.next_seq = seq + 1
        if event == "start":
            self.on_start(msg, text)
            return
        if self.start is None:
            self.violation("sequence", "%s before start" % event, event=event)
        elif msg.get("streamSid") != self.stream_sid:
            self.violation("value", "streamSid %r, start said %r" % (msg.get("streamSid"), self.stream_sid),
                           event=event)
        handler = {"media": self.on_media, "dtmf": self.on_dtmf, "mark": self.on_mark, "stop": self.on_stop}
        if event in handler:
            handler[event](msg, seq, text)
        else:
            self.violation("unknown-event", "event %r is not one Twilio sends" % event, event=event,
                           message=text[:300])

    def on_connected(self, msg, text):
        if self.seen_connected:
            self.violation("sequence", "connected again, or after another message", event="connected")
        self.seen_connected = True
        self._report(checks.keys_problems("connected", msg, checks.EXPECTED_KEYS["connected"]), "connected", text)
        if msg.get("protocol") != "Call" or not isinstance(msg.get("version"), str):
            self.violation("value", "connected is not protocol Call with a string version", event="connected")
        self.emit({"type": "connected", "protocol": msg.get("protocol"), "version": msg.get("version")})

    def on_start(self, msg, text):
        if self.start is not None:
            self.violation("sequence", "a second start", event="start")
            return
        start = msg.get("start")
        self._report(checks.check_start(start), "start", text)
        if not isinstance(start, dict):
            return
        self.start = start
        self.stream_sid = start.get("streamSid")
        if msg.get("streamSid") != self.stream_sid:
            self.violation("value", "top-level streamSid differs from start.streamSid", event="start")
        fmt = start.get("mediaFormat") if isinstance(start.get("mediaFormat"), dict) else {}
        if (fmt.get("encoding"), fmt.get("sampleRate")) in checks.ALLOWED_FORMATS:
            self.fmt = AudioFormat(fmt["encoding"], fmt["sampleRate"])
        self.detector = ToneDetector(self.fmt.sample_rate, self.args.listen or None)
        self.sine = SineGenerator(self.fmt.sample_rate)
        self.emit(dict({k: start.get(k) for k in checks.START_KEYS}, type="start",
                       sequenceNumber=msg.get("sequenceNumber")))

    def on_media(self, msg, seq, text):
        media = msg.get("media")
        self._report(checks.keys_problems("media", media, checks.MEDIA_KEYS), "media", text)
        if not isinstance(media, dict):
            return
        if media.get("track") != "inbound":
            self.violation("value", "media.track is %r, not inbound" % (media.get("track"),), event="media")
        chunk, problems = checks.numeric_string("media.chunk", media.get("chunk"))
        self._report(problems, "media", text)
        if chunk is not None:
            if chunk != self.last_chunk + 1:
                self.violation("chunk", "chunk %d after %d" % (chunk, self.last_chunk), event="media")
            self.last_chunk = chunk
        stamp, problems = checks.numeric_string("media.timestamp", media.get("timestamp"))
        self._report(problems, "media", text)
        if stamp is not None:
            if self.last_timestamp is not None and stamp != self.last_timestamp + 20:
                self.violation("timestamp", "timestamp %d after %d, not +20 ms" % (stamp, self.last_timestamp),
                               event="media", chunk=chunk)
            self.last_timestamp = stamp
        data, problems = checks.decode_payload("media.payload", media.get("payload"), self.fmt.bytes_per_frame())
        self._report(problems, "media", text[:300])
        if data is None:
            return
        self.media_frames += 1
        self.media_bytes += len(data)
        if self.media_frames == 1:
            self.emit({"type": "first_media", "chunk": chunk, "timestamp": stamp, "sequenceNumber": seq})
        if self.detector is not None:
            result = self.detector.feed(self.fmt.decode(data))
            if result is not None:
                self.on_tone_window(result, chunk, stamp)

    def on_tone_window(self, result, chunk, stamp):
        hz, share, dbfs = result
        candidate, count = self.pending_tone
        count = count + 1 if hz == candidate else 1
        self.pending_tone = (hz, count)
        needed = 2 if self.args.listen else 1  # two 20 ms hops agree, or one 100 ms scan
        if count >= needed and hz != self.tone:
            self.tone = hz
            self.tone_since_frame = self.media_frames
            self.replied_to_tone = False
            self.emit({"type": "tone" if hz else "silence", "hz": hz, "share": round(share, 3),
                       "dbfs": round(dbfs, 1), "chunk": chunk, "timestamp": stamp})
        if (self.args.auto_reply and self.tone and not self.replied_to_tone
                and self.media_frames - self.tone_since_frame >= AUTO_REPLY_AFTER_FRAMES):
            self.replied_to_tone = True
            self.emit({"type": "auto_reply", "heard": self.tone, "hz": self.args.auto_reply,
                       "ms": self.args.auto_reply_ms})
            self.command({"cmd": "say", "hz": self.args.auto_reply, "ms": self.args.auto_reply_ms})
            self.command({"cmd": "mark", "name": "reply-done"})

    def on_dtmf(self, msg, seq, text):
        dtmf = msg.get("dtmf")
        self._report(checks.check_dtmf(dtmf), "dtmf", text)
        if isinstance(dtmf, dict):
            self.emit({"type": "dtmf", "digit": dtmf.get("digit"), "track": dtmf.get("track"),
                       "sequenceNumber": seq})

    def on_mark(self, msg, seq, text):
        mark = msg.get("mark")
        self._report(checks.keys_problems("mark", mark, ["name"]), "mark", text)
        name = mark.get("name") if isinstance(mark, dict) else None
        now = time.monotonic_ns()
        names = [m[0] for m in self.pending_marks]
        if name not in names:
            self.violation("mark", "echo of mark %r the bot did not send (or already echoed)" % (name,))
            self.emit({"type": "mark", "name": name, "sequenceNumber": seq, "known": False})
            return
        index = names.index(name)
        if index != 0:
            self.violation("mark", "mark %r echoed before %r, sent earlier" % (name, names[0]))
        _, sent_ns, due_ns, cleared = self.pending_marks.pop(index)
        due_in_ms = (due_ns - now) / 1e6
        if not cleared and due_ns - now > MARK_EARLY_TOLERANCE_NS:
            self.violation("mark", "mark %r echoed %.0f ms before its audio could have played" % (name, due_in_ms))
        self.emit({"type": "mark", "name": name, "sequenceNumber": seq, "known": True, "cleared": cleared,
                   "sinceSentMs": round((now - sent_ns) / 1e6, 1), "dueInMs": round(due_in_ms, 1)})

    def on_stop(self, msg, seq, text):
        stop = msg.get("stop")
        self._report(checks.check_stop(stop, self.start), "stop", text)
        self.stopped = True
        stop = stop if isinstance(stop, dict) else {}
        self.emit({"type": "stop", "accountSid": stop.get("accountSid"), "callSid": stop.get("callSid"),
                   "sequenceNumber": seq, "mediaFrames": self.media_frames, "mediaBytes": self.media_bytes,
                   "pendingMarks": [m[0] for m in self.pending_marks]})

    # ----- commands (stdin thread, and auto-reply from the reading thread)

    def command(self, cmd):
        name = cmd.get("cmd")
        if name == "stall":
            if "rcvbuf" in cmd:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(cmd["rcvbuf"]))
            self.reading.clear()
            self.emit({"type": "stalled"})
        elif name == "resume":
            self.reading.set()
            self.emit({"type": "resumed"})
        elif name == "stats":
            self.emit({"type": "stats", "mediaFrames": self.media_frames, "mediaBytes": self.media_bytes,
                       "violations": self.violations, "messages": self.messages, "tone": self.tone,
                       "pendingMarks": [m[0] for m in self.pending_marks]})
        elif name == "clear":
            self.generation += 1  # stops a say in progress at its next frame, like a bot's own barge-in
            self.outbox.put(cmd)
        elif name in ("say", "mark", "hangup", "close", "raw", "oversized", "ping"):
            self.outbox.put(dict(cmd, generation=self.generation))
        else:
            self.emit({"type": "error", "cmd": name, "detail": "unknown command"})

    def _send_loop(self):
        while True:
            cmd = self.outbox.get()
            if cmd is None or self.finished:
                return
            try:
                self._send(cmd)
            except OSError as e:
                self.emit({"type": "error", "cmd": cmd.get("cmd"), "detail": "send failed: %s" % e})

    def _json(self, obj):
        return json.dumps(obj, separators=(",", ":"))

    def _send(self, cmd):
        name = cmd["cmd"]
        sid = self.stream_sid
        if name == "say":
            self._say(cmd)
        elif name == "mark":
            # Recorded before sending: a fast echo must find it (the same for clear below).
            now = time.monotonic_ns()
            self.pending_marks.append([cmd["name"], now, max(now, self.play_end_ns), False])
            self.ws.send_text(self._json({"event": "mark", "streamSid": sid, "mark": {"name": cmd["name"]}}))
            self.emit({"type": "sent", "what": "mark", "name": cmd["name"]})
        elif name == "clear":
            self.play_end_ns = time.monotonic_ns()
            for mark in self.pending_marks:
                mark[3] = True
            self.ws.send_text(self._json({"event": "clear", "streamSid": sid}))
            self.emit({"type": "sent", "what": "clear"})
        elif name == "hangup":
            self.ws.send_text(self._json({"event": cmd.get("event", "hangup"), "streamSid": sid,
                                          "reason": cmd.get("reason", "")}))
            self.emit({"type": "sent", "what": "hangup", "event": cmd.get("event", "hangup")})
        elif name == "close":
            self.ws.close(int(cmd.get("code", 1000)), cmd.get("reason", ""))
            self.emit({"type": "sent", "what": "close", "code": int(cmd.get("code", 1000))})
        elif name == "raw":
            self.ws.send_text(cmd.get("text", ""), int(cmd.get("fragments", 1)))
            self.emit({"type": "sent", "what": "raw", "chars": len(cmd.get("text", ""))})
        elif name == "oversized":
            size = int(cmd.get("bytes", 2_000_000))
            head = self._json({"event": "media", "streamSid": sid, "media": {"payload": ""}})
            payload = "/" * (4 * ((size - len(head)) // 4))  # base64 of 0xFF bytes: mu-law silence
            self.ws.send_text(head.replace('"payload":""', '"payload":"%s"' % payload))
            self.emit({"type": "sent", "what": "oversized", "chars": len(head) + len(payload)})
        elif name == "ping":
            self.ws.send(OP_PING, cmd.get("data", "").encode("utf-8"))
            self.emit({"type": "sent", "what": "ping"})

    def _say(self, cmd):
        if self.sine is None:
            self.sine = SineGenerator(self.fmt.sample_rate)
        hz, ms = float(cmd.get("hz", 1000)), int(cmd.get("ms", 1000))
        frame_ms = int(cmd.get("frameMs", 20))
        realtime = bool(cmd.get("realtime", False))
        amplitude = float(cmd.get("amp", self.args.amplitude))
        frames = max(1, ms // frame_ms)
        per_frame = self.fmt.sample_rate * frame_ms // 1000
        sent = 0
        start_ns = time.monotonic_ns()
        for i in range(frames):
            if cmd["generation"] != self.generation:
                break
            if realtime:
                delay = start_ns + i * frame_ms * 1_000_000 - time.monotonic_ns()
                if delay > 0:
                    time.sleep(delay / 1e9)  # pacing our own output, not waiting for a condition
            payload = base64.b64encode(self.fmt.encode(self.sine.samples(hz, per_frame, amplitude))).decode("ascii")
            self.ws.send_text(self._json({"event": "media", "streamSid": self.stream_sid,
                                          "media": {"payload": payload}}))
            now = time.monotonic_ns()
            self.play_end_ns = max(self.play_end_ns, now) + frame_ms * 1_000_000
            sent += 1
        self.emit({"type": "sent", "what": "say", "hz": cmd.get("hz", 1000), "frames": sent, "frameMs": frame_ms,
                   "cancelled": sent < frames, "realtime": realtime})
