package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    final WebhookSignature sig = new WebhookSignature("app-secret");
    final byte[] body = "{\"object\":\"whatsapp_business_account\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchesAnIndependentlyComputedHmac() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("app-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body));

        assertThat(sig.sign(body)).isEqualTo(expected);
        assertThat(sig.verify(body, expected)).isTrue();
        assertThat(sig.verify(body, expected.toUpperCase().replace("SHA256=", "sha256="))).isTrue();
    }

    @Test
    void refusesEverythingElse() {
        String good = sig.sign(body);
        byte[] tampered = body.clone();
        tampered[3] ^= 1;
        assertThat(sig.verify(tampered, good)).isFalse();
        assertThat(sig.verify(body, null)).isFalse();
        assertThat(sig.verify(body, "")).isFalse();
        assertThat(sig.verify(body, good.substring(7))).isFalse(); // no "sha256=" prefix
        assertThat(sig.verify(body, "sha1=" + good.substring(7))).isFalse();
        assertThat(sig.verify(body, good.substring(0, good.length() - 2))).isFalse();
        assertThat(sig.verify(body, "sha256=" + "zz".repeat(32))).isFalse();
        assertThat(new WebhookSignature("other-secret").verify(body, good)).isFalse();
    }
}
