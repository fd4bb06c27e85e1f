package dev.wavoice.media.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * A datagram that says it is STUN, through {@link StunMessage#parse} and the MESSAGE-INTEGRITY and FINGERPRINT
 * checks. What parses re-serialises, signed under our key, to bytes that parse to the same message and pass the
 * check again. A signed message with any one bit flipped in what MESSAGE-INTEGRITY covers (the header and every
 * attribute up to and including it) must never pass. A bit flipped after it, in the FINGERPRINT, must fail the CRC,
 * or (when it changes the attribute's type) leave an unknown attribute after MESSAGE-INTEGRITY, which RFC 8489
 * §14.5 says to ignore: the message may then pass, but must read exactly as the signed one.
 */
class StunMessageFuzzTest {
    private static final MessageIntegrity KEY = MessageIntegrity.shortTerm("fuzz-password-0123456789");
    private static final byte[] FALLBACK = StunMessageBuilder.bindingRequest(TransactionId.read(new byte[12], 0))
            .add(new StunAttribute.Username("local:remote")).add(new StunAttribute.Priority(1862270975L))
            .encode(KEY, true);

    @FuzzTest
    void parseSignVerifyAndFlip(byte[] input) {
        StunMessage message = StunMessage.parse(input, 0, input.length);
        String username = StunMessage.usernameOf(input, 0, input.length);
        if (message == null) {
            signedThenFlipped(FALLBACK, input);
            return;
        }
        assertThat(StunMessage.isStun(input, 0, input.length)).isTrue();
        if (message.username() != null) {
            assertThat(username).isEqualTo(message.username());
        }
        boolean passedBefore = KEY.verify(input, 0, message);
        if (passedBefore) {
            assertThat(message.hasIntegrity()).isTrue();
        }

        StunMessageBuilder builder = StunMessageBuilder.of(message.method(), message.stunClass(),
                message.transactionId());
        message.attributes().forEach(builder::add);
        byte[] signed = builder.encode(KEY, true);
        StunMessage reparsed = StunMessage.parse(signed, 0, signed.length);
        assertThat(reparsed).as("re-serialised %s", message).isNotNull();
        assertThat(reparsed.method()).isEqualTo(message.method());
        assertThat(reparsed.stunClass()).isEqualTo(message.stunClass());
        assertThat(reparsed.transactionId()).isEqualTo(message.transactionId());
        assertSameAttributes(reparsed.attributes(), message.attributes());
        assertThat(KEY.verify(signed, 0, reparsed)).isTrue();
        signedThenFlipped(signed, input);
    }

    /** Flips the bit the input picks in a correctly signed message: the result must be refused. */
    private static void signedThenFlipped(byte[] signed, byte[] input) {
        int pick = input.length == 0 ? 0 : Arrays.hashCode(input) & 0x7fffffff;
        int bit = pick % (signed.length * 8);
        byte[] mutated = signed.clone();
        mutated[bit / 8] ^= (byte) (1 << (bit % 8));
        StunMessage m = StunMessage.parse(mutated, 0, mutated.length);
        boolean passes = m != null && KEY.verify(mutated, 0, m);
        StunMessage original = StunMessage.parse(signed, 0, signed.length);
        int authenticatedEnd = original.integrityOffset() + 4 + MessageIntegrity.LENGTH;
        if (bit / 8 < authenticatedEnd) {
            assertThat(passes).as("bit %d flipped still passes", bit).isFalse();
        } else if (passes) {
            assertThat(m.method()).isEqualTo(original.method());
            assertThat(m.stunClass()).isEqualTo(original.stunClass());
            assertThat(m.transactionId()).isEqualTo(original.transactionId());
            assertSameAttributes(m.attributes(), original.attributes());
        }
    }

    private static void assertSameAttributes(List<StunAttribute> actual, List<StunAttribute> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) instanceof StunAttribute.Unknown u) {
                StunAttribute.Unknown a = (StunAttribute.Unknown) actual.get(i);
                assertThat(a.type()).isEqualTo(u.type());
                assertThat(a.value()).isEqualTo(u.value());
            } else {
                assertThat(actual.get(i)).isEqualTo(expected.get(i));
            }
        }
    }
}
