package dev.wavoice.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CandidateTest {

    @Test
    void parsesWhatsAppCandidateWithExtensions() throws Exception {
        String text = "1972637320 1 udp 2113937151 203.0.113.60 40012 typ host generation 0 network-cost 50 ufrag Qm7rT2xKp9Lw/4";

        Candidate c = Candidate.parse(text);

        assertThat(c.foundation()).isEqualTo("1972637320");
        assertThat(c.component()).isEqualTo(1);
        assertThat(c.isUdp()).isTrue();
        assertThat(c.priority()).isEqualTo(2113937151L);
        assertThat(c.address()).isEqualTo("203.0.113.60");
        assertThat(c.port()).isEqualTo(40012);
        assertThat(c.type()).isEqualTo(Candidate.HOST);
        assertThat(c.generation()).hasValue(0);
        assertThat(c.networkCost()).hasValue(50);
        assertThat(c.ufrag()).hasValue("Qm7rT2xKp9Lw/4");
        assertThat(c.format()).isEqualTo(text);
    }

    @Test
    void parsesServerReflexiveWithRelatedAddressAndTcpType() throws Exception {
        Candidate srflx = Candidate.parse(
                "candidate:842163049 1 udp 1686052607 198.51.100.7 56143 typ srflx raddr 192.168.1.23 rport 56143 generation 0");
        Candidate tcp = Candidate.parse("4233069003 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active");

        assertThat(srflx.relatedAddress()).isEqualTo("192.168.1.23");
        assertThat(srflx.relatedPort()).isEqualTo(56143);
        assertThat(srflx.format()).isEqualTo(
                "842163049 1 udp 1686052607 198.51.100.7 56143 typ srflx raddr 192.168.1.23 rport 56143 generation 0");
        assertThat(tcp.isUdp()).isFalse();
        assertThat(tcp.extension("tcptype")).hasValue("active");
    }

    @Test
    void rejectsMalformedCandidates() {
        for (String bad : new String[] {
                "1 1 udp 100 10.0.0.1 5000 host",             // no typ
                "1 1 udp 100 10.0.0.1",                       // short
                "1 x udp 100 10.0.0.1 5000 typ host",         // component
                "1 1 udp -5 10.0.0.1 5000 typ host",          // priority
                "1 1 udp 100 10.0.0.1 99999 typ host",        // port
                "1 1 udp 100 10.0.0.1 5000 typ host generation", // dangling extension
                "candidate:candidate:1 1 udp 100 10.0.0.1 5000 typ host", // foundation "candidate:1" (found by fuzzing)
                "123456789012345678901234567890123 1 udp 100 10.0.0.1 5000 typ host", // foundation over 32 chars
        }) {
            assertThatThrownBy(() -> Candidate.parse(bad)).as(bad).isInstanceOf(SdpParseException.class)
                    .hasMessageContaining(bad);
        }
    }
}
