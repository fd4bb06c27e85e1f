package main

import (
	"math/rand"
	"sync"
	"time"

	"wavoice.dev/peerkit"
)

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
	frames := uint32(time.Since(m.start) / peerkit.FrameDuration)
	ts := m.base + frames*peerkit.OpusTicks
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

// playAudio sends frames paced at 20 ms until they run out or stop closes.
// It returns true when every frame was sent (and its 20 ms have passed).
func (c *call) playAudio(frames [][]byte, stop <-chan struct{}) bool {
	if len(frames) == 0 {
		return true
	}
	ticker := time.NewTicker(peerkit.FrameDuration)
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
		} else if err := c.track.WriteOpus(marker, ts, f); err == nil {
			c.packetsSent.Add(1)
			c.bytesSent.Add(int64(len(f)))
			marker = false
		}
		ts += peerkit.OpusTicks
		c.clock.sent(ts)
		select {
		case <-stop:
			return false
		case <-ticker.C:
		}
	}
	return true
}
