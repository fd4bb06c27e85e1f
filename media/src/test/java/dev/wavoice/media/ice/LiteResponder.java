package dev.wavoice.media.ice;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import java.net.InetSocketAddress;

/** A minimal ICE-lite peer (RFC 8445 §2.5), like WhatsApp's edge: it answers checks and never sends its own. */
final class LiteResponder implements FakeNetwork.Receiver {
    final IceCredentials credentials;
    final FakeNetwork network;
    final DatagramSender sender;
    final MessageIntegrity key;
    int requests;
    int useCandidates;
    int controlling;

    LiteResponder(IceCredentials credentials, FakeNetwork network, InetSocketAddress self) {
        this.credentials = credentials;
        this.network = network;
        this.sender = network.senderFor(self);
        this.key = MessageIntegrity.shortTerm(credentials.pwd());
    }

    @Override
    public void receive(byte[] data, InetSocketAddress from, long now) {
        StunMessage m = StunMessage.parse(data, 0, data.length);
        if (m == null || !m.isBindingRequest() || !key.verify(data, 0, m)
                || !m.username().startsWith(credentials.ufrag() + ":")) {
            return;
        }
        requests++;
        if (m.has(StunAttribute.UseCandidate.class)) {
            useCandidates++;
        }
        if (m.has(StunAttribute.IceControlling.class)) {
            controlling++;
        }
        byte[] response = StunMessageBuilder.bindingSuccess(m.transactionId())
                .add(new StunAttribute.XorMappedAddress(from)).encode(key, true);
        sender.send(response, 0, response.length, from);
    }
}
