package dev.wavoice.media.srtp;

import java.util.EnumMap;
import java.util.Map;

/** A snapshot of an {@link SrtpContext}'s counters, for metrics and a bad call's post-mortem. */
public record SrtpStats(long rtpProtected, long rtpUnprotected, long rtcpProtected,
                        long rtcpUnprotected, Map<SrtpDropReason, Long> dropped) {

    public SrtpStats {
        dropped = Map.copyOf(dropped);
    }

    public long dropped(SrtpDropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    static Map<SrtpDropReason, Long> emptyDrops() {
        return new EnumMap<>(SrtpDropReason.class);
    }
}
