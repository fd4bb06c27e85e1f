// Command pionpeer is an independent WebRTC peer (Pion) that wavoice's media
// tests run against. It plays one of four roles, chosen with -mode:
//
//	edge          WhatsApp's calling edge: an ICE-lite offerer with one host
//	              candidate, a=setup:actpass, Opus on PT 111 and
//	              telephone-event/8000 on PT 126 (the shape of a real
//	              WhatsApp offer). It prints the offer and reads the answer.
//	answerer      a plain Pion business-side answerer: full ICE, DTLS client
//	              (a=setup:active), echoes what it receives. It reads an offer
//	              and prints the answer. Used as the latency yardstick.
//	offerer-full  a full-ICE offerer (a=setup:actpass), for testing the other
//	              side in the controlled ICE role.
//	edge-answerer WhatsApp's edge answering a business-initiated call: it
//	              reads the business's offer and answers ICE-lite, with one
//	              host candidate, the offered Opus and telephone-event PTs,
//	              and a=setup:active (-dtls-role client) or a=setup:passive
//	              (-dtls-role server).
//
// Protocol on stdio, one JSON object per line:
//
//	stdout  {"type":"offer","sdp":"...","t_ms":1.2}   (edge, offerer-full)
//	stdin   {"type":"answer","sdp":"..."}
//	stdin   {"type":"offer","sdp":"..."}              (answerer, edge-answerer)
//	stdout  {"type":"answer","sdp":"...","t_ms":3.4}
//	stdin   {"type":"close"} or EOF                    close cleanly
//	stdout  {"event":"...","t_ms":...,...}             state changes, counters, summary
//
// Every line carries t_ms, milliseconds on a monotonic clock since the
// process started, so tests can measure setup latency. Pion's own logging goes
// to stderr so that stdout stays machine-readable.
//
// Media files (see media.go and peerkit): -send-opus-file reads and -record writes simple
// length-prefixed packet streams; the Java tests encode and decode the Opus.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pion/webrtc/v3"

	"wavoice.dev/peerkit"
)

type options struct {
	mode           string
	dtlsRole       string
	ip             string
	echo           bool
	sendOpusFile   string
	record         string
	dtmf           string
	dtmfDelay      time.Duration
	dtmfDigitMs    int
	duration       time.Duration
	connectTimeout time.Duration
	statsInterval  time.Duration
	logLevel       string
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.mode, "mode", "edge", "edge | answerer | offerer-full | edge-answerer")
	flag.StringVar(&o.dtlsRole, "dtls-role", "client", "the DTLS role edge-answerer takes: client (a=setup:active) | server (a=setup:passive)")
	flag.StringVar(&o.ip, "ip", "127.0.0.1", "the only local IPv4 address to gather a host candidate on")
	flag.BoolVar(&o.echo, "echo", false, "send every received RTP payload back on our own track (default on in answerer mode)")
	flag.StringVar(&o.sendOpusFile, "send-opus-file", "", "after connect, send this length-prefixed Opus packet stream, one packet per 20 ms")
	flag.StringVar(&o.record, "record", "", "write every received RTP packet to this file (length-prefixed with sequence, timestamp, payload type)")
	flag.StringVar(&o.dtmf, "dtmf", "", "after connect, send these digits (0-9*#A-D) as RFC 4733 telephone-events on PT 126")
	flag.DurationVar(&o.dtmfDelay, "dtmf-delay", 200*time.Millisecond, "wait this long after connect before the first DTMF digit")
	flag.IntVar(&o.dtmfDigitMs, "dtmf-digit-ms", 100, "tone length of each DTMF digit in ms (followed by the same length of pause)")
	flag.DurationVar(&o.duration, "duration", 0, "close cleanly this long after connected (0: run until stdin closes or a signal)")
	flag.DurationVar(&o.connectTimeout, "connect-timeout", 10*time.Second, "give up if not connected this long after the remote description is applied")
	flag.DurationVar(&o.statsInterval, "stats-interval", 500*time.Millisecond, "how often to report RTP counters")
	flag.StringVar(&o.logLevel, "log", "warn", "Pion log level on stderr: error | warn | info | debug | trace")
	flag.Parse()

	if o.mode == "answerer" {
		// The business-side answerer exists to echo; without it the
		// latency comparison would have no media path to measure.
		o.echo = true
	}
	if o.echo && (o.sendOpusFile != "" || o.dtmf != "") {
		peerkit.Fail("-echo cannot be combined with -send-opus-file or -dtmf: they would share one RTP timeline")
	}
	if o.dtlsRole != "client" && o.dtlsRole != "server" {
		peerkit.Fail("-dtls-role must be client or server, not " + o.dtlsRole)
	}
	for _, r := range strings.ToUpper(o.dtmf) {
		if _, ok := dtmfEventCode(r); !ok {
			peerkit.Fail(fmt.Sprintf("-dtmf: %q is not a DTMF digit (0-9 * # A-D)", r))
		}
	}
	return o
}

func main() {
	o := parseFlags()
	peerkit.SeedRandom()
	signals := peerkit.Signals()

	var p *peer
	var err error
	switch o.mode {
	case "edge":
		p, err = runOfferer(o, true, signals)
	case "offerer-full":
		p, err = runOfferer(o, false, signals)
	case "answerer":
		p, err = runAnswerer(o, false, webrtc.DTLSRoleClient, signals)
	case "edge-answerer":
		role := webrtc.DTLSRoleClient
		if o.dtlsRole == "server" {
			role = webrtc.DTLSRoleServer
		}
		p, err = runAnswerer(o, true, role, signals)
	default:
		peerkit.Fail("unknown -mode " + o.mode + " (edge | answerer | offerer-full | edge-answerer)")
	}
	code := 0
	if err != nil {
		peerkit.Emit("error", "message", err.Error())
		code = 1
	}
	if p != nil {
		p.close()
		p.summary()
		if !p.everConnected() {
			code = 1
		}
	}
	os.Exit(code)
}
