package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.audio.ConcentusOpusCodec;
import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proof: a 440 Hz caller and a 1000 Hz agent, encoded by the project's codecs, recorded without re-encoding,
 * decoded by opusdec (an independent decoder), and told apart by frequency: the caller on channel 0 only, the agent
 * on channel 1 only, the length ticks × 20 ms less the pre-skip.
 *
 * <p>The caller's packets come in every framing a peer may send for 20 ms (code 0; code 3 CBR with padding; two
 * 10 ms frames as code 2) and with a 500 ms gap; the agent starts 200 ms late and sends one malformed and one 40 ms
 * packet, each replaced by concealment and counted.
 */
class TwoChannelRecorderOpusdecTest {
    static final int TICKS = 150; // 3 s
    static final int FRAME = 960;
    static final int GAP_FROM = 60;
    static final int GAP_TO = 85;
    static final int AGENT_FROM = 10;
    static final int AGENT_MALFORMED_AT = 100;
    static final int AGENT_40MS_AT = 120;

    @TempDir
    Path dir;

    static OpusCodec codec(String name) {
        if (name.equals("concentus")) {
            return new ConcentusOpusCodec();
        }
        try {
            return OpusCodecs.openNative(null);
        } catch (IllegalStateException e) {
            throw new AssertionError("libopus is needed (Debian: apt-get install libopus0): " + e.getMessage(), e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"concentus", "libopus"})
    void callerAndAgentLandOnTheirOwnChannels(String codecName) throws Exception {
        OpusCodec codec = codec(codecName);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Path file = dir.resolve("calls/" + codecName + ".opus");
        TwoChannelRecorder recorder = TwoChannelRecorder.toFile(file,
                new RecorderOptions("test-" + codecName, List.of("WAVOICE_CALL_ID=test")), writer);
        int callerOffered = 0;
        int callerSkipped = 0;
        try (OpusEncoder callerEncoder = codec.newEncoder(32_000, 5);
             OpusEncoder agentEncoder = codec.newEncoder(32_000, 5)) {
            SineGenerator callerTone = new SineGenerator(440, 48_000, 0.3);
            SineGenerator agentTone = new SineGenerator(1000, 48_000, 0.3);
            short[] pcm = new short[FRAME];
            byte[] a = new byte[1275];
            byte[] b = new byte[1275];
            byte[] packet = new byte[2600];
            for (int t = 0; t < TICKS; t++) {
                callerTone.fill(pcm, 0, FRAME);
                int n;
                switch (t % 3) {
                    case 0 -> n = callerEncoder.encode(pcm, 0, FRAME, packet, 0, 1275);
                    case 1 -> { // code 3, one CBR frame, 3 bytes of padding
                        int len = callerEncoder.encode(pcm, 0, FRAME, a, 0, 1275);
                        packet[0] = (byte) (a[0] | 3);
                        packet[1] = 0x41;
                        packet[2] = 3;
                        System.arraycopy(a, 1, packet, 3, len - 1);
                        packet[len + 2] = packet[len + 3] = packet[len + 4] = 0;
                        n = len + 5;
                    }
                    default -> { // two 10 ms frames as code 2, when the encoder kept one configuration
                        int la = callerEncoder.encode(pcm, 0, FRAME / 2, a, 0, 1275);
                        int lb = callerEncoder.encode(pcm, FRAME / 2, FRAME / 2, b, 0, 1275);
                        if (a[0] != b[0] || (a[0] & 3) != 0) {
                            n = 0;
                            break;
                        }
                        packet[0] = (byte) (a[0] | 2);
                        int h = 1 + OpusFraming.writeLength(la - 1, packet, 1);
                        System.arraycopy(a, 1, packet, h, la - 1);
                        System.arraycopy(b, 1, packet, h + la - 1, lb - 1);
                        n = h + la - 1 + lb - 1;
                    }
                }
                if (t >= GAP_FROM && t < GAP_TO) {
                    n = 0;
                }
                if (n > 0) {
                    recorder.offerCaller(packet, 0, n);
                    callerOffered++;
                } else if (t < GAP_FROM || t >= GAP_TO) {
                    callerSkipped++;
                }
                agentTone.fill(pcm, 0, FRAME);
                int m = agentEncoder.encode(pcm, 0, FRAME, packet, 0, 1275);
                if (t == AGENT_MALFORMED_AT) {
                    recorder.offerAgent(new byte[] {(byte) (packet[0] | 3), 0}, 0, 2); // zero frames: R5
                } else if (t == AGENT_40MS_AT) {
                    recorder.offerAgent(new byte[] {(byte) (2 << 3), 1, 2, 3}, 0, 4); // SILK 40 ms
                } else if (t >= AGENT_FROM) {
                    recorder.offerAgent(packet, 0, m);
                }
                recorder.tick(t, 0);
            }
        }
        RecordingSummary summary = recorder.stop().get(10, TimeUnit.SECONDS);
        writer.shutdown();

        assertThat(callerSkipped).as("10 ms pairs the encoder split across configurations").isLessThan(10);
        assertThat(summary.path()).isEqualTo(file);
        assertThat(summary.durationMillis()).isEqualTo(TICKS * 20L);
        assertThat(summary.bytesWritten()).isEqualTo(Files.size(file));
        assertThat(summary.writeErrors()).isZero();
        assertThat(summary.caller()).isEqualTo(new ChannelCounts(callerOffered, TICKS - callerOffered, 0, 0));
        assertThat(summary.agent()).isEqualTo(new ChannelCounts(TICKS - AGENT_FROM - 2, AGENT_FROM, 2, 0));

        Opusdec.Pcm pcm = Opusdec.decode(file);
        assertThat(pcm.frames()).as("ticks x 960 less the pre-skip")
                .isCloseTo(TICKS * FRAME - OpusHeaders.PRE_SKIP, org.assertj.core.data.Offset.offset(4800));

        // caller: 440 Hz on channel 0 and not on 1, before and after the gap
        for (int[] window : new int[][] {{5, 55}, {95, 145}}) {
            int from = window[0] * FRAME;
            int length = (window[1] - window[0]) * FRAME;
            assertThat(Tones.dominantFrequency(pcm.caller(), from, length, 48_000)).isCloseTo(440, within(5));
            double caller440 = Tones.levelAtDbfs(pcm.caller(), from, length, 440, 48_000);
            assertThat(caller440).isGreaterThan(-20);
            assertThat(Tones.levelAtDbfs(pcm.caller(), from, length, 1000, 48_000)).isLessThan(caller440 - 40);
            assertThat(Tones.levelAtDbfs(pcm.agent(), from, length, 440, 48_000)).isLessThan(caller440 - 40);
        }
        // agent: 1000 Hz on channel 1 and not on 0
        int from = 20 * FRAME;
        int length = 70 * FRAME;
        assertThat(Tones.dominantFrequency(pcm.agent(), from, length, 48_000)).isCloseTo(1000, within(5));
        double agent1000 = Tones.levelAtDbfs(pcm.agent(), from, length, 1000, 48_000);
        assertThat(agent1000).isGreaterThan(-20);
        assertThat(Tones.levelAtDbfs(pcm.caller(), from, length, 1000, 48_000)).isLessThan(agent1000 - 40);
        // before the agent's first packet its channel is silent (nothing decoded yet, so concealment is zeros)
        assertThat(Tones.rmsDbfs(pcm.agent(), 0, AGENT_FROM * FRAME - OpusHeaders.PRE_SKIP)).isLessThan(-80);
        // late in the caller's gap, concealment has faded the tone out
        int lateGap = (GAP_TO - 8) * FRAME;
        assertThat(Tones.levelAtDbfs(pcm.caller(), lateGap, 6 * FRAME, 440, 48_000)).isLessThan(-40);

        System.out.printf("recording %s: %d samples (%d expected), caller 440 Hz %.1f dBFS, agent 1000 Hz %.1f dBFS, "
                        + "caller at 1000 Hz %.1f dBFS, agent before its start %.1f dBFS, late in the gap %.1f dBFS, %s%n",
                codecName, pcm.frames(), TICKS * FRAME - OpusHeaders.PRE_SKIP,
                Tones.levelAtDbfs(pcm.caller(), 5 * FRAME, 50 * FRAME, 440, 48_000), agent1000,
                Tones.levelAtDbfs(pcm.caller(), from, length, 1000, 48_000),
                Tones.rmsDbfs(pcm.agent(), 0, AGENT_FROM * FRAME - OpusHeaders.PRE_SKIP),
                Tones.levelAtDbfs(pcm.caller(), lateGap, 6 * FRAME, 440, 48_000), summary);
        String info = Opusdec.run("opusinfo", file.toString());
        assertThat(info).contains("Channels: 2").contains("WAVOICE_CALL_ID=test").doesNotContain("WARNING");
    }

    static org.assertj.core.data.Offset<Double> within(double hz) {
        return org.assertj.core.data.Offset.offset(hz);
    }
}
