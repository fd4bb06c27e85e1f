package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DtlsDatagramChannelTest {

    @Test
    void copiesPushedDatagramsAndHandsThemToThePullSide() throws Exception {
        var channel = new DtlsDatagramChannel((b, o, l) -> { }, 1200, 8);
        byte[] shared = {22, 1, 2, 3};
        channel.offer(shared, 0, 4);
        shared[1] = 99; // the mux reuses its buffer at once
        byte[] out = new byte[1500];
        assertThat(channel.receive(out, 0, out.length, 10)).isEqualTo(4);
        assertThat(out[1]).isEqualTo((byte) 1);
        assertThat(channel.receive(out, 0, out.length, 1)).as("timeout").isEqualTo(-1);
    }

    @Test
    void countsOnlyTheWaitsThatEndedEmpty() throws Exception {
        var channel = new DtlsDatagramChannel((b, o, l) -> { }, 1200, 8);
        byte[] out = new byte[1500];
        channel.offer(new byte[] {22, 1}, 0, 2);
        assertThat(channel.receive(out, 0, out.length, 1_000)).isEqualTo(2);
        assertThat(channel.emptyWaits()).as("a queued datagram is no wait").isZero();
        assertThat(channel.waitedNanos()).isZero();

        assertThat(channel.receive(out, 0, out.length, 2)).isEqualTo(-1);
        assertThat(channel.emptyWaits()).isEqualTo(1);
        assertThat(channel.waitedNanos()).as("a poll waits at least its timeout").isGreaterThanOrEqualTo(2_000_000L);
    }

    @Test
    void recordsArePackedUpToTheMtuAndLeaveWhenTheHandshakeWaits() throws Exception {
        java.util.List<Integer> datagrams = new java.util.ArrayList<>();
        var channel = new DtlsDatagramChannel((b, o, l) -> datagrams.add(l), 256, 8);
        byte[] record = new byte[100];
        channel.send(record, 0, 100);
        channel.send(record, 0, 100);
        assertThat(datagrams).as("a flight in progress is held").isEmpty();
        channel.send(record, 0, 100); // would exceed 256: the first two leave together
        assertThat(datagrams).containsExactly(200);
        assertThat(channel.receive(new byte[1500], 0, 1500, 1)).isEqualTo(-1);
        assertThat(datagrams).as("waiting for the peer sends the rest").containsExactly(200, 100);
        assertThat(channel.sent.get()).isEqualTo(2);
    }

    @Test
    void closeSendsWhatIsPackedThenNothingMore() throws Exception {
        java.util.List<Integer> datagrams = new java.util.ArrayList<>();
        var channel = new DtlsDatagramChannel((b, o, l) -> datagrams.add(l), 1200, 8);
        channel.send(new byte[31], 0, 31); // a close_notify
        channel.close();
        channel.send(new byte[31], 0, 31);
        channel.flush();
        assertThat(datagrams).containsExactly(31);
    }

    @Test
    void fullQueueDropsAndCountsInsteadOfBlockingTheMux() {
        var channel = new DtlsDatagramChannel((b, o, l) -> { }, 1200, 4);
        for (int i = 0; i < 10; i++) {
            channel.offer(new byte[] {22, (byte) i}, 0, 2);
        }
        assertThat(channel.received.get()).isEqualTo(4);
        assertThat(channel.droppedFull.get()).isEqualTo(6);
    }

    @Test
    void closeWakesABlockedReceiver() {
        var channel = new DtlsDatagramChannel((b, o, l) -> { }, 1200, 4);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            channel.close();
        });
        assertThatThrownBy(() -> channel.receive(new byte[100], 0, 100, 5_000))
                .isInstanceOf(DtlsDatagramChannel.ChannelClosedException.class);
        channel.offer(new byte[] {22}, 0, 1);
        assertThat(channel.droppedClosed.get()).isEqualTo(1);
    }

    @Test
    void sendLimitIsTheConfiguredMtu() throws Exception {
        int[] sent = new int[1];
        var channel = new DtlsDatagramChannel((b, o, l) -> sent[0] = l, 1200, 4);
        assertThat(channel.getSendLimit()).isEqualTo(1200);
        channel.send(new byte[300], 0, 300);
        channel.flush();
        assertThat(sent[0]).isEqualTo(300);
    }
}
