package peerkit

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
	// FrameDuration is one Opus frame, the pace of every sender.
	FrameDuration = 20 * time.Millisecond
	// OpusTicks is 20 ms at Opus's 48 kHz RTP clock.
	OpusTicks = 960
)

// RawTrack is a TrackLocal that writes whole RTP headers itself: Pion gives
// the SSRC and the write stream, the program chooses payload types,
// timestamps and the marker bit. Pion's TrackLocalStaticRTP overwrites the
// payload type with the bound codec's, which would turn telephone-events
// (PT 126) into Opus; RFC 4733 events must share the audio's SSRC, sequence
// and timestamp space, so both go through this one writer. It also lets a
// response's first packet carry the marker and a silence advance the
// timestamp.
type RawTrack struct {
	streamID string
	mu       sync.Mutex
	writer   webrtc.TrackLocalWriter
	ssrc     uint32
	seq      uint16
	opusPT   uint8
	dtmfPT   uint8 // 0 when the negotiation did not keep telephone-event
}

// NewRawTrack is an audio track "audio" in stream streamID, starting at a
// random sequence number.
func NewRawTrack(streamID string) *RawTrack {
	return &RawTrack{streamID: streamID, seq: uint16(rand.Uint32())}
}

func (t *RawTrack) ID() string                { return "audio" }
func (t *RawTrack) RID() string               { return "" }
func (t *RawTrack) StreamID() string          { return t.streamID }
func (t *RawTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

func (t *RawTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writer = nil
	return nil
}

// Bind takes the first Opus codec negotiated, and notes telephone-event's
// payload type if there is one.
func (t *RawTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var opus *webrtc.RTPCodecParameters
	for i, c := range ctx.CodecParameters() {
		switch strings.ToLower(c.MimeType) {
		case strings.ToLower(webrtc.MimeTypeOpus):
			if opus == nil {
				opus = &ctx.CodecParameters()[i]
			}
		case "audio/telephone-event":
			t.dtmfPT = uint8(c.PayloadType)
		}
	}
	if opus == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	t.opusPT = uint8(opus.PayloadType)
	t.ssrc = uint32(ctx.SSRC())
	t.writer = ctx.WriteStream()
	return *opus, nil
}

// OpusPT is Opus's negotiated payload type (0 before Bind).
func (t *RawTrack) OpusPT() uint8 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.opusPT
}

// DtmfPT is telephone-event's negotiated payload type, 0 when there is none.
func (t *RawTrack) DtmfPT() uint8 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dtmfPT
}

// Write sends one packet with the next sequence number.
func (t *RawTrack) Write(pt uint8, marker bool, timestamp uint32, payload []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.writeLocked(pt, marker, timestamp, payload)
}

// WriteOpus sends one Opus packet with the next sequence number.
func (t *RawTrack) WriteOpus(marker bool, timestamp uint32, payload []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.writeLocked(t.opusPT, marker, timestamp, payload)
}

func (t *RawTrack) writeLocked(pt uint8, marker bool, timestamp uint32, payload []byte) error {
	if t.writer == nil {
		return errors.New("track not bound")
	}
	h := rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: t.seq, Timestamp: timestamp, SSRC: t.ssrc}
	t.seq++
	_, err := t.writer.WriteRTP(&h, payload)
	return err
}

// ReadOpusFile reads the stream the Java tests write (OpusStreamFile): per
// 20 ms frame a big-endian uint16 length, then that many bytes of one Opus
// packet. A length of 0 means "send nothing in this 20 ms slot" (a gap, like
// DTX).
func ReadOpusFile(path string) ([][]byte, error) {
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
