// Command openaistandin stands in for OpenAI's Realtime API over WebRTC, so
// that wavoice's bridge to it can be tested on loopback. It follows OpenAI's
// public API shapes (the GA Realtime API), not wavoice's code:
//
//	POST /v1/realtime/calls           multipart/form-data with parts "sdp"
//	                                  (the offer) and "session" (JSON), or a
//	                                  raw application/sdp body. 201 Created,
//	                                  Location: /v1/realtime/calls/rtc_…,
//	                                  body: the SDP answer.
//	POST /v1/realtime/calls/{id}/hangup  ends the call.
//	GET  /v1/realtime?call_id=rtc_…   the sideband WebSocket for that call:
//	                                  session.created first, then server
//	                                  events in answer to client events and
//	                                  to the caller's audio.
//
// The media side is Pion (full ICE, one 127.0.0.1 host candidate, DTLS client
// as OpenAI's answers are, Opus on the offer's payload type). There is no
// model and no Opus codec here: "caller speech" is told from Opus packet
// sizes, and the answers it speaks are Opus files the Java tests encoded.
//
// stdout carries one JSON object per line, each with "event" and "t_ms"
// (milliseconds since the process started, monotonic), e.g.
//
//	{"event":"listening","port":41234,"t_ms":3.1}
//	{"event":"call_created","call_id":"rtc_…","session":{…}|null,"t_ms":…}
//	{"event":"connected","call_id":"rtc_…","t_ms":…}
//	{"event":"client_event","call_id":"rtc_…","type":"session.update","json":{…}}
//	{"event":"server_event","call_id":"rtc_…","type":"response.done","delivered":true}
//	{"event":"summary","calls":1,"per_call":[…]}
//
// stdin: {"type":"close"} or end of input stops it cleanly (so does SIGTERM);
// {"type":"drop","call_id":"rtc_…"} drops that call's legs at once. Pion's
// own log goes to stderr so stdout stays machine-readable.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"wavoice.dev/peerkit"
)

type options struct {
	listen           string
	ip               string
	key              string
	models           []string
	greetingOpusFile string
	replyOpusFile    string
	greetingText     string
	replyText        string
	callerTranscript string
	recordDir        string
	failStatus       int
	failFirst        int
	badSDP           bool
	noOpus           bool
	answerDelay      time.Duration
	dropAfter        time.Duration
	toolName         string
	toolArgs         string
	speechBytes      int
	speechFrames     int
	silence          time.Duration
	statsInterval    time.Duration
	logLevel         string
}

func parseFlags() options {
	var o options
	var models, toolCall string
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "HTTP address to listen on (port 0: any free port, printed in the \"listening\" line)")
	flag.StringVar(&o.ip, "ip", "127.0.0.1", "the only local IPv4 address to gather an ICE host candidate on")
	flag.StringVar(&o.key, "key", "", "expected API key (Authorization: Bearer KEY); empty: accept any or none")
	flag.StringVar(&models, "models", "gpt-realtime", "comma-separated models a session may name")
	flag.StringVar(&o.greetingOpusFile, "greeting-opus-file", "", "length-prefixed Opus packets played in answer to response.create")
	flag.StringVar(&o.replyOpusFile, "reply-opus-file", "", "length-prefixed Opus packets played after the caller stops speaking")
	flag.StringVar(&o.greetingText, "greeting-text", "Hello from the stand-in", "transcript of the greeting")
	flag.StringVar(&o.replyText, "reply-text", "Reply from the stand-in", "transcript of the reply")
	flag.StringVar(&o.callerTranscript, "caller-transcript", "caller tone", "what the input transcription says the caller said")
	flag.StringVar(&o.recordDir, "record-dir", "", "write each call's received Opus payloads to DIR/<call_id>.pkts")
	flag.IntVar(&o.failStatus, "fail-status", 0, "answer POST /v1/realtime/calls with this HTTP status and an OpenAI-shaped error")
	flag.IntVar(&o.failFirst, "fail-first", 0, "fail only the first N POSTs (with -fail-status, default 500), then answer normally")
	flag.BoolVar(&o.badSDP, "bad-sdp", false, "answer 201 with a body that is not SDP")
	flag.BoolVar(&o.noOpus, "no-opus", false, "answer 201 with an SDP whose audio section offers only PCMU")
	flag.DurationVar(&o.answerDelay, "answer-delay", 0, "wait this long before answering a POST")
	flag.DurationVar(&o.dropAfter, "drop-after", 0, "close the first call's PeerConnection and sideband this long after it connected")
	flag.StringVar(&toolCall, "tool-call", "", "NAME:ARGSJSON: after the caller first stops speaking, call this function instead of replying")
	flag.IntVar(&o.speechBytes, "speech-bytes", 20, "an Opus payload larger than this counts as voiced (silence/DTX frames are a few bytes)")
	flag.IntVar(&o.speechFrames, "speech-frames", 10, "voiced packets in a row (gaps under 100 ms allowed) before speech starts")
	flag.DurationVar(&o.silence, "silence", 300*time.Millisecond, "no voiced packet for this long ends speech")
	flag.DurationVar(&o.statsInterval, "stats-interval", 500*time.Millisecond, "how often to report a call's RTP counters when they changed")
	flag.StringVar(&o.logLevel, "log", "warn", "Pion log level on stderr: error | warn | info | debug | trace")
	flag.Parse()

	for _, m := range strings.Split(models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			o.models = append(o.models, m)
		}
	}
	if len(o.models) == 0 {
		peerkit.Fail("-models is empty")
	}
	if toolCall != "" {
		i := strings.Index(toolCall, ":")
		if i <= 0 {
			peerkit.Fail("-tool-call wants NAME:ARGSJSON, got " + toolCall)
		}
		o.toolName, o.toolArgs = toolCall[:i], toolCall[i+1:]
		if !json.Valid([]byte(o.toolArgs)) {
			peerkit.Fail("-tool-call: arguments are not JSON: " + o.toolArgs)
		}
	}
	if o.failFirst > 0 && o.failStatus == 0 {
		o.failStatus = 500
	}
	if o.failStatus != 0 && (o.failStatus < 400 || o.failStatus > 599) {
		peerkit.Fail(fmt.Sprintf("-fail-status %d is not an HTTP error status", o.failStatus))
	}
	if o.recordDir != "" {
		if err := os.MkdirAll(o.recordDir, 0o755); err != nil {
			peerkit.Fail("-record-dir: " + err.Error())
		}
	}
	return o
}

func main() {
	opts := parseFlags()
	peerkit.SeedRandom()

	s, err := newServer(opts)
	if err != nil {
		peerkit.Fail(err.Error())
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		peerkit.Fail("listen: " + err.Error())
	}
	httpServer := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			peerkit.Emit("error", "message", "http: "+err.Error())
		}
	}()
	peerkit.Emit("listening", "port", ln.Addr().(*net.TCPAddr).Port)

	signals := peerkit.Signals()
	stdinDone := readStdin(s.dropByID)
	select {
	case <-stdinDone:
		peerkit.Emit("closing", "reason", "stdin")
	case sig := <-signals:
		peerkit.Emit("closing", "reason", sig.String())
	}
	_ = httpServer.Close()
	s.shutdown()
	s.summary()
	os.Exit(0)
}
