package dev.wavoice.server.call;

import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.whatsapp.CallerIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call's state machine. All mutation happens under {@link #lock()}, so a terminate webhook racing the
 * connect path sees a consistent state; a {@link ReentrantLock} rather than {@code synchronized} keeps virtual
 * threads unpinned while a Graph request runs under it.
 */
public final class Call {
    public enum Direction { USER_INITIATED, BUSINESS_INITIATED }

    private final String callId;
    private final Direction direction;
    private final CallerIdentity caller;
    private final String businessNumber;
    private final String phoneNumberId;
    private final String agent;
    private final String ownerInstance;
    private final Instant startedAt;
    private final long startNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    private final String callbackData;
    private CallState state;
    /** WhatsApp's id of a call the business placed, once Graph {@code connect} has answered. */
    private volatile String waCallId;
    private Integer graphErrorCode;
    private Instant connectedAt;
    private Instant endedAt;
    private EndReason endReason;
    private String endDetail;
    private Long reportedDurationSeconds;
    private CallMedia.MediaSession media;

    /** @param ownerInstance the instance whose media carries the call (webhooks for it are forwarded there) */
    public Call(String callId, Direction direction, CallerIdentity caller, String businessNumber, String phoneNumberId,
            String agent, String ownerInstance) {
        this(callId, direction, caller, businessNumber, phoneNumberId, agent, ownerInstance, null,
                direction == Direction.USER_INITIATED ? CallState.RINGING : CallState.DIALLING);
    }

    /**
     * A call in any first state: a business-initiated one starts {@link CallState#DIALLING}, or
     * {@link CallState#AWAITING_PERMISSION} when it waits for the user's grant.
     */
    public Call(String callId, Direction direction, CallerIdentity caller, String businessNumber, String phoneNumberId,
            String agent, String ownerInstance, String callbackData, CallState first) {
        this.callId = callId;
        this.callbackData = callbackData;
        this.state = first;
        this.ownerInstance = ownerInstance;
        this.direction = direction;
        this.caller = caller;
        this.businessNumber = businessNumber;
        this.phoneNumberId = phoneNumberId;
        this.agent = agent;
        this.startedAt = Instant.now();
        this.startNanos = System.nanoTime();
    }

    public ReentrantLock lock() {
        return lock;
    }

    public String callId() {
        return callId;
    }

    public String phoneNumberId() {
        return phoneNumberId;
    }

    public Direction direction() {
        return direction;
    }

    /** The business's display number, when WhatsApp named it (null for a placed call until then). */
    public String businessNumber() {
        return businessNumber;
    }

    public String waCallId() {
        return waCallId;
    }

    /**
     * The id Graph knows the call by: WhatsApp's id of a call the business placed (null until dialled), else the
     * call's own id, which for a call the user placed is WhatsApp's.
     */
    public String graphCallId() {
        return direction == Direction.BUSINESS_INITIATED ? waCallId : callId;
    }

    void dialled(String waCallId) {
        this.waCallId = waCallId;
    }

    /** Meta's error code, kept on the row, when a Graph action refused or ended the call. */
    void graphError(Integer code) {
        this.graphErrorCode = code;
    }

    public CallerIdentity caller() {
        return caller;
    }

    public CallState state() {
        return state;
    }

    public EndReason endReason() {
        return endReason;
    }

    public boolean isEnded() {
        return state == CallState.ENDED;
    }

    /** Milliseconds since the connect webhook arrived, or the business asked for the call (monotonic). */
    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    CallMedia.MediaSession media() {
        return media;
    }

    /** The media's live figures for the dashboard; {@link CallMedia.MediaStats#NONE} before media is attached. */
    public CallMedia.MediaStats mediaStats() {
        CallMedia.MediaSession session;
        lock.lock();
        try {
            session = media;
        } finally {
            lock.unlock();
        }
        return session == null ? CallMedia.MediaStats.NONE : session.stats();
    }

    void attachMedia(CallMedia.MediaSession session) {
        this.media = session;
    }

    void addTimer(ScheduledFuture<?> timer) {
        timers.add(timer);
    }

    /** Moves forward; returns false (and changes nothing) for a backward or repeated move. */
    boolean moveTo(CallState next) {
        if (!state.canMoveTo(next)) {
            return false;
        }
        state = next;
        if (next == CallState.CONNECTED) {
            connectedAt = Instant.now();
        }
        return true;
    }

    /** Ends the call once; later calls return false so each end is logged and counted exactly once. */
    boolean end(EndReason reason, String detail, Long reportedDurationSeconds) {
        if (state == CallState.ENDED) {
            return false;
        }
        state = CallState.ENDED;
        endedAt = Instant.now();
        endReason = reason;
        endDetail = detail;
        this.reportedDurationSeconds = reportedDurationSeconds;
        timers.forEach(t -> t.cancel(false));
        timers.clear();
        return true;
    }

    /**
     * Talk time: WhatsApp's own figure when the terminate webhook carried one, else connected → ended, else 0 for
     * a call that never connected.
     */
    Long durationMs() {
        if (endedAt == null) {
            return null;
        }
        if (reportedDurationSeconds != null) {
            return reportedDurationSeconds * 1000;
        }
        return connectedAt == null ? 0L : Duration.between(connectedAt, endedAt).toMillis();
    }

    public CallRecord snapshot() {
        return new CallRecord(callId, direction.name(), caller.phone(), caller.bsuid(), caller.profileName(),
                businessNumber, phoneNumberId, state.name(), agent, startedAt, connectedAt, endedAt,
                endReason == null ? null : endReason.wireName(), endDetail, durationMs(), ownerInstance, waCallId,
                callbackData, graphErrorCode);
    }
}
