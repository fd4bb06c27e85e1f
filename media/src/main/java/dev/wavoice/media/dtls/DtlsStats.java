package dev.wavoice.media.dtls;

/** Counters of one {@link DtlsEndpoint}'s datagram path. */
public record DtlsStats(long datagramsReceived, long datagramsSent, long droppedQueueFull,
                        long droppedAfterClose) {}
