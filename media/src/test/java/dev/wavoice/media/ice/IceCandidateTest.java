package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.sdp.Candidate;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class IceCandidateTest {

    @Test
    void priorityFollowsRfc8445Formula() {
        // (2^24)*126 + (2^8)*65535 + (256 - 1): the highest host priority, as browsers write it
        assertThat(IceCandidate.priority(CandidateType.HOST, 65535, 1)).isEqualTo(2130706431L);
        assertThat(IceCandidate.priority(CandidateType.SERVER_REFLEXIVE, 65535, 1)).isEqualTo(1694498815L);
        assertThat(IceMessages.prflxPriority(IceCandidate.host(new InetSocketAddress("10.0.0.1", 1), 65535)))
                .isEqualTo(1862270975L);
    }

    @Test
    void pairPriorityFollowsRfc8445Formula() {
        long g = 2130706431L;
        long d = 1694498815L;
        assertThat(CandidatePair.priority(g, d)).isEqualTo((d << 32) + 2 * g + 1);
        assertThat(CandidatePair.priority(d, g)).isEqualTo((d << 32) + 2 * g);
        assertThat(CandidatePair.priority(0xFFFFFFFFL, 0xFFFFFFFFL)).isPositive(); // oversized input cannot overflow
    }

    @Test
    void readsTheWhatsAppCandidateFromSdp() throws Exception {
        Candidate sdp = Candidate.parse(
                "1972637320 1 udp 2113937151 203.0.113.60 40012 typ host generation 0 network-cost 50 ufrag Qm7rT2xKp9Lw/4");

        IceCandidate c = IceCandidate.fromSdp(sdp);

        assertThat(c.type()).isEqualTo(CandidateType.HOST);
        assertThat(c.address()).isEqualTo(new InetSocketAddress("203.0.113.60", 40012));
        assertThat(c.priority()).isEqualTo(2113937151L);
        assertThat(c.foundation()).isEqualTo("1972637320");
    }

    @Test
    void skipsCandidatesWeCannotUse() throws Exception {
        assertThat(IceCandidate.fromSdp(Candidate.parse("1 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active"))).isNull();
        assertThat(IceCandidate.fromSdp(Candidate.parse("1 2 udp 2122260222 192.168.1.23 5000 typ host"))).isNull();
        assertThat(IceCandidate.fromSdp(Candidate.parse("1 1 udp 2122260223 2f1c3e9a-7b.local 5000 typ host"))).isNull();
        assertThat(IceCandidate.fromSdp(Candidate.parse("1 1 udp 2122260223 10.0.0.1 5000 typ weird"))).isNull();
        assertThat(IceCandidate.fromSdp(Candidate.parse("1 1 udp 2122260223 fe80::1 5000 typ host")).isIpv4()).isFalse();
    }

    @Test
    void aWildcardAddressIsNotAHostCandidate() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> IceCandidate.host(new InetSocketAddress("0.0.0.0", 3478), 65535))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void announcedAddressIsWrittenAsServerReflexiveOfItsBase() {
        InetSocketAddress base = new InetSocketAddress("10.0.0.5", 3478);
        IceCandidate announced = IceCandidate.announced(new InetSocketAddress("198.51.100.20", 3478), base, 65535);

        assertThat(announced.toSdp().format()).isEqualTo(announced.foundation()
                + " 1 udp 1694498815 198.51.100.20 3478 typ srflx raddr 10.0.0.5 rport 3478");
        assertThat(IceCandidate.host(base, 65534).toSdp().format()).endsWith(" 1 udp 2130706175 10.0.0.5 3478 typ host");
    }
}
