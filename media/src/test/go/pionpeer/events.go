package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// start anchors t_ms. time.Since uses Go's monotonic clock reading, so wall
// clock steps cannot distort the latencies the tests compute from it.
var start = time.Now()

var stdoutMu sync.Mutex

func nowMs() float64 {
	return float64(time.Since(start).Nanoseconds()) / 1e6
}

// emit writes one flat JSON object as a line: {"event":name,"t_ms":...,k:v...}.
// Keys keep their order so that the lines read well in test logs.
func emit(name string, kv ...interface{}) {
	writeLine("event", name, kv...)
}

// emitSignal writes an SDP line: {"type":"offer"|"answer","sdp":...,"t_ms":...}.
func emitSignal(kind, sdp string) {
	writeLine("type", kind, "sdp", sdp)
}

func writeLine(firstKey, firstValue string, kv ...interface{}) {
	var b bytes.Buffer
	b.WriteByte('{')
	writeJSON(&b, firstKey)
	b.WriteByte(':')
	writeJSON(&b, firstValue)
	b.WriteString(`,"t_ms":`)
	b.WriteString(strconv.FormatFloat(nowMs(), 'f', 3, 64))
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte(',')
		writeJSON(&b, fmt.Sprint(kv[i]))
		b.WriteByte(':')
		writeJSON(&b, kv[i+1])
	}
	b.WriteString("}\n")
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	_, _ = os.Stdout.Write(b.Bytes())
}

func writeJSON(b *bytes.Buffer, v interface{}) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString(`null`)
		return
	}
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// signalMessage is what the controlling test writes to our stdin.
type signalMessage struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// stdinReader hands stdin lines to the peer. Closing stdin (or sending
// {"type":"close"}) is how the test asks for a clean shutdown.
type stdinReader struct {
	messages chan signalMessage
}

func readStdin() *stdinReader {
	r := &stdinReader{messages: make(chan signalMessage, 4)}
	go func() {
		defer close(r.messages)
		in := bufio.NewReader(os.Stdin)
		for {
			line, err := in.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var m signalMessage
				if jerr := json.Unmarshal(line, &m); jerr != nil {
					emit("error", "message", "stdin: not a JSON line: "+jerr.Error())
				} else {
					r.messages <- m
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					emit("error", "message", "stdin: "+err.Error())
				}
				return
			}
		}
	}()
	return r
}

// next waits for a message of the given type; EOF, a close message or a
// signal before that is an error.
func (r *stdinReader) next(kind string, signals <-chan os.Signal) (signalMessage, error) {
	for {
		select {
		case m, ok := <-r.messages:
			if !ok {
				return m, fmt.Errorf("stdin closed while waiting for %q", kind)
			}
			if m.Type == kind {
				return m, nil
			}
			if m.Type == "close" {
				return m, fmt.Errorf("asked to close while waiting for %q", kind)
			}
			emit("error", "message", fmt.Sprintf("stdin: ignoring %q while waiting for %q", m.Type, kind))
		case s := <-signals:
			return signalMessage{}, fmt.Errorf("%v while waiting for %q", s, kind)
		}
	}
}

// closeRequested returns a channel closed when stdin asks us to stop.
func (r *stdinReader) closeRequested() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range r.messages {
			if m.Type == "close" {
				return
			}
			emit("error", "message", fmt.Sprintf("stdin: ignoring %q after signalling", m.Type))
		}
	}()
	return done
}
