"""Audio for the Media Streams test bot: G.711 mu-law, little-endian L16, sine tones, Goertzel tone detection.

Written by hand from ITU-T G.711 because the audioop module is deprecated (PEP 594) and gone in 3.13.
"""

import math
from collections import deque

_BIAS = 0x84
_CLIP = 32635


def _encode_one(sample):
    sign = 0
    if sample < 0:
        sample = -sample
        sign = 0x80
    if sample > _CLIP:
        sample = _CLIP
    sample += _BIAS
    exponent = sample.bit_length() - 8
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _decode_one(code):
    code = ~code & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = ((((code & 0x0F) << 3) + _BIAS) << exponent) - _BIAS
    return -magnitude if code & 0x80 else magnitude


# Tables: indexing beats arithmetic per sample in CPython by an order of magnitude.
_ENCODE = bytes(_encode_one(v - 65536 if v >= 32768 else v) for v in range(65536))
_DECODE = tuple(_decode_one(c) for c in range(256))


def mulaw_encode(samples):
    """16-bit signed ints -> mu-law bytes."""
    table = _ENCODE
    return bytes(table[s & 0xFFFF] for s in samples)


def mulaw_decode(data):
    """mu-law bytes -> 16-bit signed ints."""
    table = _DECODE
    return [table[b] for b in data]


def l16_encode(samples):
    """16-bit signed ints -> little-endian bytes (the wideband extension's payload, as Plivo's streams carry it)."""
    out = bytearray(2 * len(samples))
    for i, s in enumerate(samples):
        out[2 * i] = s & 0xFF
        out[2 * i + 1] = (s >> 8) & 0xFF
    return bytes(out)


def l16_decode(data):
    """little-endian bytes -> 16-bit signed ints (an odd trailing byte is ignored; the caller flags it)."""
    return [int.from_bytes(data[i:i + 2], "little", signed=True) for i in range(0, len(data) - 1, 2)]


class AudioFormat:
    """The payload format announced in start.mediaFormat."""

    def __init__(self, encoding, sample_rate):
        self.encoding = encoding
        self.sample_rate = sample_rate

    @property
    def is_mulaw(self):
        return self.encoding == "audio/x-mulaw"

    def bytes_per_frame(self, frame_ms=20):
        samples = self.sample_rate * frame_ms // 1000
        return samples if self.is_mulaw else 2 * samples

    def encode(self, samples):
        return mulaw_encode(samples) if self.is_mulaw else l16_encode(samples)

    def decode(self, data):
        return mulaw_decode(data) if self.is_mulaw else l16_decode(data)


MULAW_8K = AudioFormat("audio/x-mulaw", 8000)


class SineGenerator:
    """A phase-continuous sine, so consecutive frames (and consecutive say commands) join without clicks."""

    def __init__(self, sample_rate):
        self.sample_rate = sample_rate
        self.phase = 0.0

    def samples(self, hz, count, amplitude):
        step = 2.0 * math.pi * hz / self.sample_rate
        peak = amplitude * 32767.0
        out = [int(peak * math.sin(self.phase + i * step)) for i in range(count)]
        self.phase = math.fmod(self.phase + count * step, 2.0 * math.pi)
        return out


def _goertzel_power(samples, sample_rate, hz):
    coeff = 2.0 * math.cos(2.0 * math.pi * hz / sample_rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def _hann(n):
    return [0.5 - 0.5 * math.cos(2.0 * math.pi * i / (n - 1)) for i in range(n)]


class ToneDetector:
    """Finds the dominant tone over the last 100 ms of audio.

    A tone counts when its Goertzel power holds at least `min_share` of the window's energy (a pure tone on a
    Hann-windowed bin scores ~1.0; speech or noise scores far lower) and the window is louder than -40 dBFS.
    With candidates it scores those alone every 20 ms; without, it scans 100..3900 Hz in 20 Hz steps over 50 ms
    then refines +-20 Hz in 2 Hz steps over the full 100 ms, every 100 ms, and reports to the nearest 10 Hz.
    """

    WINDOW_MS = 100

    def __init__(self, sample_rate, candidates=None, min_share=0.6, min_dbfs=-40.0):
        self.sample_rate = sample_rate
        self.candidates = list(candidates) if candidates else None
        self.min_share = min_share
        self.min_rms = 32768.0 * 10 ** (min_dbfs / 20.0)
        self.window_len = sample_rate * self.WINDOW_MS // 1000
        self.buffer = deque(maxlen=self.window_len)
        self.hop = sample_rate * (20 if self.candidates else 100) // 1000
        self.since_eval = 0
        self.hann = _hann(self.window_len)

    def feed(self, samples):
        """Adds samples; returns None when no evaluation ran, else (hz or 0, share, dbfs)."""
        self.buffer.extend(samples)
        self.since_eval += len(samples)
        if len(self.buffer) < self.window_len or self.since_eval < self.hop:
            return None
        self.since_eval = 0
        return self.evaluate(list(self.buffer))

    def evaluate(self, window):
        energy = sum(x * x for x in window)
        n = len(window)
        rms = math.sqrt(energy / n)
        dbfs = 20.0 * math.log10(rms / 32768.0) if rms > 0 else -120.0
        if rms < self.min_rms:
            return 0, 0.0, dbfs
        shaped = [x * w for x, w in zip(window, self.hann)]
        shaped_energy = sum(x * x for x in shaped)
        if self.candidates:
            scored = [(self._share(shaped, shaped_energy, hz), hz) for hz in self.candidates]
        else:
            scored = [self._scan(shaped, shaped_energy)]
        share, hz = max(scored)
        if share < self.min_share:
            return 0, share, dbfs
        return hz, share, dbfs

    def _share(self, shaped, shaped_energy, hz, rate=None):
        # For a Hann-windowed tone exactly on hz: power = energy * N / 3, so this is ~1.0 for a pure tone.
        power = _goertzel_power(shaped, rate or self.sample_rate, hz)
        return 3.0 * power / (len(shaped) * shaped_energy) if shaped_energy > 0 else 0.0

    def _scan(self, shaped, shaped_energy):
        # Coarse pass on 50 ms decimated to 8 kHz (cheap in pure Python), then a fine pass on the full window.
        step = max(1, self.sample_rate // 8000)
        half = self.window_len // 2
        coarse = [x * w for x, w in zip(list(self.buffer)[half::step], _hann(len(range(half, self.window_len, step))))]
        coarse_energy = sum(x * x for x in coarse)
        best_hz = max(range(100, 3901, 20),
                      key=lambda hz: self._share(coarse, coarse_energy, hz, self.sample_rate / step))
        fine = max((self._share(shaped, shaped_energy, hz), hz) for hz in range(best_hz - 20, best_hz + 21, 2))
        return fine[0], int(round(fine[1] / 10.0) * 10)
