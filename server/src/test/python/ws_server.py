"""A small RFC 6455 WebSocket server side, by hand: the HTTP upgrade, masked client frames, fragmented text,
ping/pong and the closing handshake. Every deviation from the RFC by the client is handed to `on_violation`
instead of being silently fixed, because the client under test is the thing being checked.
"""

import base64
import hashlib
import socket
import threading

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

MAX_MESSAGE = 64 * 1024 * 1024


class ClosedError(Exception):
    """The peer went away (EOF or reset) before a close frame."""


def accept_key(key):
    return base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")


def _unmask(data, mask):
    n = len(data)
    if n == 0:
        return data
    # One big-int XOR instead of a per-byte loop: the payloads here reach megabytes.
    repeated = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload, fin=True):
    """A server frame: never masked (section 5.1)."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(n)
    elif n < 65536:
        head.append(126)
        head += n.to_bytes(2, "big")
    else:
        head.append(127)
        head += n.to_bytes(8, "big")
    return bytes(head) + payload


class WebSocketConnection:
    """One accepted client. `read_message` returns ('text'|'binary', payload) or ('close', (code, reason))."""

    def __init__(self, sock, on_violation, on_pong):
        self.sock = sock
        self.on_violation = on_violation
        self.on_pong = on_pong
        self.send_lock = threading.Lock()
        self.close_sent = False
        self.path = None
        self.headers = {}
        self._buffer = b""

    def _recv_exact(self, n):
        while len(self._buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                raise ClosedError()
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def handshake(self):
        """Reads the upgrade request and answers 101; returns False (after a 400) when it is not one."""
        while b"\r\n\r\n" not in self._buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ClosedError()
            self._buffer += chunk
            if len(self._buffer) > 65536:
                break
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        self.path = parts[1] if len(parts) >= 2 else None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        problems = []
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            problems.append("request line is not 'GET <path> HTTP/1.1': " + lines[0])
        if self.headers.get("upgrade", "").lower() != "websocket":
            problems.append("Upgrade header is not websocket")
        if "upgrade" not in [t.strip().lower() for t in self.headers.get("connection", "").split(",")]:
            problems.append("Connection header lacks upgrade")
        if self.headers.get("sec-websocket-version") != "13":
            problems.append("Sec-WebSocket-Version is not 13")
        key = self.headers.get("sec-websocket-key", "")
        try:
            key_ok = len(base64.b64decode(key, validate=True)) == 16
        except ValueError:
            key_ok = False
        if not key_ok:
            problems.append("Sec-WebSocket-Key is not 16 bytes of base64")
        if problems:
            for p in problems:
                self.on_violation("handshake", p)
            self.sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return False
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: " + accept_key(key) + "\r\n\r\n").encode("ascii"))
        return True

    def _read_frame(self):
        b0, b1 = self._recv_exact(2)
        fin, rsv, opcode = b0 & 0x80, b0 & 0x70, b0 & 0x0F
        masked, n = b1 & 0x80, b1 & 0x7F
        if rsv:
            self.on_violation("frame", "RSV bits set without a negotiated extension")
        if n == 126:
            n = int.from_bytes(self._recv_exact(2), "big")
        elif n == 127:
            n = int.from_bytes(self._recv_exact(8), "big")
        if n > MAX_MESSAGE:
            self.on_violation("frame", "frame of %d bytes" % n)
            raise ClosedError()
        if not masked:
            self.on_violation("frame", "client frame not masked (RFC 6455 section 5.1)")
            payload = self._recv_exact(n)
        else:
            mask = self._recv_exact(4)
            payload = _unmask(self._recv_exact(n), mask)
        return bool(fin), opcode, payload

    def read_message(self):
        fragments = None
        first_opcode = None
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode >= 0x8:
                if not fin or len(payload) > 125:
                    self.on_violation("frame", "control frame fragmented or over 125 bytes")
                if opcode == OP_PING:
                    self.send(OP_PONG, payload)
                elif opcode == OP_PONG:
                    self.on_pong(payload)
                elif opcode == OP_CLOSE:
                    code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                    reason = payload[2:].decode("utf-8", "replace")
                    if len(payload) == 1:
                        self.on_violation("frame", "close frame with a 1-byte body")
                    self.close(code if code is not None else 1000, "")
                    return "close", (code, reason)
                else:
                    self.on_violation("frame", "reserved control opcode %d" % opcode)
                continue
            if opcode == OP_CONTINUATION:
                if fragments is None:
                    self.on_violation("frame", "continuation frame with no message to continue")
                    continue
                fragments.append(payload)
            elif opcode in (OP_TEXT, OP_BINARY):
                if fragments is not None:
                    self.on_violation("frame", "new data frame inside a fragmented message")
                fragments = [payload]
                first_opcode = opcode
            else:
                self.on_violation("frame", "reserved data opcode %d" % opcode)
                continue
            if fin:
                data = b"".join(fragments)
                if first_opcode == OP_BINARY:
                    return "binary", data
                try:
                    return "text", data.decode("utf-8")
                except UnicodeDecodeError:
                    self.on_violation("frame", "text message is not valid UTF-8")
                    return "text", data.decode("utf-8", "replace")

    def send(self, opcode, payload, fin=True):
        with self.send_lock:
            self.sock.sendall(encode_frame(opcode, payload, fin))

    def send_text(self, text, fragments=1):
        data = text.encode("utf-8")
        if fragments <= 1:
            self.send(OP_TEXT, data)
            return
        size = max(1, -(-len(data) // fragments))
        pieces = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
        with self.send_lock:
            for i, piece in enumerate(pieces):
                opcode = OP_TEXT if i == 0 else OP_CONTINUATION
                self.sock.sendall(encode_frame(opcode, piece, fin=(i == len(pieces) - 1)))

    def close(self, code=1000, reason=""):
        """Sends our close frame once; the peer's answer arrives through read_message."""
        with self.send_lock:
            if self.close_sent:
                return
            self.close_sent = True
            try:
                self.sock.sendall(encode_frame(OP_CLOSE, code.to_bytes(2, "big") + reason.encode("utf-8")))
            except OSError:
                pass

    def shutdown(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
