package main

import (
	"bufio"
	"encoding/binary"
	"math/rand"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"

	"wavoice.dev/peerkit"
)

func (p *peer) send(pt uint8, marker bool, timestamp uint32, payload []byte) {
	if err := p.track.Write(pt, marker, timestamp, payload); err != nil {
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
	if pt != p.track.OpusPT() && (pt != p.track.DtmfPT() || pt == 0) {
		return
	}
	p.send(pt, pkt.Marker, pkt.Timestamp+echoOffset, pkt.Payload)
}

// startSending paces the Opus file and the DTMF digits on one 20 ms clock.
// While a digit is being sent the audio frames wait (RFC 4733 §2.5.1.1 lets
// the sender suppress audio during an event; browsers do), but the RTP
// timestamp keeps advancing as real time does.
func (p *peer) startSending() {
	var frames [][]byte
	if p.o.sendOpusFile != "" {
		var err error
		if frames, err = peerkit.ReadOpusFile(p.o.sendOpusFile); err != nil {
			peerkit.Emit("error", "message", err.Error())
			return
		}
	}
	digits := newDTMFSender(strings.ToUpper(p.o.dtmf), p.o.dtmfDigitMs, time.Now().Add(p.o.dtmfDelay))
	if len(frames) == 0 && digits.done() {
		return
	}
	go func() {
		ticker := time.NewTicker(peerkit.FrameDuration)
		defer ticker.Stop()
		timestamp := rand.Uint32()
		talkspurt := true // the first audio packet after silence carries the marker (RFC 3551 §4.1)
		next := 0
		for {
			if pkt, ok := digits.tick(time.Now(), timestamp); ok {
				if p.track.DtmfPT() == 0 {
					peerkit.Emit("error", "message", "cannot send DTMF: the answer has no telephone-event")
					digits = newDTMFSender("", 0, time.Time{})
				} else {
					p.send(p.track.DtmfPT(), pkt.marker, pkt.timestamp, pkt.payload)
					if pkt.end && pkt.firstEnd {
						p.dtmfSent.Add(1)
						peerkit.Emit("dtmf_sent", "digit", string(pkt.digit))
					}
					talkspurt = true
				}
			} else if next < len(frames) {
				if len(frames[next]) == 0 {
					talkspurt = true
				} else {
					p.send(p.track.OpusPT(), talkspurt, timestamp, frames[next])
					talkspurt = false
				}
				next++
				if next == len(frames) {
					peerkit.Emit("send_done", "frames", len(frames))
				}
			} else if digits.done() {
				return
			}
			timestamp += peerkit.OpusTicks
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
