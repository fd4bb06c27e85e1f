package dev.wavoice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.srtp.SrtpProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each benchmark's setup and one call of its method, outside JMH: a broken benchmark fails the build here
 * instead of minutes into a JMH run. No timing is asserted anywhere.
 */
class BenchmarkSetupSmokeTest {

    @Test
    void stunMessagesVerifyAndBuild() {
        StunConsentCheckBenchmark b = new StunConsentCheckBenchmark();
        b.setUp();
        assertThat(b.parseAndVerifyRequest()).isTrue();
        assertThat(b.parseAndVerifyResponse()).isTrue();
        assertThat(b.buildRequest()).hasSizeGreaterThan(20);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void srtpBatchesProtectAndUnprotectWithoutDrops(SrtpProfile profile) {
        SrtpProtectBenchmark p = new SrtpProtectBenchmark();
        p.profile = profile;
        p.open();
        SrtpUnprotectBenchmark u = new SrtpUnprotectBenchmark();
        u.profile = profile;
        u.open();
        // Three batches: sequence numbers must keep increasing across them or the replay window drops repeats.
        for (int i = 0; i < 3; i++) {
            p.nextPlainPackets();
            p.protect();
            p.check();
            u.nextProtectedPackets();
            assertThat(u.unprotect()).isEqualTo((long) SrtpUnprotectBenchmark.BATCH * RtpBatch.PLAIN);
            u.check();
        }
    }

    @Test
    void answersTheWhatsAppOfferAndLeavesNoEndpointBehind() throws Exception {
        OfferToAnswerBenchmark b = new OfferToAnswerBenchmark();
        b.open();
        assertThat(b.answerAndClose()).isGreaterThan(100);
        b.close();
    }

    @Test
    void dtlsHandshakeConnectsBothEnds() throws Exception {
        DtlsHandshakeBenchmark b = new DtlsHandshakeBenchmark();
        b.certificates();
        b.measuring = true;
        b.handshake();
        assertThat(b.clientCpu.count()).isEqualTo(1);
        assertThat(b.serverCpu.count()).isEqualTo(1);
    }

    /** The bundled copy must stay the fixture; checked wherever the shared folder sits beside the repository. */
    @Test
    void bundledOfferIsTheSharedFixture() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        for (Path dir = root; dir != null; dir = dir.getParent()) {
            Path fixture = dir.resolve("shared/fixtures/whatsapp/offer.sdp");
            if (Files.isRegularFile(fixture)) {
                assertThat(WhatsAppOffer.sdp()).isEqualTo(Files.readString(fixture));
                return;
            }
        }
        assertThat(WhatsAppOffer.sdp()).contains("a=ice-lite", "a=setup:actpass");
    }
}
