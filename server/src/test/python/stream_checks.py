"""What a Media Streams sender must send, per Twilio's "Media Streams - WebSocket Messages" page
(https://www.twilio.com/docs/voice/media-streams/websocket-messages), checked message by message.

Each check returns a list of (kind, detail) problems; the bot prints each as a violation line.
"""

import base64
import binascii

# Exact key sets, in the order Twilio's examples show them; a key outside the set is a deviation too.
EXPECTED_KEYS = {
    "connected": ["event", "protocol", "version"],
    "start": ["event", "sequenceNumber", "start", "streamSid"],
    "media": ["event", "sequenceNumber", "media", "streamSid"],
    "dtmf": ["event", "streamSid", "sequenceNumber", "dtmf"],
    "mark": ["event", "sequenceNumber", "streamSid", "mark"],
    "stop": ["event", "sequenceNumber", "stop", "streamSid"],
}
START_KEYS = ["accountSid", "streamSid", "callSid", "tracks", "mediaFormat", "customParameters"]
MEDIA_KEYS = ["track", "chunk", "timestamp", "payload"]
DTMF_KEYS = ["track", "digit"]
STOP_KEYS = ["accountSid", "callSid"]
DTMF_DIGITS = set("0123456789*#ABCD")

# audio/x-mulaw 8000 is Twilio's only format; audio/x-l16 at 16000 or 24000 is wavoice's opt-in extension.
ALLOWED_FORMATS = {("audio/x-mulaw", 8000), ("audio/x-l16", 16000), ("audio/x-l16", 24000)}


def keys_problems(where, obj, expected):
    if not isinstance(obj, dict):
        return [("shape", "%s is not an object" % where)]
    problems = []
    missing = [k for k in expected if k not in obj]
    extra = [k for k in obj if k not in expected]
    if missing:
        problems.append(("missing", "%s lacks %s" % (where, ", ".join(missing))))
    if extra:
        problems.append(("unexpected", "%s has undocumented %s" % (where, ", ".join(extra))))
    present = [k for k in obj if k in expected]
    if not missing and present != expected:
        problems.append(("order", "%s keys in order %s, Twilio's is %s" % (where, present, expected)))
    return problems


def numeric_string(where, value):
    """Twilio sends sequenceNumber, chunk and timestamp as decimal strings, not JSON numbers."""
    if not isinstance(value, str):
        return None, [("type", "%s is %s, not a string" % (where, type(value).__name__))]
    if not value.isdigit() or (len(value) > 1 and value[0] == "0"):
        return None, [("type", "%s is %r, not a decimal string" % (where, value))]
    return int(value), []


def string_field(where, value):
    if not isinstance(value, str) or not value:
        return [("type", "%s is %r, not a non-empty string" % (where, value))]
    return []


def check_start(start):
    problems = keys_problems("start", start, START_KEYS)
    if not isinstance(start, dict):
        return problems
    for key in ("accountSid", "streamSid", "callSid"):
        if key in start:
            problems += string_field("start." + key, start[key])
    tracks = start.get("tracks")
    if not isinstance(tracks, list) or not tracks or not all(isinstance(t, str) for t in tracks):
        problems.append(("type", "start.tracks is %r, not a list of strings" % (tracks,)))
    elif tracks != ["inbound"]:
        problems.append(("value", "start.tracks is %r; a bidirectional stream carries only inbound" % (tracks,)))
    params = start.get("customParameters")
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        problems.append(("type", "start.customParameters is %r, not an object of strings" % (params,)))
    fmt = start.get("mediaFormat")
    problems += keys_problems("start.mediaFormat", fmt, ["encoding", "sampleRate", "channels"])
    if isinstance(fmt, dict):
        rate = fmt.get("sampleRate")
        if not isinstance(rate, int) or isinstance(rate, bool):
            problems.append(("type", "start.mediaFormat.sampleRate is %r, not a JSON integer" % (rate,)))
        if (fmt.get("encoding"), rate) not in ALLOWED_FORMATS:
            problems.append(("value", "start.mediaFormat %r is neither mulaw/8000 nor l16/16000|24000" % (fmt,)))
        if fmt.get("channels") != 1 or isinstance(fmt.get("channels"), bool):
            problems.append(("value", "start.mediaFormat.channels is %r, not the integer 1" % (fmt.get("channels"),)))
    return problems


def decode_payload(where, value, expected_bytes):
    if not isinstance(value, str):
        return None, [("type", "%s is not a string" % where)]
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None, [("payload", "%s is not valid base64" % where)]
    if expected_bytes is not None and len(data) != expected_bytes:
        return data, [("payload", "%s holds %d bytes, a 20 ms frame is %d" % (where, len(data), expected_bytes))]
    return data, []


def check_dtmf(dtmf):
    problems = keys_problems("dtmf", dtmf, DTMF_KEYS)
    if isinstance(dtmf, dict):
        if dtmf.get("track") != "inbound_track":
            problems.append(("value", "dtmf.track is %r, Twilio sends inbound_track" % (dtmf.get("track"),)))
        digit = dtmf.get("digit")
        if not isinstance(digit, str) or len(digit) != 1 or digit not in DTMF_DIGITS:
            problems.append(("value", "dtmf.digit is %r, not one of 0-9 * # A-D" % (digit,)))
    return problems


def check_stop(stop, start):
    problems = keys_problems("stop", stop, STOP_KEYS)
    if isinstance(stop, dict) and isinstance(start, dict):
        for key in STOP_KEYS:
            if key in stop and stop[key] != start.get(key):
                problems.append(("value", "stop.%s %r differs from start's %r" % (key, stop[key], start.get(key))))
    return problems
