package main

import (
	"bufio"
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

type rtpPacket = rtp.Packet

const (
	frameDuration = 20 * time.Millisecond
	opusTicks     = 960 // 20 ms at Opus's 48 kHz RTP clock
)

// rawTrack is a TrackLocal that writes whole RTP headers itself. Pion's
// TrackLocalStaticRTP overwrites the payload type with the bound codec's,
// which would turn telephone-events (PT 126) into Opus (PT 111); RFC 4733
// events must share the audio's SSRC, sequence and timestamp space, so both
// go through this one writer.
type rawTrack struct {
	mu     sync.Mutex
	writer webrtc.TrackLocalWriter
	ssrc   uint32
	seq    uint16
	opusPT uint8
	dtmfPT uint8 // 0 when the answer did not keep telephone-event
}

func newRawTrack() *rawTrack {
	return &rawTrack{seq: uint16(rand.Uint32())}
}

func (t *rawTrack) ID() string                { return "audio" }
func (t *rawTrack) RID() string               { return "" }
func (t *rawTrack) StreamID() string          { return "pionpeer" }
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

// write sends one packet with the next sequence number.
func (t *rawTrack) write(pt uint8, marker bool, timestamp uint32, payload []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.writer == nil {
		return errors.New("track not bound")
	}
	h := rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: t.seq, Timestamp: timestamp, SSRC: t.ssrc}
	t.seq++
	_, err := t.writer.WriteRTP(&h, payload)
	return err
}

func (p *peer) send(pt uint8, marker bool, timestamp uint32, payload []byte) {
	if err := p.track.write(pt, marker, timestamp, payload); err != nil {
		p.writeErrors.Add(1)
		return
	}
	p.packetsSent.Add(1)
	p.bytesSent.Add(int64(len(payload)))
}

// echo sends a received payload straight back: same payload type and marker,
// the sender's timing shifted onto our own random timestamp base.
var echoOffset = rand.Uint32()

func (p *peer) echo(pkt *rtp.Packet) {
	pt := pkt.PayloadType
	if pt != p.track.opusPT && (pt != p.track.dtmfPT || pt == 0) {
		return
	}
	p.send(pt, pkt.Marker, pkt.Timestamp+echoOffset, pkt.Payload)
}

// readOpusFile reads the stream the Java tests write: per 20 ms frame a
// big-endian uint16 length, then that many bytes of one Opus packet. A length
// of 0 means "send nothing in this 20 ms slot" (a gap, like DTX).
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

// startSending paces the Opus file and the DTMF digits on one 20 ms clock.
// While a digit is being sent the audio frames wait (RFC 4733 §2.5.1.1 lets
// the sender suppress audio during an event; browsers do), but the RTP
// timestamp keeps advancing as real time does.
func (p *peer) startSending() {
	var frames [][]byte
	if p.o.sendOpusFile != "" {
		var err error
		if frames, err = readOpusFile(p.o.sendOpusFile); err != nil {
			emit("error", "message", err.Error())
			return
		}
	}
	digits := newDTMFSender(strings.ToUpper(p.o.dtmf), p.o.dtmfDigitMs, time.Now().Add(p.o.dtmfDelay))
	if len(frames) == 0 && digits.done() {
		return
	}
	go func() {
		ticker := time.NewTicker(frameDuration)
		defer ticker.Stop()
		timestamp := rand.Uint32()
		talkspurt := true // the first audio packet after silence carries the marker (RFC 3551 §4.1)
		next := 0
		for {
			if pkt, ok := digits.tick(time.Now(), timestamp); ok {
				if p.track.dtmfPT == 0 {
					emit("error", "message", "cannot send DTMF: the answer has no telephone-event")
					digits = newDTMFSender("", 0, time.Time{})
				} else {
					p.send(p.track.dtmfPT, pkt.marker, pkt.timestamp, pkt.payload)
					if pkt.end && pkt.firstEnd {
						p.dtmfSent.Add(1)
						emit("dtmf_sent", "digit", string(pkt.digit))
					}
					talkspurt = true
				}
			} else if next < len(frames) {
				if len(frames[next]) == 0 {
					talkspurt = true
				} else {
					p.send(p.track.opusPT, talkspurt, timestamp, frames[next])
					talkspurt = false
				}
				next++
				if next == len(frames) {
					emit("send_done", "frames", len(frames))
				}
			} else if digits.done() {
				return
			}
			timestamp += opusTicks
			select {
			case <-ticker.C:
			case <-p.stopStats:
				return
			}
		}
	}()
}

// recorder writes every received RTP packet for the Java side to decode:
//
//	uint16 payload length
//	uint16 RTP sequence number
//	uint32 RTP timestamp
//	uint32 SSRC
//	uint8  payload type
//	uint8  flags (bit 0: marker)
//	uint64 arrival, microseconds since the process started
//	payload
//
// all big-endian, 22 bytes of header per packet.
type recorder struct {
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	count int64
	err   error
}

func newRecorder(path string) (*recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &recorder{f: f, w: bufio.NewWriter(f)}, nil
}

func (r *recorder) write(pkt *rtp.Packet, arrival time.Duration) {
	var h [22]byte
	binary.BigEndian.PutUint16(h[0:], uint16(len(pkt.Payload)))
	binary.BigEndian.PutUint16(h[2:], pkt.SequenceNumber)
	binary.BigEndian.PutUint32(h[4:], pkt.Timestamp)
	binary.BigEndian.PutUint32(h[8:], pkt.SSRC)
	h[12] = pkt.PayloadType
	if pkt.Marker {
		h[13] = 1
	}
	binary.BigEndian.PutUint64(h[14:], uint64(arrival.Microseconds()))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.f == nil {
		return
	}
	if _, r.err = r.w.Write(h[:]); r.err == nil {
		_, r.err = r.w.Write(pkt.Payload)
	}
	if r.err == nil {
		r.count++
	}
}

func (r *recorder) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil && r.f != nil {
		r.err = r.w.Flush()
	}
}

func (r *recorder) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return r.err
	}
	if r.err == nil {
		r.err = r.w.Flush()
	}
	if err := r.f.Close(); r.err == nil {
		r.err = err
	}
	r.f = nil
	return r.err
}
