package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    @Test
    void acceptsReorderingInsideTheWindowOnce() {
        ReplayWindow w = new ReplayWindow(64);
        w.accept(100);
        assertThat(w.check(99)).isEqualTo(ReplayWindow.Verdict.FRESH);
        w.accept(99);
        assertThat(w.check(99)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
        assertThat(w.check(100)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
        assertThat(w.check(37)).isEqualTo(ReplayWindow.Verdict.FRESH);
        assertThat(w.check(36)).isEqualTo(ReplayWindow.Verdict.TOO_OLD);
        assertThat(w.check(101)).isEqualTo(ReplayWindow.Verdict.FRESH);
    }

    @Test
    void slidingForwardForgetsOnlyWhatFellOut() {
        ReplayWindow w = new ReplayWindow(128);
        for (long i = 0; i < 1000; i += 2) {
            w.accept(i);
        }
        assertThat(w.check(998)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
        assertThat(w.check(997)).isEqualTo(ReplayWindow.Verdict.FRESH);
        assertThat(w.check(872)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
        assertThat(w.check(870)).isEqualTo(ReplayWindow.Verdict.TOO_OLD);
        w.accept(5000);
        assertThat(w.check(4999)).isEqualTo(ReplayWindow.Verdict.FRESH);
        assertThat(w.check(5000)).isEqualTo(ReplayWindow.Verdict.DUPLICATE);
    }

    @Test
    void sizeIsRoundedToWholeWords() {
        assertThat(new ReplayWindow(65).size()).isEqualTo(128);
        assertThat(new ReplayWindow(1).size()).isEqualTo(64);
    }
}
