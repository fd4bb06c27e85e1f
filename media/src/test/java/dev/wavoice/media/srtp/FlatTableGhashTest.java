package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.bouncycastle.crypto.modes.gcm.Tables4kGCMMultiplier;
import org.junit.jupiter.api.Test;

/** The flat table computes what Bouncy Castle's two-level one does, for any H and any block. */
class FlatTableGhashTest {

    @Test
    void multipliesLikeBouncyCastlesTable() {
        SplittableRandom random = new SplittableRandom(7);
        for (int key = 0; key < 50; key++) {
            byte[] h = new byte[16];
            random.nextBytes(h);
            FlatTableGhash flat = new FlatTableGhash();
            Tables4kGCMMultiplier reference = new Tables4kGCMMultiplier();
            flat.init(h);
            reference.init(h);
            for (int block = 0; block < 200; block++) {
                byte[] x = new byte[16];
                random.nextBytes(x);
                if (block == 0) {
                    x = new byte[16]; // zero
                }
                byte[] expected = x.clone();
                reference.multiplyH(expected);
                flat.multiplyH(x);
                assertThat(x).as("key %d block %d", key, block).isEqualTo(expected);
            }
        }
    }
}
