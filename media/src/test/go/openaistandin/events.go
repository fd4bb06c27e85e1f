package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"strings"
	"sync"

	"wavoice.dev/peerkit"
)

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
		peerkit.WriteJSON(&b, f.k)
		b.WriteByte(':')
		peerkit.WriteJSON(&b, f.v)
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
		for m := range peerkit.ReadStdin() {
			switch strings.TrimSpace(m.Type) {
			case "close":
				return
			case "drop":
				onDrop(m.CallID)
			default:
				peerkit.Emit("error", "message", fmt.Sprintf("stdin: ignoring %q", m.Type))
			}
		}
	}()
	return done
}
