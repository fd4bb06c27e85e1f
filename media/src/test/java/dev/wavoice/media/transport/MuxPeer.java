package dev.wavoice.media.transport;

import dev.wavoice.media.ice.IceAgent;
import dev.wavoice.media.ice.IceCandidate;
import dev.wavoice.media.ice.IceConfig;
import dev.wavoice.media.ice.IceCredentials;
import dev.wavoice.media.ice.IceEvent;
import dev.wavoice.media.ice.IceRole;
import dev.wavoice.media.ice.IceState;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** One call's endpoint on a mux, wired the way the media endpoint will wire it: STUN to ICE, the rest queued. */
final class MuxPeer {
    final String id;
    final UdpMux mux;
    final IceCredentials credentials = IceCredentials.random(new SecureRandom());
    final MuxEndpoint endpoint;
    final IceAgent agent;
    final List<IceEvent> events = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> media = new LinkedBlockingQueue<>();

    MuxPeer(String id, UdpMux mux, IceRole role) {
        this.id = id;
        this.mux = mux;
        IceAgent[] self = new IceAgent[1];
        this.endpoint = mux.register(id, credentials.ufrag(), (cls, buf, off, len, from) -> {
            if (cls == PacketClass.STUN) {
                self[0].handleStun(buf, off, len, from, System.nanoTime());
            } else {
                // Copy: the buffer belongs to the mux and is reused after this call.
                media.add(cls + ":" + new String(Arrays.copyOfRange(buf, off + 1, off + len)).trim());
            }
        });
        this.agent = new IceAgent(id, IceConfig.defaults(), credentials, role, endpoint, events::add, new SecureRandom());
        self[0] = agent;
        agent.addLocalCandidate(IceCandidate.host(mux.localAddress(), 65535));
    }

    void connectTo(MuxPeer peer) {
        agent.setRemoteCredentials(peer.credentials.ufrag(), peer.credentials.pwd(), false);
        agent.addRemoteCandidate(IceCandidate.host(peer.mux.localAddress(), 65535));
    }

    /** Sends a fake RTP (first byte 0x80) or DTLS (first byte 22) datagram to the selected remote address. */
    void sendMedia(PacketClass cls, String text) {
        byte[] body = (" " + text + "               ").getBytes();
        body[0] = (byte) (cls == PacketClass.RTP ? 0x80 : 22);
        InetSocketAddress to = agent.selectedPair().remote().address();
        endpoint.send(body, 0, body.length, to);
    }

    boolean connected() {
        return agent.state() == IceState.CONNECTED;
    }
}
