package main

import (
	"encoding/binary"
	"time"

	"wavoice.dev/peerkit"
)

// RFC 4733 telephone-events. Pion has no DTMF sender, so the packets are
// built here and written on the audio track (same SSRC and sequence space).
//
// Conventions, as libwebrtc does when Opus runs at 48 kHz next to
// telephone-event/8000 (exactly WhatsApp's offer):
//   - one packet per 20 ms, the audio packetization interval;
//   - the RTP timestamp of every packet of an event is the audio timestamp
//     at the event's start (§2.5.1.2), so it stays on the 48 kHz timeline;
//   - the duration field counts the telephone-event clock, 8 kHz: 160 per
//     20 ms, growing in each packet and never reset within an event;
//   - the first packet of an event has the marker bit (§2.5.1.3);
//   - the final packet has the E bit and is sent three times in all with the
//     same timestamp and duration (§2.5.1.4: the end is what a receiver
//     must not miss);
//   - volume 10 (-10 dBm0), a typical DTMF level.
const (
	dtmfClockPerFrame = 160 // 20 ms of the 8 kHz telephone-event clock
	dtmfVolume        = 10
	dtmfEndCopies     = 3
)

func dtmfEventCode(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r - '0'), true
	case r == '*':
		return 10, true
	case r == '#':
		return 11, true
	case r >= 'A' && r <= 'D':
		return byte(r-'A') + 12, true
	}
	return 0, false
}

type dtmfPacket struct {
	digit     rune
	marker    bool
	end       bool
	firstEnd  bool // the first of the end copies; the digit counts as sent
	timestamp uint32
	payload   []byte
}

type dtmfPhase int

const (
	dtmfGap dtmfPhase = iota // between digits; audio may flow
	dtmfTone
	dtmfEnd
)

// dtmfSender is driven by the 20 ms sender clock: tick returns the event
// packet for this slot, if any.
type dtmfSender struct {
	digits    []rune
	toneSlots int
	gapSlots  int
	startAt   time.Time

	idx      int
	phase    dtmfPhase
	left     int // gap slots left, or end copies left
	slot     int // tone slots sent for the current digit
	eventTS  uint32
	duration uint16
}

func newDTMFSender(digits string, digitMs int, startAt time.Time) *dtmfSender {
	slots := digitMs / int(peerkit.FrameDuration/time.Millisecond)
	if slots < 1 {
		slots = 1
	}
	return &dtmfSender{digits: []rune(digits), toneSlots: slots, gapSlots: slots, startAt: startAt}
}

func (d *dtmfSender) done() bool {
	return d.idx >= len(d.digits)
}

func (d *dtmfSender) tick(now time.Time, timestamp uint32) (dtmfPacket, bool) {
	if d.done() || now.Before(d.startAt) {
		return dtmfPacket{}, false
	}
	switch d.phase {
	case dtmfGap:
		if d.left > 0 {
			d.left--
			return dtmfPacket{}, false
		}
		d.phase, d.slot, d.eventTS = dtmfTone, 0, timestamp
		fallthrough
	case dtmfTone:
		d.slot++
		d.duration = uint16(d.slot * dtmfClockPerFrame)
		if d.slot < d.toneSlots {
			return d.packet(d.slot == 1, false, false), true
		}
		d.phase, d.left = dtmfEnd, dtmfEndCopies-1
		return d.packet(d.slot == 1, true, true), true
	default: // dtmfEnd: the redundant copies of the final packet
		pkt := d.packet(false, true, false)
		d.left--
		if d.left == 0 {
			d.idx++
			d.phase, d.left = dtmfGap, d.gapSlots
		}
		return pkt, true
	}
}

func (d *dtmfSender) packet(marker, end, firstEnd bool) dtmfPacket {
	digit := d.digits[d.idx]
	code, _ := dtmfEventCode(digit)
	payload := make([]byte, 4)
	payload[0] = code
	payload[1] = dtmfVolume // R bit 0, volume in the low 6 bits
	if end {
		payload[1] |= 0x80
	}
	binary.BigEndian.PutUint16(payload[2:], d.duration)
	return dtmfPacket{digit: digit, marker: marker, end: end, firstEnd: firstEnd, timestamp: d.eventTS, payload: payload}
}
