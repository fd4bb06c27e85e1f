package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/transport/v2"
	"github.com/pion/transport/v2/stdnet"
	"github.com/pion/webrtc/v3"

	"wavoice.dev/peerkit"
)

// call is one POST /v1/realtime/calls: a PeerConnection, the recording of what
// the caller sent, the conversation state the sideband reports on.
type call struct {
	s       *server
	id      string
	pc      *webrtc.PeerConnection
	track   *peerkit.RawTrack
	recMu   sync.Mutex
	rec     *os.File
	clock   *mediaClock
	session map[string]interface{} // the merged session, as session.updated reports it

	connectedOnce sync.Once
	connected     chan struct{}
	connectedAt   time.Time
	endOnce       sync.Once
	ended         chan struct{}
	pcClosed      chan struct{}
	dropped       atomic.Bool

	packetsReceived, bytesReceived, voicedPackets atomic.Int64
	packetsSent, bytesSent                        atomic.Int64
	clientEvents                                  atomic.Int64
	responsesDone, responsesCancelled             atomic.Int64

	// conv serialises the conversation: client events, speech detection and
	// the end of a played response all change the state below.
	conv         sync.Mutex
	active       *response
	lastItemID   string
	speechItemID string
	toolCallID   string // a function call we are waiting on
	toolOutput   bool   // its function_call_output has arrived
	toolCalled   bool   // -tool-call happens once per call

	side sideband
	vad  vad
}

var opusRtpmap = regexp.MustCompile(`(?mi)^a=rtpmap:(\d+) opus/48000`)

// newCall answers the offer with a new PeerConnection.
func newCall(s *server, id, model string, session map[string]interface{}, offer string) (*call, string, error) {
	m := opusRtpmap.FindStringSubmatch(offer)
	if m == nil {
		return nil, "", badRequest("The SDP offer has no opus/48000 audio codec.", "invalid_offer", "sdp")
	}
	pt, _ := strconv.Atoi(m[1])
	c := &call{
		s: s, id: id, track: peerkit.NewRawTrack("openaistandin"), clock: newMediaClock(),
		session:   defaultSession(model),
		connected: make(chan struct{}), ended: make(chan struct{}), pcClosed: make(chan struct{}),
	}
	api, err := newAPI(s.o, uint8(pt), c.onPeerAlert)
	if err != nil {
		return nil, "", err
	}
	if c.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return nil, "", err
	}
	if session != nil {
		mergeInto(c.session, session)
	}
	if s.o.recordDir != "" {
		if c.rec, err = os.Create(filepath.Join(s.o.recordDir, id+".pkts")); err != nil {
			_ = c.pc.Close()
			return nil, "", err
		}
	}
	answer, err := c.answer(offer)
	if err != nil {
		c.end("answer failed", websocket.CloseNormalClosure)
		return nil, "", err
	}
	return c, answer, nil
}

// newAPI is one Pion API per call: the MediaEngine carries Opus on exactly the
// payload type the offer used, as OpenAI answers.
func newAPI(o options, opusPT uint8, onAlert func()) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1",
		},
		PayloadType: webrtc.PayloadType(opusPT),
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	reg, err := peerkit.RTCPReports()
	if err != nil {
		return nil, err
	}
	se, err := peerkit.LoopbackSettings(o.ip, o.logLevel)
	if err != nil {
		return nil, err
	}
	std, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	se.SetNet(&alertNet{Net: std, onAlert: onAlert})
	// OpenAI's answers say a=setup:active: the offerer is the DTLS server.
	// Pion's default agrees; saying it keeps it so if Pion's default moves.
	if err := se.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// alertNet is the standard network with one addition: it sees DTLS alert
// records arriving on the call's socket. A caller that hangs up sends
// close_notify; Pion 3.1 reports no state change for it (only ICE consent
// expiring, many seconds later), while OpenAI ends the call, and with it the
// sideband, at once. The record type is in clear text even after the
// handshake (RFC 6347 §4.1), so the socket can tell without decrypting.
type alertNet struct {
	*stdnet.Net
	onAlert func()
}

func (n *alertNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	conn, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return &alertConn{UDPConn: conn, onAlert: n.onAlert}, nil
}

type alertConn struct {
	transport.UDPConn
	onAlert func()
}

// ReadFrom is what Pion's ICE candidates read with.
func (c *alertConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.UDPConn.ReadFrom(p)
	const dtlsAlert, dtlsRecordHeader = 21, 13
	if err == nil && n > dtlsRecordHeader && p[0] == dtlsAlert {
		c.onAlert()
	}
	return n, addr, err
}

// onPeerAlert runs on Pion's read loop: a DTLS alert from the caller after
// connecting ends the association (close_notify or a fatal alert alike).
func (c *call) onPeerAlert() {
	select {
	case <-c.connected:
	default:
		return // a handshake failure is Pion's to report
	}
	if !c.isEnded() {
		peerkit.Emit("dtls_alert", "call_id", c.id)
		go c.end("caller closed DTLS", websocket.CloseNormalClosure)
	}
}

// answer applies the offer and returns the answer with every candidate in it:
// OpenAI does not trickle.
func (c *call) answer(offer string) (string, error) {
	pc := c.pc
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		peerkit.Emit("pc", "call_id", c.id, "state", st.String())
		switch st {
		case webrtc.PeerConnectionStateConnected:
			c.connectedOnce.Do(c.onConnected)
		case webrtc.PeerConnectionStateFailed:
			c.end("peer connection failed", websocket.CloseNormalClosure)
		}
	})
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		peerkit.Emit("track", "call_id", c.id, "ssrc", uint32(t.SSRC()), "payload_type", uint8(t.PayloadType()),
			"codec", t.Codec().MimeType)
		go c.receive(t)
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", badRequest("Invalid SDP offer: "+err.Error(), "invalid_offer", "sdp")
	}
	// Added after the offer so that it joins the offered audio transceiver
	// and the answer says sendrecv.
	sender, err := pc.AddTrack(c.track)
	if err != nil {
		return "", err
	}
	sender.Transport().OnStateChange(func(st webrtc.DTLSTransportState) {
		// The caller hanging up (DTLS close_notify) ends the call, and with it
		// the sideband, as OpenAI's does.
		if st == webrtc.DTLSTransportStateClosed || st == webrtc.DTLSTransportStateFailed {
			c.end("dtls "+st.String(), websocket.CloseNormalClosure)
		}
	})
	go func() { // drain RTCP so the report interceptor sees it
		for {
			if _, _, err := sender.ReadRTCP(); err != nil {
				return
			}
		}
	}()
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", badRequest("Cannot answer the SDP offer: "+err.Error(), "invalid_offer", "sdp")
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-time.After(5 * time.Second):
		return "", fmt.Errorf("ICE gathering did not complete in 5s")
	}
	return pc.LocalDescription().SDP, nil
}

// pcmuOnly rewrites an answer so its audio section carries PCMU (PT 0) alone:
// a well-formed answer a client that needs Opus must refuse.
func pcmuOnly(sdp string) string {
	nl := "\r\n"
	if !strings.Contains(sdp, "\r\n") {
		nl = "\n"
	}
	lines := strings.Split(strings.TrimRight(sdp, "\r\n"), nl)
	out := make([]string, 0, len(lines))
	inAudio := false
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			inAudio = strings.HasPrefix(l, "m=audio ")
			if inAudio {
				f := strings.Fields(l)
				if len(f) >= 3 {
					l = strings.Join(append(f[:3], "0"), " ")
				}
				out = append(out, l)
				continue
			}
		}
		if inAudio && (strings.HasPrefix(l, "a=rtpmap:") || strings.HasPrefix(l, "a=fmtp:") ||
			strings.HasPrefix(l, "a=rtcp-fb:")) {
			continue
		}
		out = append(out, l)
		if inAudio && strings.HasPrefix(l, "a=mid:") {
			out = append(out, "a=rtpmap:0 PCMU/8000")
		}
	}
	return strings.Join(out, nl) + nl
}

func (c *call) onConnected() {
	c.connectedAt = time.Now()
	close(c.connected)
	peerkit.Emit("connected", "call_id", c.id)
	go c.vadLoop()
	go c.statsLoop()
	if c.s.o.dropAfter > 0 && c.isFirst() {
		go func() {
			select {
			case <-time.After(c.s.o.dropAfter):
				c.drop()
			case <-c.ended:
			}
		}()
	}
}

func (c *call) isFirst() bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return len(c.s.order) > 0 && c.s.order[0] == c
}

// receive counts and records the caller's RTP and feeds speech detection.
func (c *call) receive(t *webrtc.TrackRemote) {
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		c.packetsReceived.Add(1)
		c.bytesReceived.Add(int64(len(pkt.Payload)))
		c.record(pkt.Payload)
		c.vadPacket(len(pkt.Payload), time.Now())
	}
}

// record appends one payload in the Opus file format of peerkit.ReadOpusFile (uint16 BE length,
// payload), with one write per packet so a reader never meets half a header
// for long.
func (c *call) record(payload []byte) {
	if c.rec == nil || len(payload) > 0xFFFF {
		return
	}
	b := make([]byte, 2+len(payload))
	binary.BigEndian.PutUint16(b, uint16(len(payload)))
	copy(b[2:], payload)
	c.recMu.Lock()
	defer c.recMu.Unlock()
	if c.rec != nil {
		if _, err := c.rec.Write(b); err != nil {
			peerkit.Emit("error", "call_id", c.id, "message", "record: "+err.Error())
			_ = c.rec.Close()
			c.rec = nil
		}
	}
}

func (c *call) statsLoop() {
	if c.s.o.statsInterval <= 0 {
		return
	}
	t := time.NewTicker(c.s.o.statsInterval)
	defer t.Stop()
	var last [3]int64
	for {
		select {
		case <-t.C:
			now := [3]int64{c.packetsReceived.Load(), c.packetsSent.Load(), c.voicedPackets.Load()}
			if now != last {
				last = now
				peerkit.Emit("rtp", "call_id", c.id, "packets_received", now[0], "bytes_received", c.bytesReceived.Load(),
					"voiced_packets", now[2], "packets_sent", now[1], "bytes_sent", c.bytesSent.Load())
			}
		case <-c.ended:
			return
		}
	}
}

// drop is the -drop-after fault: both legs go at once, as when OpenAI's side
// fails mid-call.
func (c *call) drop() {
	if c.isEnded() {
		return
	}
	c.dropped.Store(true)
	peerkit.Emit("leg_dropped", "call_id", c.id)
	c.end("dropped", websocket.CloseNormalClosure)
}

func (c *call) isEnded() bool {
	select {
	case <-c.ended:
		return true
	default:
		return false
	}
}

// end closes the sideband (with closeCode), stops any playing response, closes
// the PeerConnection and the recording. Safe to call more than once.
func (c *call) end(reason string, closeCode int) {
	c.endOnce.Do(func() {
		close(c.ended)
		peerkit.Emit("call_ended", "call_id", c.id, "reason", reason)
		c.conv.Lock()
		if c.active != nil {
			c.active.stopAudio()
			c.active = nil
		}
		c.conv.Unlock()
		c.recMu.Lock()
		if c.rec != nil {
			_ = c.rec.Close()
			c.rec = nil
		}
		c.recMu.Unlock()
		c.side.closeWith(closeCode, reason)
		// Close from another goroutine: end() may run inside a Pion callback
		// that Close would wait for. shutdown() waits on pcClosed.
		go func() {
			defer close(c.pcClosed)
			if err := c.pc.Close(); err != nil {
				peerkit.Emit("error", "call_id", c.id, "message", "close: "+err.Error())
			}
		}()
	})
}

func (c *call) stats() obj {
	connected := false
	select {
	case <-c.connected:
		connected = true
	default:
	}
	return jo("call_id", c.id, "connected", connected, "dropped", c.dropped.Load(),
		"packets_received", c.packetsReceived.Load(), "bytes_received", c.bytesReceived.Load(),
		"voiced_packets", c.voicedPackets.Load(),
		"packets_sent", c.packetsSent.Load(), "bytes_sent", c.bytesSent.Load(),
		"client_events", c.clientEvents.Load(),
		"responses_completed", c.responsesDone.Load(), "responses_cancelled", c.responsesCancelled.Load())
}
