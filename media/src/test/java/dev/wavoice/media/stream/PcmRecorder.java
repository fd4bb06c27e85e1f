package dev.wavoice.media.stream;

import dev.wavoice.media.webrtc.EndpointEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what an {@link AudioStream} delivers, for frequency and gap checks. */
public final class PcmRecorder implements AudioStreamListener {
    private final short[] pcm;
    private volatile int length;
    public final List<Character> digits = new CopyOnWriteArrayList<>();
    public final List<EndpointEvent> events = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger opusPackets = new java.util.concurrent.atomic.AtomicInteger();

    public PcmRecorder(int capacitySamples) {
        this.pcm = new short[capacitySamples];
    }

    @Override
    public synchronized void onPcm(short[] frame, int off, int len) {
        int n = Math.min(len, pcm.length - length);
        System.arraycopy(frame, off, pcm, length, n);
        length += n;
    }

    @Override
    public void onOpus(byte[] payload, int off, int len, int sequence, long timestamp) {
        if (len > 0) {
            opusPackets.incrementAndGet();
        }
    }

    @Override
    public void onDtmf(char digit) {
        digits.add(digit);
    }

    @Override
    public void onEvent(EndpointEvent event) {
        events.add(event);
    }

    int length() {
        return length;
    }

    public synchronized short[] samples() {
        return java.util.Arrays.copyOf(pcm, length);
    }

    /** The longest run of near-silent samples between the first and last loud sample (a gap in the audio). */
    static int longestGap(short[] s, int threshold) {
        int first = -1, last = -1;
        for (int i = 0; i < s.length; i++) {
            if (Math.abs(s[i]) > threshold) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        int longest = 0, run = 0;
        for (int i = Math.max(first, 0); i <= last; i++) {
            run = Math.abs(s[i]) > threshold ? 0 : run + 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }
}
