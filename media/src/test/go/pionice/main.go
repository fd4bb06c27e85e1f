// pionice is an independent ICE peer for PionIceInteropTest: a pion/ice agent on 127.0.0.1 that is either
// ICE-lite (like WhatsApp's edge), a full controlled agent, or a full controlling agent.
//
// Protocol on stdin/stdout, one item per line:
//   out: "CAND <candidate>"... then "CREDS <ufrag> <pwd>"
//   in:  "CREDS <ufrag> <pwd>", "CAND <candidate>"..., "END"
//   out: "CONNECTED <pair>" or "FAILED <why>", then "ECHOED <n>" after echoing the first data datagram.
//
// Built by the test in GOPATH mode against Debian's golang-github-pion-ice-dev.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/pion/ice/v2"
)

func check(err error) {
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
}

func main() {
	mode := os.Args[1] // lite | controlled | controlling
	cfg := &ice.AgentConfig{
		NetworkTypes:     []ice.NetworkType{ice.NetworkTypeUDP4},
		CandidateTypes:   []ice.CandidateType{ice.CandidateTypeHost},
		Lite:             mode == "lite",
		IncludeLoopback:  true,
		IPFilter:         func(ip net.IP) bool { return ip.IsLoopback() },
		MulticastDNSMode: ice.MulticastDNSModeDisabled,
	}
	a, err := ice.NewAgent(cfg)
	check(err)
	gathered := make(chan struct{})
	check(a.OnCandidate(func(c ice.Candidate) {
		if c == nil {
			close(gathered)
		} else {
			fmt.Println("CAND", c.Marshal())
		}
	}))
	check(a.GatherCandidates())
	<-gathered
	ufrag, pwd, err := a.GetLocalUserCredentials()
	check(err)
	fmt.Println("CREDS", ufrag, pwd)

	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	remote := strings.Fields(in.Text())
	for in.Scan() && in.Text() != "END" {
		c, err := ice.UnmarshalCandidate(strings.TrimPrefix(in.Text(), "CAND "))
		check(err)
		check(a.AddRemoteCandidate(c))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var conn *ice.Conn
	if mode == "controlling" {
		conn, err = a.Dial(ctx, remote[1], remote[2])
	} else {
		conn, err = a.Accept(ctx, remote[1], remote[2])
	}
	if err != nil {
		fmt.Println("FAILED", err)
		os.Exit(1)
	}
	pair, _ := a.GetSelectedCandidatePair()
	fmt.Println("CONNECTED", pair)

	buf := make([]byte, 1500)
	check(conn.SetReadDeadline(time.Now().Add(10 * time.Second)))
	n, err := conn.Read(buf)
	check(err)
	_, err = conn.Write(buf[:n])
	check(err)
	fmt.Println("ECHOED", n)
	in.Scan() // stay up (answering consent checks) until the test closes stdin
}
