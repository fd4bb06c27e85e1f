package main

import (
	"strings"
	"sync"
	"time"

	"wavoice.dev/peerkit"
)

// response is one model response: audio played on the track while the
// sideband reports it. Exactly one response.done follows each response.created.
type response struct {
	id, itemID string
	kind       string // "greeting" | "reply"
	text       string
	frames     int
	startedAt  time.Time
	stop       chan struct{}
	stopOnce   sync.Once
}

func (r *response) stopAudio() {
	r.stopOnce.Do(func() { close(r.stop) })
}

// responseObject is the GA response object in response.created and
// response.done; its audio settings are the session's.
func (c *call) responseObject(r *response, status string, details interface{}, output []interface{}, usage interface{}) obj {
	if output == nil {
		output = []interface{}{}
	}
	voice, _ := getPath(c.session, "audio", "output", "voice").(string)
	format := getPath(c.session, "audio", "output", "format")
	return jo("object", "realtime.response", "id", r.id, "status", status, "status_details", details,
		"output", output, "conversation_id", "conv_standin", "output_modalities", []string{"audio"},
		"max_output_tokens", "inf", "audio", jo("output", jo("format", format, "voice", voice)),
		"usage", usage, "metadata", nil)
}

func getPath(m map[string]interface{}, path ...string) interface{} {
	var v interface{} = m
	for _, k := range path {
		mm, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// usage is a plausible, never-zero token count for a response of this many
// 20 ms frames and this much text.
func (c *call) usage(frames int, text string) obj {
	instructions, _ := c.session["instructions"].(string)
	inText := 120 + len(instructions)/4
	inAudio := 1 + int(c.voicedPackets.Load())/5 // ~10 tokens per second of caller audio
	outText := 1 + len(strings.Fields(text))
	outAudio := 1 + frames/2 // ~25 tokens per second of speech
	in, out := inText+inAudio, outText+outAudio
	return jo("total_tokens", in+out, "input_tokens", in, "output_tokens", out,
		"input_token_details", jo("text_tokens", inText, "audio_tokens", inAudio, "image_tokens", 0,
			"cached_tokens", 0, "cached_tokens_details", jo("text_tokens", 0, "audio_tokens", 0, "image_tokens", 0)),
		"output_token_details", jo("text_tokens", outText, "audio_tokens", outAudio))
}

func (c *call) messageItem(r *response, status string, transcript string) obj {
	content := []interface{}{}
	if status == "completed" || status == "incomplete" {
		content = append(content, jo("type", "output_audio", "transcript", transcript))
	}
	return jo("id", r.itemID, "type", "message", "object", "realtime.item", "status", status,
		"role", "assistant", "content", content)
}

// startResponse begins speaking: the events a real response opens with, the
// transcript (it runs ahead of the audio on WebRTC too), then the audio on the
// track. Call with conv held and no active response.
func (c *call) startResponse(kind string) {
	frames, text := c.s.greeting, c.s.o.greetingText
	if kind == "reply" {
		frames, text = c.s.reply, c.s.o.replyText
	}
	r := &response{id: newID("resp_", 22), itemID: newID("item_", 22), kind: kind, text: text,
		frames: len(frames), startedAt: time.Now(), stop: make(chan struct{})}
	c.active = r
	prev := interface{}(nil)
	if c.lastItemID != "" {
		prev = c.lastItemID
	}
	c.send("response.created", "response", c.responseObject(r, "in_progress", nil, nil, nil))
	c.send("conversation.item.added", "previous_item_id", prev, "item", c.messageItem(r, "in_progress", ""))
	c.send("response.output_item.added", "response_id", r.id, "output_index", 0,
		"item", c.messageItem(r, "in_progress", ""))
	c.send("response.content_part.added", "response_id", r.id, "item_id", r.itemID, "output_index", 0,
		"content_index", 0, "part", jo("type", "audio", "transcript", ""))
	c.send("output_audio_buffer.started", "response_id", r.id)
	for _, delta := range words(text) {
		c.send("response.output_audio_transcript.delta", "response_id", r.id, "item_id", r.itemID,
			"output_index", 0, "content_index", 0, "delta", delta)
	}
	c.send("response.output_audio_transcript.done", "response_id", r.id, "item_id", r.itemID,
		"output_index", 0, "content_index", 0, "transcript", text)
	c.lastItemID = r.itemID
	peerkit.Emit("response_started", "call_id", c.id, "response_id", r.id, "kind", kind, "frames", len(frames))

	go func() {
		if !c.playAudio(frames, r.stop) {
			return // cancelled: whoever stopped it reported it
		}
		c.conv.Lock()
		defer c.conv.Unlock()
		if c.active != r {
			return
		}
		c.active = nil
		c.send("output_audio_buffer.stopped", "response_id", r.id)
		c.send("response.output_audio.done", "response_id", r.id, "item_id", r.itemID, "output_index", 0,
			"content_index", 0)
		c.send("response.content_part.done", "response_id", r.id, "item_id", r.itemID, "output_index", 0,
			"content_index", 0, "part", jo("type", "audio", "transcript", text))
		done := c.messageItem(r, "completed", text)
		c.send("response.output_item.done", "response_id", r.id, "output_index", 0, "item", done)
		c.send("conversation.item.done", "previous_item_id", prev, "item", done)
		c.send("response.done", "response", c.responseObject(r, "completed", nil, []interface{}{done}, c.usage(r.frames, text)))
		c.responsesDone.Add(1)
		peerkit.Emit("response_done", "call_id", c.id, "response_id", r.id, "kind", r.kind, "status", "completed")
	}()
}

// cancelActive stops the playing response at once: the audio stops with the
// next 20 ms tick at the latest, and the client hears of it as OpenAI tells a
// WebRTC client (the output buffer is cleared, the item truncated to what was
// played, the response done as cancelled). Call with conv held.
func (c *call) cancelActive(reason string) {
	r := c.active
	if r == nil {
		return
	}
	c.active = nil
	r.stopAudio()
	playedMs := time.Since(r.startedAt).Milliseconds()
	if max := int64(r.frames) * 20; playedMs > max {
		playedMs = max
	}
	c.send("output_audio_buffer.cleared", "response_id", r.id)
	c.send("conversation.item.truncated", "item_id", r.itemID, "content_index", 0, "audio_end_ms", playedMs)
	item := c.messageItem(r, "incomplete", r.text)
	c.send("response.done", "response", c.responseObject(r, "cancelled", jo("type", "cancelled", "reason", reason),
		[]interface{}{item}, c.usage(int(playedMs/20), r.text)))
	c.responsesCancelled.Add(1)
	peerkit.Emit("response_done", "call_id", c.id, "response_id", r.id, "kind", r.kind, "status", "cancelled",
		"reason", reason, "played_ms", playedMs)
}

// toolCall answers the caller with a function call instead of speech, then
// waits for the client's function_call_output and response.create.
func (c *call) toolCall() {
	name, args := c.s.o.toolName, c.s.o.toolArgs
	r := &response{id: newID("resp_", 22), itemID: newID("item_", 22), kind: "tool_call", stop: make(chan struct{})}
	callID := newID("call_", 16)
	prev := interface{}(nil)
	if c.lastItemID != "" {
		prev = c.lastItemID
	}
	item := func(status, arguments string) obj {
		return jo("id", r.itemID, "type", "function_call", "object", "realtime.item", "status", status,
			"name", name, "call_id", callID, "arguments", arguments)
	}
	c.send("response.created", "response", c.responseObject(r, "in_progress", nil, nil, nil))
	c.send("conversation.item.added", "previous_item_id", prev, "item", item("in_progress", ""))
	c.send("response.output_item.added", "response_id", r.id, "output_index", 0, "item", item("in_progress", ""))
	c.send("response.function_call_arguments.delta", "response_id", r.id, "item_id", r.itemID,
		"output_index", 0, "call_id", callID, "delta", args)
	c.send("response.function_call_arguments.done", "response_id", r.id, "item_id", r.itemID,
		"output_index", 0, "call_id", callID, "name", name, "arguments", args)
	done := item("completed", args)
	c.send("response.output_item.done", "response_id", r.id, "output_index", 0, "item", done)
	c.send("conversation.item.done", "previous_item_id", prev, "item", done)
	c.send("response.done", "response", c.responseObject(r, "completed", nil, []interface{}{done}, c.usage(0, args)))
	c.lastItemID = r.itemID
	c.toolCalled, c.toolCallID, c.toolOutput = true, callID, false
	c.responsesDone.Add(1)
	peerkit.Emit("tool_call", "call_id", c.id, "tool_call_id", callID, "name", name, "arguments", args)
}

// words splits a transcript into deltas as a streaming model sends them:
// each word with the space before it.
func words(text string) []string {
	var out []string
	for i, w := range strings.Fields(text) {
		if i > 0 {
			w = " " + w
		}
		out = append(out, w)
	}
	return out
}
