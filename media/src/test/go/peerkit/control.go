package peerkit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Message is one line the controlling test writes to stdin, e.g.
// {"type":"answer","sdp":"..."}, {"type":"drop","call_id":"rtc_…"} or
// {"type":"close"}.
type Message struct {
	Type   string `json:"type"`
	SDP    string `json:"sdp"`
	CallID string `json:"call_id"`
}

// ReadStdin hands stdin's JSON lines over one by one; the channel closes at
// the end of stdin, which is how the test asks for a clean shutdown (as a
// {"type":"close"} line is). A line that is not JSON is reported as an
// "error" line and skipped.
func ReadStdin() <-chan Message {
	messages := make(chan Message, 4)
	go func() {
		defer close(messages)
		in := bufio.NewReader(os.Stdin)
		for {
			line, err := in.ReadBytes('\n')
			if t := bytes.TrimSpace(line); len(t) > 0 {
				var m Message
				if jerr := json.Unmarshal(t, &m); jerr != nil {
					Emit("error", "message", "stdin: not a JSON line: "+jerr.Error())
				} else {
					messages <- m
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					Emit("error", "message", "stdin: "+err.Error())
				}
				return
			}
		}
	}()
	return messages
}

// Signals delivers SIGTERM and SIGINT, which end a program cleanly.
func Signals() <-chan os.Signal {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	return signals
}

// SeedRandom seeds math/rand: Go 1.19's starts from a fixed seed, and RTP
// sequence numbers and timestamps (RFC 3550 §5.1), like ids, must start at
// values that differ between runs.
func SeedRandom() {
	rand.Seed(time.Now().UnixNano())
}
