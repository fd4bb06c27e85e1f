package main

import (
	"sync"
	"time"

	"wavoice.dev/peerkit"
)

// speechGap is how long a run of voiced packets may pause (a lost packet, a
// consonant the encoder squeezed small) and still count as one run.
const speechGap = 100 * time.Millisecond

// vad tells caller speech from Opus packet sizes alone (there is no Opus
// decoder here): voiced frames are tens of bytes, silence and DTX frames a
// handful. It stands in for OpenAI's server VAD, reporting the same events.
type vad struct {
	mu         sync.Mutex
	speaking   bool
	run        int
	runStart   time.Time
	lastVoiced time.Time
}

// vadPacket runs on the RTP reader for every received packet.
func (c *call) vadPacket(size int, now time.Time) {
	if size <= c.s.o.speechBytes {
		return
	}
	c.voicedPackets.Add(1)
	v := &c.vad
	v.mu.Lock()
	if v.run > 0 && now.Sub(v.lastVoiced) > speechGap {
		v.run = 0
	}
	if v.run == 0 {
		v.runStart = now
	}
	v.run++
	v.lastVoiced = now
	started := !v.speaking && v.run >= c.s.o.speechFrames
	if started {
		v.speaking = true
	}
	from := v.runStart
	v.mu.Unlock()
	if started {
		c.speechStarted(from)
	}
}

// vadLoop ends speech after -silence without a voiced packet; packets need
// not arrive at all for that (a DTX sender sends nothing).
func (c *call) vadLoop() {
	t := time.NewTicker(peerkit.FrameDuration)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-c.ended:
			return
		}
		v := &c.vad
		v.mu.Lock()
		stopped := v.speaking && time.Since(v.lastVoiced) >= c.s.o.silence
		if stopped {
			v.speaking, v.run = false, 0
		}
		last := v.lastVoiced
		v.mu.Unlock()
		if stopped {
			c.speechStopped(last.Add(peerkit.FrameDuration))
		}
	}
}

// audioMs is a position in the caller's audio: milliseconds since connected.
func (c *call) audioMs(t time.Time) int64 {
	return t.Sub(c.connectedAt).Milliseconds()
}

func (c *call) speechStarted(at time.Time) {
	c.conv.Lock()
	defer c.conv.Unlock()
	c.speechItemID = newID("item_", 22)
	ms := c.audioMs(at)
	peerkit.Emit("speech_started", "call_id", c.id, "audio_start_ms", ms, "item_id", c.speechItemID)
	c.send("input_audio_buffer.speech_started", "audio_start_ms", ms, "item_id", c.speechItemID)
	// Barge-in: OpenAI's server VAD interrupts the response it is playing.
	c.cancelActive("turn_detected")
}

func (c *call) speechStopped(at time.Time) {
	c.conv.Lock()
	defer c.conv.Unlock()
	if c.isEnded() {
		return
	}
	item := c.speechItemID
	ms := c.audioMs(at)
	peerkit.Emit("speech_stopped", "call_id", c.id, "audio_end_ms", ms, "item_id", item)
	prev := interface{}(nil)
	if c.lastItemID != "" {
		prev = c.lastItemID
	}
	c.send("input_audio_buffer.speech_stopped", "audio_end_ms", ms, "item_id", item)
	c.send("input_audio_buffer.committed", "previous_item_id", prev, "item_id", item)
	user := jo("id", item, "type", "message", "object", "realtime.item", "status", "completed", "role", "user",
		"content", []interface{}{jo("type", "input_audio", "transcript", nil)})
	c.send("conversation.item.added", "previous_item_id", prev, "item", user)
	c.send("conversation.item.done", "previous_item_id", prev, "item", user)
	c.lastItemID = item
	c.send("conversation.item.input_audio_transcription.completed", "item_id", item, "content_index", 0,
		"transcript", c.s.o.callerTranscript)
	// create_response: the server answers the turn by itself.
	c.cancelActive("turn_detected")
	if c.s.o.toolName != "" && !c.toolCalled {
		c.toolCall()
	} else {
		c.startResponse("reply")
	}
}
