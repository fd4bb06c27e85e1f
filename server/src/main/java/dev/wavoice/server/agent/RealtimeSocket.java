package dev.wavoice.server.agent;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One WebSocket of a {@link RealtimeSession}; a session outlives its sockets (reconnects, rollovers). Receive:
 * frames are reassembled (the JDK hands over partial messages) and passed whole to the {@link Handler}, in order,
 * on the socket's thread. Send: the JDK allows one outstanding send, so each send is chained after the previous
 * one; at most {@link #MAX_PENDING_APPENDS} audio appends may wait, further ones are refused so a stalled socket
 * never holds more than about a second of caller audio. Alive: with {@link #keepAlive} it pings, and reports
 * itself lost when nothing at all (no event, no pong) arrives for the bound: an open socket to a hung agent.
 */
final class RealtimeSocket implements WebSocket.Listener {
    /** About one second of 20 ms appends; beyond that the socket is stalled and old audio is worthless. */
    static final int MAX_PENDING_APPENDS = 50;

    interface Handler {
        void onMessage(RealtimeSocket socket, String text);

        void onOversized(RealtimeSocket socket);

        /** The socket closed or failed without {@link #close()} having been called. Called at most once. */
        void onLost(RealtimeSocket socket, AgentFailure why);
    }

    private final Handler handler;
    private final LongAdder appendsSent;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile WebSocket ws;
    private volatile long openedNanos = System.nanoTime();
    /** When the last frame of any kind arrived (or the socket opened): what the keep-alive measures silence from. */
    private volatile long heardNanos = System.nanoTime();
    private volatile ScheduledFuture<?> pinger;
    private volatile AgentFailure lostWhy;
    /** The last {@code error} event on this socket: it explains a close that follows better than the close code. */
    private volatile AgentFailure lastError;
    /** What lives and dies with this socket: the WebRTC leg whose sideband it is. */
    private final List<AutoCloseable> bound = new CopyOnWriteArrayList<>();

    private final Object sendLock = new Object();
    private final SerialSends sends = new SerialSends(MAX_PENDING_APPENDS);

    private final TextFrames frames;

    RealtimeSocket(Handler handler, int maxEventChars, LongAdder appendsSent) {
        this.handler = handler;
        this.appendsSent = appendsSent;
        this.frames = new TextFrames(maxEventChars, text -> handler.onMessage(this, text),
                () -> handler.onOversized(this));
    }

    /** Called with the dial's result: the JDK may run {@code onOpen} after the open future completed. */
    void attach(WebSocket webSocket) {
        synchronized (sendLock) {
            if (ws == null) {
                ws = webSocket;
            }
        }
    }

    /**
     * Pings every {@link AgentKeepAlive#pingEvery()} on the connector's shared timer thread (no thread per call),
     * and reports the socket lost as {@code agent_stalled} once it has heard nothing for the bound. Stops with the
     * socket. The loss is reported on {@code reporter}: closing a WebRTC leg bound to the socket must not hold the
     * timer thread every session shares.
     */
    void keepAlive(ScheduledExecutorService timers, Executor reporter, AgentKeepAlive keepAlive) {
        long period = keepAlive.pingEvery().toNanos();
        long bound = keepAlive.stallAfter().toNanos();
        heardNanos = System.nanoTime();
        try {
            ScheduledFuture<?> task = timers.scheduleWithFixedDelay(() -> checkAlive(bound, reporter), period, period,
                    TimeUnit.NANOSECONDS);
            pinger = task;
            if (ended.get()) { // lost while scheduling: its cancel may have missed the task
                task.cancel(false);
            }
        } catch (RejectedExecutionException e) {
            // The connector is closing: so is this socket.
        }
    }

    private void checkAlive(long boundNanos, Executor reporter) {
        WebSocket socket = ws;
        if (ended.get() || socket == null) {
            return;
        }
        long silentNanos = System.nanoTime() - heardNanos;
        if (silentNanos > boundNanos) {
            stopPinging();
            AgentFailure stalled = AgentFailures.stalled(silentNanos / 1_000_000);
            try {
                reporter.execute(() -> lost(stalled));
            } catch (RejectedExecutionException e) {
                // The connector is closing, and every session with it.
            }
            return;
        }
        // Refused (IllegalStateException in the future) while the previous ping is still queued behind a stalled
        // send: the silence is measured from received frames, so a ping that never left changes nothing.
        socket.sendPing(ByteBuffer.allocate(0));
    }

    long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /** Why the socket was lost, or null while it is up (or was closed by us). */
    AgentFailure lostWhy() {
        return lostWhy;
    }

    AgentFailure lastError() {
        return lastError;
    }

    /** Remembers an error event received on this socket, to classify a close that follows it. */
    void noteError(AgentFailure error) {
        lastError = error;
    }

    /** False when an append would only be refused: lets the caller skip encoding it. */
    boolean hasRoomForAppend() {
        return !ended.get() && sends.hasRoomForAudio();
    }

    /** Queues a text frame; false (nothing queued) when the socket has ended or an append finds the backlog full. */
    boolean send(String text, boolean isAppend) {
        synchronized (sendLock) {
            WebSocket socket = ws;
            if (ended.get() || socket == null) {
                return false;
            }
            return sends.send(socket, text, isAppend, e -> {
                if (e == null) {
                    appendsSent.increment();
                }
            });
        }
    }

    /** Closes {@code resource} with this socket (at once if it has ended already). */
    void bind(AutoCloseable resource) {
        bound.add(resource);
        if (ended.get()) {
            release();
        }
    }

    /** Something bound to this socket failed (its media leg): the socket counts as lost for {@code why}. */
    void fail(AgentFailure why) {
        lost(why);
    }

    private void release() {
        for (AutoCloseable r : bound) {
            if (bound.remove(r)) {
                try {
                    r.close();
                } catch (Exception e) {
                    // Closing is best effort; the leg logs its own end.
                }
            }
        }
    }

    /** Closes after what is already queued (a last tool output still goes out); no {@code onLost} follows. */
    void close() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        stopPinging();
        release();
        WebSocket socket = ws;
        if (socket == null) {
            return;
        }
        sends.closeAfterQueued(socket, "bye", Duration.ofSeconds(2));
    }

    // --- WebSocket.Listener ---

    @Override
    public void onOpen(WebSocket webSocket) {
        attach(webSocket);
        openedNanos = System.nanoTime();
        heardNanos = openedNanos;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        heardNanos = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        heardNanos = System.nanoTime(); // the JDK answers it with a pong by itself
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        heardNanos = System.nanoTime(); // not part of the protocol, but a sign of life
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        heardNanos = System.nanoTime();
        frames.add(data, last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        lost(AgentFailures.fromClose(statusCode, reason, lastError));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        lost(AgentFailures.fromSocketError(error, lastError));
    }

    private void lost(AgentFailure why) {
        if (ended.compareAndSet(false, true)) {
            lostWhy = why;
            stopPinging();
            release();
            WebSocket socket = ws;
            if (socket != null) {
                socket.abort();
            }
            handler.onLost(this, why);
        }
    }

    private void stopPinging() {
        ScheduledFuture<?> task = pinger;
        if (task != null) {
            task.cancel(false);
        }
    }
}
