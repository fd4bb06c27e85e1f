package peerkit

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/pion/ice/v2"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v3"
)

// LoopbackSettings is a SettingEngine with Pion's log on stderr at logLevel
// (stdout is the protocol) and one UDP host candidate on ipv4 and nothing
// else: no other interfaces, no IPv6, no mDNS (which would multicast off the
// box).
func LoopbackSettings(ipv4, logLevel string) (webrtc.SettingEngine, error) {
	s := webrtc.SettingEngine{}
	lf := logging.NewDefaultLoggerFactory()
	lf.Writer = os.Stderr // Pion logs to stdout by default; stdout is our protocol
	lf.DefaultLogLevel = parseLogLevel(logLevel)
	s.LoggerFactory = lf

	ip := net.ParseIP(ipv4)
	if ip == nil || ip.To4() == nil {
		return s, fmt.Errorf("-ip %q is not an IPv4 address", ipv4)
	}
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetIncludeLoopbackCandidate(true)
	s.SetIPFilter(func(candidate net.IP) bool { return candidate.Equal(ip) })
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return s, nil
}

// RTCPReports is an interceptor registry with sender and receiver reports
// only: they exercise the other side's RTCP handling without adding header
// extensions.
func RTCPReports() (*interceptor.Registry, error) {
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	return reg, nil
}

func parseLogLevel(s string) logging.LogLevel {
	switch strings.ToLower(s) {
	case "error":
		return logging.LogLevelError
	case "info":
		return logging.LogLevelInfo
	case "debug":
		return logging.LogLevelDebug
	case "trace":
		return logging.LogLevelTrace
	default:
		return logging.LogLevelWarn
	}
}
