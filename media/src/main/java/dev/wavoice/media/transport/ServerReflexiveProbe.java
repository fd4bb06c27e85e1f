package dev.wavoice.media.transport;

import dev.wavoice.media.stun.StunClass;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the public address of a mux's port from a STUN server (RFC 8489 Binding request, §6.2.1
 * retransmissions) on a virtual thread. Every call on the port shares that address, so it is asked once per
 * mux, not per call, and a call never waits for it: offers and answers use it only when it is already known
 * (as {@code IceCandidate.announced(address, host, ...)}, a server-reflexive candidate).
 */
public final class ServerReflexiveProbe {
    private static final Logger log = LoggerFactory.getLogger(ServerReflexiveProbe.class);

    private final CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
    private final TransactionId transactionId = TransactionId.random(new SecureRandom());
    private final InetSocketAddress server;
    private final MuxEndpoint endpoint;

    private ServerReflexiveProbe(UdpMux mux, InetSocketAddress server) {
        this.server = server;
        // Responses come back by address; the ufrag only needs to be unique on the mux and is never sent.
        this.endpoint = mux.register("srflx-probe-" + transactionId, "probe/" + transactionId, this::onPacket);
    }

    /**
     * Starts asking {@code server}; retransmits after {@code initialRto}, doubling, {@code maxRetransmissions}
     * times, then gives up with a {@link TimeoutException} in {@link #result()}.
     */
    public static ServerReflexiveProbe start(UdpMux mux, InetSocketAddress server, Duration initialRto,
                                             int maxRetransmissions) {
        ServerReflexiveProbe probe = new ServerReflexiveProbe(mux, server);
        Thread.ofVirtual().name("srflx-probe").start(() -> probe.run(initialRto, maxRetransmissions));
        return probe;
    }

    /** Completes with the mapped address, or exceptionally when the server never answered. */
    public CompletableFuture<InetSocketAddress> result() {
        return result;
    }

    /** The address if it is known by now; never blocks (offers and answers must not wait for STUN). */
    public InetSocketAddress addressIfKnown() {
        return result.isDone() && !result.isCompletedExceptionally() ? result.join() : null;
    }

    private void run(Duration initialRto, int maxRetransmissions) {
        byte[] request = StunMessageBuilder.bindingRequest(transactionId).encode(null, true);
        endpoint.route(server);
        long rto = initialRto.toNanos();
        try {
            for (int attempt = 0; attempt <= maxRetransmissions && !result.isDone(); attempt++) {
                endpoint.send(request, 0, request.length, server);
                try {
                    result.get(rto, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    rto *= 2;
                } catch (ExecutionException e) {
                    break;
                }
            }
            if (result.completeExceptionally(new TimeoutException("no answer from STUN server " + server))) {
                log.info("srflx probe: no answer from STUN server {}", server);
            }
        } catch (InterruptedException e) {
            result.completeExceptionally(e);
            Thread.currentThread().interrupt();
        } finally {
            endpoint.close();
        }
    }

    private void onPacket(PacketClass cls, byte[] buf, int off, int len, InetSocketAddress from) {
        if (cls != PacketClass.STUN) {
            return;
        }
        StunMessage m = StunMessage.parse(buf, off, len);
        if (m != null && m.transactionId().equals(transactionId) && m.stunClass() == StunClass.SUCCESS_RESPONSE
                && m.mappedAddress() != null && result.complete(m.mappedAddress())) {
            log.info("srflx probe: {} sees this port as {}", server, m.mappedAddress());
        }
    }
}
