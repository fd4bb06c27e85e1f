package dev.wavoice.media.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pairs of full agents (one controlling, one controlled) on an in-memory network, driven by a real
 * {@link IceTicker}; datagrams are delivered on one thread of the network's own, so no agent lock is ever held while
 * another is taken. Uses only the public API, so the load harness also runs against older builds.
 */
final class TickedAgents implements AutoCloseable {
    final List<IceAgent> agents = new ArrayList<>();
    final Set<String> connected = ConcurrentHashMap.newKeySet();
    final Set<String> disconnected = ConcurrentHashMap.newKeySet();
    final Set<String> failed = ConcurrentHashMap.newKeySet();
    volatile boolean delivering = true;
    private final ExecutorService network = Executors.newSingleThreadExecutor();
    private final Map<InetSocketAddress, IceAgent> byAddress = new ConcurrentHashMap<>();

    TickedAgents(IceTicker ticker, int pairs, IceConfig config) throws UnknownHostException {
        Random random = new Random(7);
        for (int i = 0; i < pairs; i++) {
            InetSocketAddress aAddress = address(10, i), bAddress = address(11, i);
            IceCredentials aCredentials = IceCredentials.random(random), bCredentials = IceCredentials.random(random);
            IceAgent a = agent("a" + i, config, aCredentials, IceRole.CONTROLLING, aAddress, random);
            IceAgent b = agent("b" + i, config, bCredentials, IceRole.CONTROLLED, bAddress, random);
            a.setRemoteCredentials(bCredentials.ufrag(), bCredentials.pwd(), false);
            b.setRemoteCredentials(aCredentials.ufrag(), aCredentials.pwd(), false);
            a.addRemoteCandidate(IceCandidate.host(bAddress, 65535));
            b.addRemoteCandidate(IceCandidate.host(aAddress, 65535));
            ticker.add(a);
            ticker.add(b);
            long now = System.nanoTime();
            a.start(now);
            b.start(now);
        }
    }

    private IceAgent agent(String id, IceConfig config, IceCredentials credentials, IceRole role,
            InetSocketAddress address, Random random) {
        IceAgent agent = new IceAgent(id, config, credentials, role, sender(address), event -> {
            switch (event) {
                case IceEvent.Connected c -> connected.add(id);
                case IceEvent.Disconnected d -> disconnected.add(id);
                case IceEvent.Failed f -> failed.add(id);
                default -> { }
            }
        }, random);
        agent.addLocalCandidate(IceCandidate.host(address, 65535));
        byAddress.put(address, agent);
        agents.add(agent);
        return agent;
    }

    private DatagramSender sender(InetSocketAddress from) {
        return (buf, off, len, to) -> {
            if (!delivering) {
                return;
            }
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            network.execute(() -> {
                IceAgent peer = byAddress.get(to);
                if (peer != null) {
                    peer.handleStun(copy, 0, copy.length, from, System.nanoTime());
                }
            });
        };
    }

    private static InetSocketAddress address(int net, int i) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) net, 0, (byte) (i >> 8), (byte) i}),
                5000);
    }

    long consentRequestsSent() {
        return agents.stream().mapToLong(a -> a.stats().consentRequestsSent()).sum();
    }

    @Override
    public void close() {
        agents.forEach(IceAgent::close);
        network.shutdownNow();
    }
}
