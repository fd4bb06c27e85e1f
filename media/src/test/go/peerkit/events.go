package peerkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// start anchors t_ms. time.Since uses Go's monotonic clock reading, so wall
// clock steps cannot distort the latencies the tests compute from it.
var start = time.Now()

var stdoutMu sync.Mutex

// SinceStart is the time since the process started, on the monotonic clock.
func SinceStart() time.Duration {
	return time.Since(start)
}

// NowMs is t_ms: milliseconds since the process started.
func NowMs() float64 {
	return float64(SinceStart().Nanoseconds()) / 1e6
}

// Emit writes one JSON object as a line: {"event":name,"t_ms":...,k:v...}.
// Values may be nested (maps, slices, json.RawMessage); keys keep the order
// given so that the lines read well in test logs.
func Emit(name string, kv ...interface{}) {
	writeLine("event", name, kv...)
}

// EmitSignal writes an SDP line: {"type":"offer"|"answer","t_ms":...,"sdp":...}.
func EmitSignal(kind, sdp string) {
	writeLine("type", kind, "sdp", sdp)
}

func writeLine(firstKey, firstValue string, kv ...interface{}) {
	var b bytes.Buffer
	b.WriteByte('{')
	WriteJSON(&b, firstKey)
	b.WriteByte(':')
	WriteJSON(&b, firstValue)
	b.WriteString(`,"t_ms":`)
	b.WriteString(strconv.FormatFloat(NowMs(), 'f', 3, 64))
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte(',')
		WriteJSON(&b, fmt.Sprint(kv[i]))
		b.WriteByte(':')
		WriteJSON(&b, kv[i+1])
	}
	b.WriteString("}\n")
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	_, _ = os.Stdout.Write(b.Bytes())
}

// WriteJSON appends v as compact JSON without HTML escaping (null if it cannot).
func WriteJSON(b *bytes.Buffer, v interface{}) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString(`null`)
		return
	}
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// Marshal is v as WriteJSON writes it.
func Marshal(v interface{}) []byte {
	var b bytes.Buffer
	WriteJSON(&b, v)
	return b.Bytes()
}

// Fail reports msg as an "error" line and exits with status 2 (bad flags).
func Fail(msg string) {
	Emit("error", "message", msg)
	os.Exit(2)
}
