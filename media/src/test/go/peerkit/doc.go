// Package peerkit is what the Go test programs (pionpeer, openaistandin) share:
// the stdout protocol (one JSON object per line, each with "t_ms"), the stdin
// reader and signal handling, the raw RTP track, the Opus file format the Java
// tests write, and Pion's settings for one loopback host candidate.
//
// The programs build in GOPATH mode (see PionPeerBinary.java), which links this
// directory in as the import path wavoice.dev/peerkit.
package peerkit
