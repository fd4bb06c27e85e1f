package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
)

const (
	frameDuration = 20 * time.Millisecond
	opusTicks     = 960 // 20 ms at Opus's 48 kHz RTP clock
)

// rawTrack is a TrackLocal that writes whole RTP headers itself, as pionpeer's
// does: Pion gives the SSRC and the write stream, we choose sequence numbers,
// timestamps and the marker bit, so that a response's first packet can carry
// the marker and silences between responses advance the timestamp.
type rawTrack struct {
	mu     sync.Mutex
	writer webrtc.TrackLocalWriter
	ssrc   uint32
	seq    uint16
	opusPT uint8
}

func newRawTrack() *rawTrack {
	return &rawTrack{seq: uint16(rand.Uint32())}
}

func (t *rawTrack) ID() string                { return "audio" }
func (t *rawTrack) RID() string               { return "" }
func (t *rawTrack) StreamID() string          { return "openaistandin" }
func (t *rawTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

func (t *rawTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writer = nil
	return nil
}

func (t *rawTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeOpus) {
			t.opusPT = uint8(c.PayloadType)
			t.ssrc = uint32(ctx.SSRC())
			t.writer = ctx.WriteStream()
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

func (t *rawTrack) write(marker bool, timestamp uint32, payload []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return errors.New("track not bound")
	}
	h := rtp.Header{Version: 2, PayloadType: t.opusPT, Marker: marker, SequenceNumber: t.seq,
		Timestamp: timestamp, SSRC: t.ssrc}
	t.seq++
	_, err := t.writer.WriteRTP(&h, payload)
	return err
}

// mediaClock gives each response's first RTP timestamp: a random base plus the
// wall-clock time since the call began, so the silence between responses (in
// which nothing is sent, as with DTX) shows as a timestamp jump, never as
// time running backwards.
type mediaClock struct {
	mu    sync.Mutex
	base  uint32
	start time.Time
	next  uint32 // the timestamp after the last frame sent
	used  bool
}

func newMediaClock() *mediaClock {
	return &mediaClock{base: rand.Uint32(), start: time.Now()}
}

// begin returns the timestamp for a talkspurt starting now.
func (m *mediaClock) begin() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	frames := uint32(time.Since(m.start) / frameDuration)
	ts := m.base + frames*opusTicks
	if m.used && int32(ts-m.next) < 0 {
		ts = m.next
	}
	return ts
}

// sent records the timestamp that follows a frame just sent.
func (m *mediaClock) sent(next uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.next, m.used = next, true
}

// readOpusFile reads the stream the Java tests write (see pionpeer's media.go):
// per 20 ms frame a big-endian uint16 length, then that many bytes of one Opus
// packet; a length of 0 is a 20 ms slot in which nothing is sent.
func readOpusFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var frames [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("%s: truncated length at frame %d", path, len(frames))
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if n > len(data) {
			return nil, fmt.Errorf("%s: frame %d says %d bytes, %d left", path, len(frames), n, len(data))
		}
		frames = append(frames, data[:n])
		data = data[n:]
	}
	return frames, nil
}

// playAudio sends frames paced at 20 ms until they run out or stop closes.
// It returns true when every frame was sent (and its 20 ms have passed).
func (c *call) playAudio(frames [][]byte, stop <-chan struct{}) bool {
	if len(frames) == 0 {
		return true
	}
	ticker := time.NewTicker(frameDuration)
	defer ticker.Stop()
	ts := c.clock.begin()
	marker := true // the first packet of a talkspurt (RFC 3551 §4.1)
	for _, f := range frames {
		select {
		case <-stop:
			return false
		default:
		}
		if len(f) == 0 {
			marker = true
		} else if err := c.track.write(marker, ts, f); err == nil {
			c.packetsSent.Add(1)
			c.bytesSent.Add(int64(len(f)))
			marker = false
		}
		ts += opusTicks
		c.clock.sent(ts)
		select {
		case <-stop:
			return false
		case <-ticker.C:
		}
	}
	return true
}
