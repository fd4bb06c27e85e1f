package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.audio.SineGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnergyVadTest {
    private final short[] frame = new short[EnergyVad.FRAME];
    private final SineGenerator tone = new SineGenerator(440, 24_000, 0.3);

    private EnergyVad.Change feed(EnergyVad vad, boolean loud) {
        if (loud) {
            tone.fill(frame, 0, frame.length);
        } else {
            Arrays.fill(frame, (short) 0);
        }
        return vad.frame(frame, 0);
    }

    @Test
    void speechNeedsTwoLoudFramesAndEndsAfterTheHangover() {
        EnergyVad vad = new EnergyVad(-45, 5);
        List<EnergyVad.Change> changes = new ArrayList<>();
        changes.add(feed(vad, true)); // a single click...
        changes.add(feed(vad, false)); // ...is not speech
        changes.add(feed(vad, true));
        changes.add(feed(vad, true)); // started here
        for (int i = 0; i < 4; i++) {
            changes.add(feed(vad, false));
        }
        changes.add(feed(vad, true)); // a short pause resets the hangover
        for (int i = 0; i < 5; i++) {
            changes.add(feed(vad, false)); // stopped on the fifth quiet frame
        }
        assertThat(changes).containsExactly(
                EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.STARTED,
                EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.NONE,
                EnergyVad.Change.NONE,
                EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.NONE, EnergyVad.Change.NONE,
                EnergyVad.Change.STOPPED);
        assertThat(vad.speaking()).isFalse();
    }

    @Test
    void quietNoiseIsNotSpeech() {
        EnergyVad vad = new EnergyVad(-45, 5);
        SineGenerator hum = new SineGenerator(50, 24_000, 0.003); // about -53 dBFS
        for (int i = 0; i < 50; i++) {
            hum.fill(frame, 0, frame.length);
            assertThat(vad.frame(frame, 0)).isEqualTo(EnergyVad.Change.NONE);
        }
    }
}
