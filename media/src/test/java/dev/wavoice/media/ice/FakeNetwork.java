package dev.wavoice.media.ice;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** An in-memory datagram network with a fake clock; deterministic, single-threaded. */
final class FakeNetwork {
    record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {
    }

    interface Receiver {
        void receive(byte[] data, InetSocketAddress from, long now);
    }

    private final Map<InetSocketAddress, Receiver> hosts = new HashMap<>();
    private final Deque<Datagram> inFlight = new ArrayDeque<>();
    private final List<IceAgent> agents = new ArrayList<>();
    final Set<InetSocketAddress> routed = new HashSet<>();
    final List<Datagram> sent = new ArrayList<>();
    Predicate<Datagram> drop = d -> false;
    int dropped;
    long now = 1_000_000_000L;

    void attach(InetSocketAddress address, Receiver receiver) {
        hosts.put(address, receiver);
    }

    void attach(InetSocketAddress address, IceAgent agent) {
        agents.add(agent);
        attach(address, (data, from, t) -> agent.handleStun(data, 0, data.length, from, t));
    }

    DatagramSender senderFor(InetSocketAddress self) {
        return new DatagramSender() {
            @Override
            public void send(byte[] buf, int off, int len, InetSocketAddress to) {
                Datagram d = new Datagram(self, to, Arrays.copyOfRange(buf, off, off + len));
                sent.add(d);
                inFlight.add(d);
            }

            @Override
            public void route(InetSocketAddress remote) {
                routed.add(remote);
            }

            @Override
            public void unroute(InetSocketAddress remote) {
                routed.remove(remote);
            }
        };
    }

    void deliverAll() {
        Datagram d;
        while ((d = inFlight.poll()) != null) {
            Receiver r = hosts.get(d.to());
            if (r == null || drop.test(d)) {
                dropped++;
                continue;
            }
            r.receive(d.data(), d.from(), now);
        }
    }

    /** Advances the clock in 5 ms steps, ticking every agent and delivering everything in between. */
    void run(long millis) {
        long end = now + millis * 1_000_000L;
        while (now < end) {
            for (IceAgent a : agents) {
                a.tick(now);
            }
            deliverAll();
            now += 5_000_000L;
        }
    }

    /** Runs until the condition holds or the time is up; returns the elapsed milliseconds. */
    long runUntil(java.util.function.BooleanSupplier done, long maxMillis) {
        long start = now;
        long end = now + maxMillis * 1_000_000L;
        while (now < end && !done.getAsBoolean()) {
            run(5);
        }
        return (now - start) / 1_000_000L;
    }
}
