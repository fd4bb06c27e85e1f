#!/usr/bin/env python3
"""A voice bot that speaks Twilio's Media Streams protocol (the bot's side of a bidirectional stream), for tests.

It listens for WebSocket connections on 127.0.0.1, checks every message the caller's side sends against Twilio's
documented shapes, reports what it hears as one JSON object per stdout line, and acts on JSON commands read from
stdin. Standard library only: CI has no package index. The fixtures it checks against, with their sources, are in
server/src/test/resources/mediastreams/.

usage: media_streams_bot.py --port 0 [--listen-hz 440,660] [--auto-reply HZ [--auto-reply-ms 1000]]
                            [--ignore-order] [--amplitude 0.3]

stdout: first the plain line "LISTENING <port>", then JSON lines, each with "type", "t" (monotonic seconds),
"tNs" (monotonic ns, the clock of Java's System.nanoTime on Linux) and, per connection, "conn" and "streamSid":
  ready {port, pid} | connection {path} | connected {protocol, version}
  start {accountSid, streamSid, callSid, tracks, mediaFormat, customParameters, sequenceNumber}
  first_media {chunk, timestamp, sequenceNumber}
  tone {hz, share, dbfs, chunk, timestamp} | silence {hz: 0, ...}       once per change of the dominant tone
  dtmf {digit, track, sequenceNumber}
  mark {name, sequenceNumber, known, cleared, sinceSentMs, dueInMs}     an echo of the bot's mark
  stop {accountSid, callSid, sequenceNumber, mediaFrames, mediaBytes, pendingMarks}
  closed {code, reason, by: peer|bot|eof|bad-handshake, mediaFrames, violations}
  violation {kind, detail, [event], [message]}    kinds: handshake frame json shape missing unexpected order
                                                  type value sequence chunk timestamp payload mark after-stop
                                                  unknown-event
  sent {what: say|mark|clear|hangup|close|raw|oversized|ping, ...} | auto_reply {heard, hz, ms}
  stats {...} | stalled | resumed | pong {data} | error {detail}
stdin: one JSON command a line, each with "streamSid" (or "*" for the latest started call, or "conn": n):
  {"cmd":"say","hz":1000,"ms":2000,"realtime":false,"frameMs":20,"amp":0.3}   a sine in media messages
  {"cmd":"mark","name":"m1"}  {"cmd":"clear"} (also stops a say in progress)  {"cmd":"ping","data":"x"}
  {"cmd":"hangup","event":"hangup","reason":"done"}  sends {"event":..,"streamSid":..,"reason":..}
  {"cmd":"close","code":1000,"reason":""}  {"cmd":"raw","text":"...","fragments":1}
  {"cmd":"oversized","bytes":2000000}  {"cmd":"stall","rcvbuf":4096}  {"cmd":"resume"}  {"cmd":"stats"}
  {"cmd":"exit"}; the bot also exits when stdin ends.
"""

import argparse
import json
import socket
import sys
import threading
import time

from bot_session import BotSession, Output


class Bot:
    def __init__(self, args, out):
        self.args = args
        self.out = out
        self.lock = threading.Lock()
        self.sessions = []
        self.next_id = 1

    def serve(self, server_socket):
        while True:
            try:
                sock, _ = server_socket.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                session = BotSession(self.next_id, sock, self.args, self.out)
                self.next_id += 1
                self.sessions.append(session)
            threading.Thread(target=session.run, name="conn-%d" % session.conn_id, daemon=True).start()

    def find(self, target):
        """streamSid, "*" (the latest connection that sent start, else the latest), or a connection number."""
        with self.lock:
            sessions = list(self.sessions)
        if target in (None, "*"):
            started = [s for s in sessions if s.stream_sid is not None and not s.finished]
            live = started or [s for s in sessions if not s.finished]
            return live[-1] if live else None
        if isinstance(target, int):
            return next((s for s in sessions if s.conn_id == target), None)
        return next((s for s in reversed(sessions) if s.stream_sid == target), None)

    def command(self, line):
        try:
            cmd = json.loads(line)
        except ValueError:
            self.out.emit({"type": "error", "detail": "command is not JSON: " + line[:200]})
            return
        if not isinstance(cmd, dict) or "cmd" not in cmd:
            self.out.emit({"type": "error", "detail": "command lacks cmd: " + line[:200]})
            return
        if cmd["cmd"] == "exit":
            self.out.emit({"type": "exit"})
            raise SystemExit(0)
        session = self.find(cmd.get("streamSid", cmd.get("conn", "*")))
        if session is None:
            self.out.emit({"type": "error", "cmd": cmd["cmd"], "detail": "no such connection"})
            return
        session.command(cmd)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--listen-hz", default="", help="candidate tone frequencies, e.g. 440,660 (else a scan)")
    parser.add_argument("--auto-reply", type=int, default=0, metavar="HZ",
                        help="after hearing a caller's tone for 300 ms, answer with HZ for 1 s and mark reply-done")
    parser.add_argument("--auto-reply-ms", type=int, default=1000)
    parser.add_argument("--ignore-order", action="store_true", help="do not report JSON key order deviations")
    parser.add_argument("--amplitude", type=float, default=0.3, help="peak of generated tones, 0..1 of full scale")
    args = parser.parse_args()
    args.listen = [int(x) for x in args.listen_hz.split(",") if x.strip()]

    out = Output(sys.stdout)
    server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server_socket.bind(("127.0.0.1", args.port))
    server_socket.listen(64)
    port = server_socket.getsockname()[1]
    out.raw("LISTENING %d" % port)
    out.emit({"type": "ready", "port": port, "pid": _pid()})

    bot = Bot(args, out)
    threading.Thread(target=bot.serve, args=(server_socket,), name="accept", daemon=True).start()
    # stdin's end means the test that started us is gone: exit rather than linger as an orphan.
    for line in sys.stdin:
        line = line.strip()
        if line:
            try:
                bot.command(line)
            except SystemExit:
                break
    server_socket.close()
    time.sleep(0.05)  # lets a just-queued close frame leave before the daemon threads die with us


def _pid():
    import os
    return os.getpid()


if __name__ == "__main__":
    main()
