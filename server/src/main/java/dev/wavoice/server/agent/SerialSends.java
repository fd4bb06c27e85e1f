package dev.wavoice.server.agent;

import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Text frames to a JDK WebSocket, each sent once the previous one has gone (the JDK allows one outstanding send), and
 * at most {@code maxPendingAudio} audio frames waiting: a peer that stops reading holds about a second of audio, never
 * more. Thread-safe; callers that number their frames hold their own lock around {@link #send} so the numbers go out
 * in order.
 */
public final class SerialSends {
    private final int maxPendingAudio;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private int pendingAudio;

    public SerialSends(int maxPendingAudio) {
        this.maxPendingAudio = maxPendingAudio;
    }

    /** False when an audio frame would only be refused (lets the caller skip encoding it). */
    public synchronized boolean hasRoomForAudio() {
        return pendingAudio < maxPendingAudio;
    }

    /**
     * Queues {@code text} after what is queued; false (nothing queued) for audio when the backlog is full.
     * {@code done} runs once an audio frame has been written or has failed (its error, else null).
     */
    public synchronized boolean send(WebSocket socket, String text, boolean audio, Consumer<Throwable> done) {
        if (audio) {
            if (pendingAudio >= maxPendingAudio) {
                return false;
            }
            pendingAudio++;
        }
        tail = tail.handle((v, e) -> null)
                .thenCompose(v -> socket.sendText(text, true))
                .whenComplete((v, e) -> {
                    if (audio) {
                        synchronized (this) {
                            pendingAudio--;
                        }
                        done.accept(e);
                    }
                });
        return true;
    }

    /** The close handshake after what is queued, then the socket aborted, within {@code bound} in all. */
    public synchronized void closeAfterQueued(WebSocket socket, String reason, Duration bound) {
        tail.handle((v, e) -> null)
                .thenCompose(v -> socket.sendClose(WebSocket.NORMAL_CLOSURE, reason))
                .orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> socket.abort());
    }
}
