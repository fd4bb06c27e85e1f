package main

import (
	"fmt"
	"os"

	"wavoice.dev/peerkit"
)

// stdinReader hands stdin lines to the peer. Closing stdin (or sending
// {"type":"close"}) is how the test asks for a clean shutdown.
type stdinReader struct {
	messages <-chan peerkit.Message
}

func readStdin() *stdinReader {
	return &stdinReader{messages: peerkit.ReadStdin()}
}

// next waits for a message of the given type; EOF, a close message or a
// signal before that is an error.
func (r *stdinReader) next(kind string, signals <-chan os.Signal) (peerkit.Message, error) {
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
			peerkit.Emit("error", "message", fmt.Sprintf("stdin: ignoring %q while waiting for %q", m.Type, kind))
		case s := <-signals:
			return peerkit.Message{}, fmt.Errorf("%v while waiting for %q", s, kind)
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
			peerkit.Emit("error", "message", fmt.Sprintf("stdin: ignoring %q after signalling", m.Type))
		}
	}()
	return done
}
