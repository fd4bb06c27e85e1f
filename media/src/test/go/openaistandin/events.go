package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// start anchors t_ms on Go's monotonic clock, as pionpeer does, so tests can
// compute latencies from the lines without wall-clock steps distorting them.
var start = time.Now()

var stdoutMu sync.Mutex

func nowMs() float64 {
	return float64(time.Since(start).Nanoseconds()) / 1e6
}

// emit writes one JSON object as a line: {"event":name,"t_ms":...,k:v...}.
// Values may be nested (maps, slices, json.RawMessage); keys keep the order
// given so that the lines read well in test logs.
func emit(name string, kv ...interface{}) {
	var b bytes.Buffer
	b.WriteString(`{"event":`)
	writeJSON(&b, name)
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

func marshal(v interface{}) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

// obj is an ordered JSON object. OpenAI's events are read by humans in logs
// as often as by programs; keeping "type" and "event_id" first helps both.
type obj []kv

type kv struct {
	k string
	v interface{}
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, f.k)
		b.WriteByte(':')
		writeJSON(&b, f.v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jo builds an obj from alternating keys and values.
func jo(pairs ...interface{}) obj {
	out := make(obj, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, kv{pairs[i].(string), pairs[i+1]})
	}
	return out
}

// Identifiers in OpenAI's shapes: a prefix and random characters.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

var idMu sync.Mutex

func newID(prefix string, n int) string {
	idMu.Lock()
	defer idMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[rand.Intn(len(idAlphabet))]
	}
	return prefix + string(b)
}

// newCallID is "rtc_" and 24 lower-case hex digits.
func newCallID() string {
	idMu.Lock()
	defer idMu.Unlock()
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "rtc_" + hex.EncodeToString(b)
}

// readStdin returns a channel closed when the controlling test asks us to
// stop: a {"type":"close"} line or the end of stdin. {"type":"drop"} lines
// (optionally with "call_id") are handed to onDrop.
func readStdin(onDrop func(callID string)) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		in := bufio.NewReader(os.Stdin)
		for {
			line, err := in.ReadBytes('\n')
			if t := bytes.TrimSpace(line); len(t) > 0 {
				var m struct {
					Type   string `json:"type"`
					CallID string `json:"call_id"`
				}
				if jerr := json.Unmarshal(t, &m); jerr != nil {
					emit("error", "message", "stdin: not a JSON line: "+jerr.Error())
				} else {
					switch strings.TrimSpace(m.Type) {
					case "close":
						return
					case "drop":
						onDrop(m.CallID)
					default:
						emit("error", "message", fmt.Sprintf("stdin: ignoring %q", m.Type))
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return done
}
