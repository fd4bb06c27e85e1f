package dev.wavoice.media.ice;

/** The agent's overall state, a reduced form of the RTCIceTransportState of WebRTC. */
public enum IceState {
    NEW, CHECKING, CONNECTED, DISCONNECTED, FAILED, CLOSED
}
