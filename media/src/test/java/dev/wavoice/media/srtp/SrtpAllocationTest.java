package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packet path must not allocate in steady state. Reports bytes per packet around 10k packets
 * (after a warm-up) and guards against regressions; it never asserts on time.
 */
class SrtpAllocationTest {

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void steadyStateProtectAndUnprotectDoNotAllocate(SrtpProfile profile) {
        SrtpBench.measure(profile, 20_000);
        SrtpBench.Round r = SrtpBench.measure(profile, 10_000);
        System.out.printf("%s: %.2f bytes allocated per protect+unprotect%n", profile, r.bytesPerPacket());
        // A context, its streams and scratch are created inside measure(); what is left per
        // packet must be well under one object.
        assertThat(r.bytesPerPacket()).isLessThan(8.0);
    }
}
