"""Self-test of the Media Streams test bot: run with `python3 -m unittest -v` in this directory.

Starts the bot as a process, plays the caller's side with a tiny WebSocket client built from Twilio's documented
messages (the fixtures in ../resources/mediastreams), and checks the bot's stdout lines.
"""

import base64
import copy
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

import stream_audio
from ws_server import accept_key, encode_frame

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "resources", "mediastreams")
TIMEOUT = 20.0  # generous: the build machine is shared


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return json.load(f)


class BotProcess:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "media_streams_bot.py"), "--port", "0"]
                                     + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        first = self.proc.stdout.readline().split()
        assert first[0] == "LISTENING", first
        self.port = int(first[1])
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(json.loads(line))
                self.cond.notify_all()

    def send(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + TIMEOUT
        with self.cond:
            while True:
                found = [line for line in self.lines if predicate(line)]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no line %s within %ss; lines: %s" % (what, TIMEOUT, self.lines[-30:]))
                self.cond.wait(left)

    def of_type(self, kind):
        with self.cond:
            return [line for line in self.lines if line["type"] == kind]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class CallerClient:
    """The caller's side (what wavoice is): masked frames out, unmasked frames in."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /stream?x=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           % (port, key)).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        assert ("Sec-WebSocket-Accept: " + accept_key(key)).encode() in head, head
        self.seq = 0
        self.chunk = 0
        self.timestamp = 0

    def frame(self, opcode, payload, fin=True):
        mask = os.urandom(4)
        plain = encode_frame(opcode, payload, fin)
        head_len = len(plain) - len(payload)
        head = bytearray(plain[:head_len])
        head[1] |= 0x80
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(head) + mask + masked)

    def send(self, obj):
        self.frame(0x1, json.dumps(obj).encode())

    def _exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError()
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self):
        """Next (opcode, payload) from the bot."""
        b0, b1 = self._exact(2)
        assert not b1 & 0x80, "server frames must not be masked"
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(self._exact(2), "big")
        elif n == 127:
            n = int.from_bytes(self._exact(8), "big")
        return b0 & 0x0F, self._exact(n)

    def receive_json(self):
        while True:
            opcode, payload = self.receive()
            if opcode == 0x1:
                return json.loads(payload)

    def begin(self, start_fixture="start.json"):
        self.send(fixture("connected.json"))
        start = fixture(start_fixture)
        self.seq = 1
        self.send(start)
        return start["start"]["streamSid"]

    def media(self, payload_bytes, sid):
        self.seq += 1
        self.chunk += 1
        message = fixture("media.json")
        message["sequenceNumber"] = str(self.seq)
        message["media"]["chunk"] = str(self.chunk)
        message["media"]["timestamp"] = str(self.timestamp)
        message["media"]["payload"] = base64.b64encode(payload_bytes).decode()
        message["streamSid"] = sid
        self.timestamp += 20
        self.send(message)

    def tone(self, hz, ms, sid, fmt=stream_audio.MULAW_8K):
        sine = stream_audio.SineGenerator(fmt.sample_rate)
        for _ in range(ms // 20):
            self.media(fmt.encode(sine.samples(hz, fmt.sample_rate // 50, 0.3)), sid)

    def numbered(self, fixture_name, sid, **overrides):
        self.seq += 1
        message = fixture(fixture_name)
        message["sequenceNumber"] = str(self.seq)
        message["streamSid"] = sid
        for key, value in overrides.items():
            message[fixture_name.split(".")[0]][key] = value
        return message

    def close(self):
        self.sock.close()


class MediaStreamsBotTest(unittest.TestCase):
    def setUp(self):
        self.bot = BotProcess("--listen-hz", "440,660,880")
        self.client = CallerClient(self.bot.port)

    def tearDown(self):
        self.client.close()
        self.bot.close()

    def begin(self, start_fixture="start.json"):
        sid = self.client.begin(start_fixture)
        self.bot.wait_for(lambda l: l["type"] == "start", "start")
        return sid

    def violations(self):
        return self.bot.of_type("violation")

    def test_accept_key_matches_rfc6455_example(self):
        self.assertEqual("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", accept_key("dGhlIHNhbXBsZSBub25jZQ=="))

    def test_g711_mulaw_reference_points(self):
        self.assertEqual([0xFF, 0x7F, 0x80, 0x00], list(stream_audio.mulaw_encode([0, -1, 32767, -32768])))
        self.assertEqual([0, -32124, 32124], stream_audio.mulaw_decode(bytes([0xFF, 0x00, 0x80])))

    def test_documented_messages_are_reported_without_violations(self):
        sid = self.begin()
        start = self.bot.wait_for(lambda l: l["type"] == "start", "start")
        self.assertEqual(sid, start["streamSid"])
        self.assertEqual({"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}, start["mediaFormat"])
        self.assertEqual("Jane", start["customParameters"]["FirstName"])
        self.client.tone(440, 300, sid)
        tone = self.bot.wait_for(lambda l: l["type"] == "tone", "tone")
        self.assertEqual(440, tone["hz"])
        self.client.send(self.client.numbered("dtmf.json", sid))
        self.assertEqual("inbound_track", self.bot.wait_for(lambda l: l["type"] == "dtmf", "dtmf")["track"])
        self.client.send(self.client.numbered("stop.json", sid))
        stop = self.bot.wait_for(lambda l: l["type"] == "stop", "stop")
        self.assertEqual(15, stop["mediaFrames"])
        self.assertEqual([], self.violations())

    def test_wideband_extension_detects_a_tone_in_l16(self):
        sid = self.begin("start-l16-16k.json")
        self.client.tone(660, 300, sid, stream_audio.AudioFormat("audio/x-l16", 16000))
        self.assertEqual(660, self.bot.wait_for(lambda l: l["type"] == "tone", "tone")["hz"])
        self.assertEqual([], self.violations())

    def test_said_tone_and_mark_come_back_in_documented_shapes(self):
        sid = self.begin()
        self.bot.send(cmd="say", hz=880, ms=100, streamSid=sid)
        self.bot.send(cmd="mark", name="m1", streamSid=sid)
        sent = [self.client.receive_json() for _ in range(6)]
        shape = fixture("bot-media.json")
        for media in sent[:5]:
            self.assertEqual(list(shape), list(media))
            self.assertEqual(list(shape["media"]), list(media["media"]))
            samples = stream_audio.mulaw_decode(base64.b64decode(media["media"]["payload"]))
            self.assertEqual(160, len(samples))
        detector = stream_audio.ToneDetector(8000, [440, 880])
        heard = detector.evaluate(stream_audio.mulaw_decode(
            b"".join(base64.b64decode(m["media"]["payload"]) for m in sent[:5])))
        self.assertEqual(880, heard[0])
        self.assertEqual({"event": "mark", "streamSid": sid, "mark": {"name": "m1"}}, sent[5])
        self.assertEqual(list(fixture("bot-mark.json")), list(sent[5]))
        time.sleep(0.12)  # the caller's side plays the 100 ms before echoing, as Twilio does
        self.client.send(self.client.numbered("mark.json", sid, name="m1"))
        mark = self.bot.wait_for(lambda l: l["type"] == "mark", "mark")
        self.assertEqual(("m1", True, False), (mark["name"], mark["known"], mark["cleared"]))
        self.assertEqual([], self.violations())

    def test_mark_echoed_before_its_audio_played_is_a_violation(self):
        sid = self.begin()
        self.bot.send(cmd="say", hz=880, ms=2000, streamSid=sid)
        self.bot.send(cmd="mark", name="late", streamSid=sid)
        self.bot.wait_for(lambda l: l["type"] == "sent" and l["what"] == "mark", "mark sent")
        self.client.send(self.client.numbered("mark.json", sid, name="late"))
        self.assertIn("before its audio", self.bot.wait_for(lambda l: l["type"] == "violation", "violation")["detail"])

    def test_clear_is_sent_and_marks_echoed_after_it_count_as_cleared(self):
        sid = self.begin()
        self.bot.send(cmd="say", hz=880, ms=2000, streamSid=sid)
        self.bot.send(cmd="mark", name="m2", streamSid=sid)
        self.bot.wait_for(lambda l: l["type"] == "sent" and l["what"] == "mark", "mark sent")
        self.bot.send(cmd="clear", streamSid=sid)
        messages = [self.client.receive_json() for _ in range(102)]
        self.assertEqual(["media"] * 100 + ["mark"], [m["event"] for m in messages[:101]])
        self.assertEqual({"event": "clear", "streamSid": sid}, messages[-1])
        self.assertEqual(list(fixture("bot-clear.json")), list(messages[-1]))
        self.client.send(self.client.numbered("mark.json", sid, name="m2"))
        mark = self.bot.wait_for(lambda l: l["type"] == "mark", "mark")
        self.assertTrue(mark["cleared"])
        self.assertEqual([], self.violations())

    def test_clear_stops_a_realtime_say_at_its_next_frame(self):
        sid = self.begin()
        self.bot.send(cmd="say", hz=880, ms=5000, realtime=True, streamSid=sid)
        for _ in range(3):
            self.assertEqual("media", self.client.receive_json()["event"])
        self.bot.send(cmd="clear", streamSid=sid)
        while (message := self.client.receive_json())["event"] == "media":
            pass
        self.assertEqual("clear", message["event"])
        said = self.bot.wait_for(lambda l: l["type"] == "sent" and l["what"] == "say", "say sent")
        self.assertTrue(said["cancelled"])
        self.assertLess(said["frames"], 250)

    def test_scan_finds_a_tone_not_in_any_list(self):
        sine = stream_audio.SineGenerator(8000)
        detector = stream_audio.ToneDetector(8000)
        heard = [detector.feed(sine.samples(1230, 160, 0.3)) for _ in range(10)]
        self.assertEqual(1230, heard[-1][0])

    def test_malformed_media_is_a_violation(self):
        sid = self.begin()
        bad = self.client.numbered("media.json", sid, chunk=1, payload=base64.b64encode(b"\xff" * 100).decode())
        self.client.send(bad)
        self.bot.wait_for(lambda l: l["type"] == "violation" and l["kind"] == "payload", "payload violation")
        self.bot.wait_for(lambda l: l["type"] == "violation" and "chunk" in l["detail"] and l["kind"] == "type",
                          "chunk type violation")

    def test_sequence_gap_bad_json_and_unknown_event_are_violations(self):
        sid = self.begin()
        self.client.seq += 1
        self.client.tone(440, 20, sid)
        self.bot.wait_for(lambda l: l["type"] == "violation" and l["kind"] == "sequence", "sequence violation")
        self.client.frame(0x1, b"{not json")
        self.bot.wait_for(lambda l: l["type"] == "violation" and l["kind"] == "json", "json violation")
        self.client.send({"event": "bogus", "sequenceNumber": str(self.client.seq + 1), "streamSid": sid})
        self.bot.wait_for(lambda l: l["type"] == "violation" and l["kind"] == "unknown-event", "unknown event")

    def test_fragmented_text_with_a_ping_between_fragments(self):
        data = json.dumps(fixture("connected.json")).encode()
        self.client.frame(0x1, data[:10], fin=False)
        self.client.frame(0x9, b"hi")
        self.client.frame(0x0, data[10:20], fin=False)
        self.client.frame(0x0, data[20:], fin=True)
        self.assertEqual((0xA, b"hi"), self.client.receive())
        self.assertEqual("Call", self.bot.wait_for(lambda l: l["type"] == "connected", "connected")["protocol"])
        self.assertEqual([], self.violations())

    def test_hangup_and_close_commands(self):
        sid = self.begin()
        self.bot.send(cmd="hangup", event="hangup", reason="done", streamSid="*")
        self.assertEqual({"event": "hangup", "streamSid": sid, "reason": "done"}, self.client.receive_json())
        self.bot.send(cmd="close", code=1000)
        opcode, payload = self.client.receive()
        self.assertEqual((0x8, 1000), (opcode, int.from_bytes(payload[:2], "big")))
        self.client.frame(0x8, payload[:2])
        closed = self.bot.wait_for(lambda l: l["type"] == "closed", "closed")
        self.assertEqual((1000, "bot"), (closed["code"], closed["by"]))


class ManyConnectionsTest(unittest.TestCase):
    def setUp(self):
        self.bot = BotProcess("--listen-hz", "440,660")
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.close()
        self.bot.close()

    def call(self, sid):
        client = CallerClient(self.bot.port)
        self.clients.append(client)
        client.send(fixture("connected.json"))
        start = fixture("start.json")
        start["streamSid"] = start["start"]["streamSid"] = sid
        client.seq = 1
        client.send(start)
        self.bot.wait_for(lambda l: l["type"] == "start" and l["streamSid"] == sid, "start of " + sid)
        return client

    def test_two_calls_at_once_are_told_apart_by_stream_sid(self):
        first, second = self.call("MZ" + "1" * 32), self.call("MZ" + "2" * 32)
        first.tone(440, 200, "MZ" + "1" * 32)
        second.tone(660, 200, "MZ" + "2" * 32)
        tone = lambda sid: self.bot.wait_for(lambda l: l["type"] == "tone" and l["streamSid"] == sid, "tone")
        self.assertEqual((440, 660), (tone("MZ" + "1" * 32)["hz"], tone("MZ" + "2" * 32)["hz"]))
        self.bot.send(cmd="hangup", reason="first only", streamSid="MZ" + "1" * 32)
        self.assertEqual("first only", first.receive_json()["reason"])
        self.bot.send(cmd="raw", text="{broken", streamSid="*")
        self.assertEqual((0x1, b"{broken"), second.receive())
        self.assertEqual([], self.bot.of_type("violation"))

    def test_oversized_media_and_stalled_reading(self):
        sid = "MZ" + "3" * 32
        client = self.call(sid)
        self.bot.send(cmd="oversized", bytes=300000)
        opcode, payload = client.receive()
        self.assertEqual(0x1, opcode)
        self.assertGreater(len(payload), 299000)
        self.assertEqual("media", json.loads(payload)["event"])
        self.bot.send(cmd="stall")
        self.bot.wait_for(lambda l: l["type"] == "stalled", "stalled")
        client.tone(440, 100, sid)
        self.bot.send(cmd="stats")
        self.assertLessEqual(self.bot.wait_for(lambda l: l["type"] == "stats", "stats")["mediaFrames"], 1)
        client.send(client.numbered("dtmf.json", sid))
        self.bot.send(cmd="resume")
        self.bot.wait_for(lambda l: l["type"] == "dtmf", "the dtmf sent after the media")
        self.bot.send(cmd="stats")
        self.bot.wait_for(lambda l: l["type"] == "stats" and l["mediaFrames"] == 5, "all five frames read")


class AutoReplyTest(unittest.TestCase):
    def test_answers_a_held_tone_with_its_own_and_a_mark(self):
        bot = BotProcess("--listen-hz", "440,880", "--auto-reply", "880", "--auto-reply-ms", "200")
        client = CallerClient(bot.port)
        try:
            sid = client.begin()
            client.tone(440, 600, sid)
            bot.wait_for(lambda l: l["type"] == "auto_reply", "auto_reply")
            replies = [client.receive_json() for _ in range(11)]
            self.assertEqual(["media"] * 10 + ["mark"], [m["event"] for m in replies])
            self.assertEqual("reply-done", replies[-1]["mark"]["name"])
            heard = stream_audio.ToneDetector(8000, [440, 880]).evaluate(stream_audio.mulaw_decode(
                b"".join(base64.b64decode(m["media"]["payload"]) for m in replies[5:10])))
            self.assertEqual(880, heard[0])
        finally:
            client.close()
            bot.close()


if __name__ == "__main__":
    unittest.main()
