package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"

	"wavoice.dev/peerkit"
)

const (
	opusPT   = 111 // what WhatsApp offers for opus/48000/2
	dtmfPT   = 126 // what WhatsApp offers for telephone-event/8000
	audioLvl = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
)

// peer is one Pion PeerConnection with the counters and events the tests read.
type peer struct {
	o     options
	pc    *webrtc.PeerConnection
	track *peerkit.RawTrack
	rec   *recorder

	connectedOnce sync.Once
	connected     chan struct{}
	failedOnce    sync.Once
	failed        chan struct{}
	dtlsOnce      sync.Once
	dtlsClosed    chan struct{}

	remoteAtMs  atomic.Value // float64: when the remote description arrived
	connectedMs atomic.Value // float64: when the peer connection became connected

	packetsReceived, bytesReceived atomic.Int64
	packetsSent, bytesSent         atomic.Int64
	rtcpReceived                   atomic.Int64
	dtmfSent                       atomic.Int64
	writeErrors                    atomic.Int64

	stopStats chan struct{}
	closeOnce sync.Once
}

// newAPI builds the Pion API for one peer. answeringRole is the DTLS role an
// answerer takes (0: Pion's choice).
func newAPI(o options, lite bool, answeringRole webrtc.DTLSRole) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	// Exactly WhatsApp's codec lines: Opus with in-band FEC and 10 ms minimum
	// ptime, transport-cc feedback, telephone-event at 8 kHz (not 48 kHz as a
	// browser would offer next to Opus).
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine:  "minptime=10;useinbandfec=1",
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "transport-cc"}},
		},
		PayloadType: opusPT,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000},
		PayloadType:        dtmfPT,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLvl}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}

	// Sender and receiver reports only: they exercise the other side's RTCP
	// handling without adding header extensions WhatsApp does not offer.
	reg, err := peerkit.RTCPReports()
	if err != nil {
		return nil, err
	}
	s, err := peerkit.LoopbackSettings(o.ip, o.logLevel)
	if err != nil {
		return nil, err
	}

	if lite {
		// WhatsApp's edge is ICE-lite: it answers checks, never sends them,
		// and writes a=ice-lite at session level.
		s.SetLite(true)
		// Its ufrag may contain "/" (a legal ice-char that trips naive
		// parsers and STUN USERNAME handling), and its fingerprint sits in
		// the media section, not at session level.
		s.SetICECredentials(randomICEString(12)+"/"+randomICEString(1), randomICEString(32))
		s.SetSDPMediaLevelFingerprints(true)
	}
	if answeringRole != 0 {
		// Pion answering an ICE-lite offer would pick setup:passive, which
		// WhatsApp refuses, so a business-side answerer asks for the client
		// role; the edge answering a business's offer may take either.
		if err := s.SetAnsweringDTLSRole(answeringRole); err != nil {
			return nil, err
		}
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(s)), nil
}

func randomICEString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.Intn(len(alphabet))]
	}
	return string(b)
}

func newPeer(o options, lite bool, answeringRole webrtc.DTLSRole) (*peer, error) {
	api, err := newAPI(o, lite, answeringRole)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &peer{
		o: o, pc: pc, track: peerkit.NewRawTrack("pionpeer"),
		connected: make(chan struct{}), failed: make(chan struct{}), dtlsClosed: make(chan struct{}),
		stopStats: make(chan struct{}),
	}
	if o.record != "" {
		if p.rec, err = newRecorder(o.record); err != nil {
			_ = pc.Close()
			return nil, err
		}
	}

	pc.OnICEGatheringStateChange(func(s webrtc.ICEGathererState) {
		peerkit.Emit("gathering", "state", s.String())
	})
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		peerkit.Emit("ice", "state", s.String())
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		peerkit.Emit("pc", "state", s.String())
		switch s {
		case webrtc.PeerConnectionStateConnected:
			p.connectedOnce.Do(func() {
				p.connectedMs.Store(peerkit.NowMs())
				close(p.connected)
			})
		case webrtc.PeerConnectionStateFailed:
			p.failedOnce.Do(func() { close(p.failed) })
		}
	})
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		peerkit.Emit("track", "ssrc", uint32(t.SSRC()), "payload_type", uint8(t.PayloadType()), "codec", t.Codec().MimeType)
		go p.receive(t)
	})
	return p, nil
}

// watch hooks the DTLS and ICE transport events, which the PeerConnection
// itself does not report, and drains RTCP so the report interceptor sees it.
func (p *peer) watch(sender *webrtc.RTPSender) {
	dtls := sender.Transport()
	dtls.OnStateChange(func(s webrtc.DTLSTransportState) {
		peerkit.Emit("dtls", "state", s.String())
		if s == webrtc.DTLSTransportStateClosed || s == webrtc.DTLSTransportStateFailed {
			p.dtlsOnce.Do(func() { close(p.dtlsClosed) })
		}
	})
	dtls.ICETransport().OnSelectedCandidatePairChange(func(pair *webrtc.ICECandidatePair) {
		peerkit.Emit("selected_pair", "local", candidateString(pair.Local), "remote", candidateString(pair.Remote))
	})
	go func() {
		for {
			pkts, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			p.rtcpReceived.Add(int64(len(pkts)))
		}
	}()
}

func candidateString(c *webrtc.ICECandidate) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%s %s:%d %s", c.Protocol, c.Address, c.Port, c.Typ)
}

func (p *peer) receive(t *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		arrival := peerkit.SinceStart()
		pkt := &rtp.Packet{}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		p.packetsReceived.Add(1)
		p.bytesReceived.Add(int64(len(pkt.Payload)))
		if p.rec != nil {
			p.rec.write(pkt, arrival)
		}
		if p.o.echo {
			p.echo(pkt)
		}
	}
}

func (p *peer) onRemote() {
	p.remoteAtMs.Store(peerkit.NowMs())
}

// awaitConnected waits for ICE and DTLS (the PeerConnection's "connected"
// means both), or fails on a timeout, "failed", or a shutdown request.
func (p *peer) awaitConnected(signals <-chan os.Signal) error {
	select {
	case <-p.connected:
		p.startStats()
		return nil
	case <-p.failed:
		return errors.New("peer connection failed before connecting")
	case <-time.After(p.o.connectTimeout):
		return fmt.Errorf("not connected %v after the remote description", p.o.connectTimeout)
	case s := <-signals:
		return fmt.Errorf("%v before connecting", s)
	}
}

// run lasts until -duration, a close request, a signal, or the remote side
// going away.
func (p *peer) run(in *stdinReader, signals <-chan os.Signal) error {
	var deadline <-chan time.Time
	if p.o.duration > 0 {
		deadline = time.After(p.o.duration)
	}
	closeReq := in.closeRequested()
	select {
	case <-deadline:
		peerkit.Emit("closing", "reason", "duration")
	case <-closeReq:
		peerkit.Emit("closing", "reason", "stdin")
	case s := <-signals:
		peerkit.Emit("closing", "reason", s.String())
	case <-p.dtlsClosed:
		peerkit.Emit("closing", "reason", "remote closed")
	case <-p.failed:
		return errors.New("peer connection failed")
	}
	return nil
}

func (p *peer) startStats() {
	go func() {
		t := time.NewTicker(p.o.statsInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.emitCounters("rtp")
				if p.rec != nil {
					p.rec.flush()
				}
			case <-p.stopStats:
				return
			}
		}
	}()
}

func (p *peer) emitCounters(name string, extra ...interface{}) {
	kv := []interface{}{
		"packets_received", p.packetsReceived.Load(), "bytes_received", p.bytesReceived.Load(),
		"packets_sent", p.packetsSent.Load(), "bytes_sent", p.bytesSent.Load(),
		"rtcp_received", p.rtcpReceived.Load(),
	}
	peerkit.Emit(name, append(kv, extra...)...)
}

func (p *peer) everConnected() bool {
	select {
	case <-p.connected:
		return true
	default:
		return false
	}
}

func (p *peer) close() {
	p.closeOnce.Do(func() {
		close(p.stopStats)
		if err := p.pc.Close(); err != nil {
			peerkit.Emit("error", "message", "close: "+err.Error())
		}
		if p.rec != nil {
			if err := p.rec.close(); err != nil {
				peerkit.Emit("error", "message", "record: "+err.Error())
			}
		}
	})
}

func (p *peer) summary() {
	connectMs := -1.0
	if c, ok := p.connectedMs.Load().(float64); ok {
		if r, ok := p.remoteAtMs.Load().(float64); ok {
			connectMs = math.Round((c-r)*1000) / 1000
		}
	}
	recorded := int64(0)
	if p.rec != nil {
		recorded = p.rec.count
	}
	p.emitCounters("summary",
		"mode", p.o.mode, "connected", p.everConnected(), "connect_ms", connectMs,
		"dtmf_sent", p.dtmfSent.Load(), "recorded", recorded, "write_errors", p.writeErrors.Load(),
		"state", p.pc.ConnectionState().String())
}

// runOfferer is the edge (lite) and the full-ICE offerer.
func runOfferer(o options, lite bool, signals <-chan os.Signal) (*peer, error) {
	in := readStdin()
	p, err := newPeer(o, lite, 0)
	if err != nil {
		return nil, err
	}
	tr, err := p.pc.AddTransceiverFromTrack(p.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		return p, err
	}
	p.watch(tr.Sender())
	if lite {
		if err := tr.SetMid("audio"); err != nil { // WhatsApp's mid, not Pion's "0"
			return p, err
		}
	}

	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return p, err
	}
	// The edge's offer carries its one candidate inline, as WhatsApp's does:
	// no trickle, so wait for (loopback-only, hence instant) gathering.
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return p, err
	}
	<-gathered
	sdp := p.pc.LocalDescription().SDP
	if !strings.Contains(sdp, "a=setup:actpass") {
		return p, errors.New("Pion's offer lacks a=setup:actpass; WhatsApp's always has it")
	}
	if lite != strings.Contains(sdp, "a=ice-lite") {
		return p, fmt.Errorf("offer a=ice-lite presence is %v, want %v", !lite, lite)
	}
	if lite {
		sdp = whatsappShape(sdp)
	}
	peerkit.EmitSignal("offer", sdp)

	answer, err := in.next("answer", signals)
	if err != nil {
		return p, err
	}
	p.onRemote()
	peerkit.Emit("answer_received")
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
		return p, fmt.Errorf("applying the answer: %w", err)
	}
	peerkit.Emit("answer_applied")

	if err := p.awaitConnected(signals); err != nil {
		return p, err
	}
	p.startSending()
	return p, p.run(in, signals)
}

// whatsappShape rewrites the SDP text Pion produces into the shape of a
// real WhatsApp offer (docs: whatsapp-calling.md §4), or of the edge's answer,
// so the other side is tested against what it will meet. Only presentation changes; Pion's own
// local description, and so its behaviour, stays as it was:
//   - the m= and c= lines carry the host candidate's address, not 9 / 0.0.0.0;
//   - one candidate (component 1 only: rtcp-mux), with the generation,
//     network-cost and ufrag extensions WhatsApp appends;
//   - no a=end-of-candidates and no a=extmap-allow-mixed, which it never sends.
func whatsappShape(sdp string) string {
	nl := "\r\n"
	if !strings.Contains(sdp, "\r\n") {
		nl = "\n"
	}
	lines := strings.Split(strings.TrimRight(sdp, "\r\n"), nl)
	ip, port, ufrag := "", "", ""
	for _, l := range lines {
		if f := strings.Fields(l); strings.HasPrefix(l, "a=candidate:") && len(f) >= 8 && f[1] == "1" && ip == "" {
			ip, port = f[4], f[5]
		}
		if strings.HasPrefix(l, "a=ice-ufrag:") {
			ufrag = strings.TrimPrefix(l, "a=ice-ufrag:")
		}
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case l == "a=extmap-allow-mixed" || l == "a=end-of-candidates":
			continue
		case strings.HasPrefix(l, "a=candidate:") && len(f) >= 8:
			if f[1] != "1" {
				continue
			}
			l += " generation 0 network-cost 50 ufrag " + ufrag
		case strings.HasPrefix(l, "m=audio ") && len(f) >= 2 && port != "":
			f[1] = port
			l = strings.Join(f, " ")
		case strings.HasPrefix(l, "c=IN IP4 ") && ip != "":
			l = "c=IN IP4 " + ip
		}
		out = append(out, l)
	}
	return strings.Join(out, nl) + nl
}

// runAnswerer answers an offer. Not lite, it is the plain business-side
// answerer: full ICE, controlling toward a lite offer, DTLS client, echo.
// Lite, it is WhatsApp's edge answering a business-initiated call: ICE-lite
// (so controlled), answeringRole deciding a=setup, in the edge's SDP shape.
func runAnswerer(o options, lite bool, answeringRole webrtc.DTLSRole, signals <-chan os.Signal) (*peer, error) {
	in := readStdin()
	offer, err := in.next("offer", signals)
	if err != nil {
		return nil, err
	}
	peerkit.Emit("offer_received")
	p, err := newPeer(o, lite, answeringRole)
	if err != nil {
		return nil, err
	}
	p.onRemote()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}); err != nil {
		return p, fmt.Errorf("applying the offer: %w", err)
	}
	// Added after the offer so that it joins the offered audio transceiver
	// and the answer says sendrecv.
	sender, err := p.pc.AddTrack(p.track)
	if err != nil {
		return p, err
	}
	p.watch(sender)
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return p, err
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return p, err
	}
	<-gathered
	sdp := p.pc.LocalDescription().SDP
	if lite {
		setup := "a=setup:active"
		if answeringRole == webrtc.DTLSRoleServer {
			setup = "a=setup:passive"
		}
		if !strings.Contains(sdp, setup) || !strings.Contains(sdp, "a=ice-lite") {
			return p, fmt.Errorf("Pion's answer lacks %s or a=ice-lite", setup)
		}
		sdp = whatsappShape(sdp)
	}
	peerkit.EmitSignal("answer", sdp)

	if err := p.awaitConnected(signals); err != nil {
		return p, err
	}
	p.startSending()
	return p, p.run(in, signals)
}
