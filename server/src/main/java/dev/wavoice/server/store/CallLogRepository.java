package dev.wavoice.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/** Plain JDBC over the call log tables; the same SQL runs on H2 and PostgreSQL. */
public final class CallLogRepository {
    /** SQLSTATE for a unique violation, shared by H2 and PostgreSQL. */
    static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public CallLogRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    // ---- writes (each idempotent, so a retry after an unknown outcome is harmless) ----

    private static final String UPDATE_CALL = "UPDATE calls SET direction=?, caller_phone=?, caller_bsuid=?,"
            + " caller_name=?, business_number=?, phone_number_id=?, state=?, agent=?, started_at=?, connected_at=?,"
            + " ended_at=?, end_reason=?, end_detail=?, duration_ms=?, owner_instance=?, wa_call_id=?, callback_data=?,"
            + " graph_error_code=? WHERE call_id=?";
    private static final String INSERT_CALL = "INSERT INTO calls (direction, caller_phone, caller_bsuid, caller_name,"
            + " business_number, phone_number_id, state, agent, started_at, connected_at, ended_at, end_reason,"
            + " end_detail, duration_ms, owner_instance, wa_call_id, callback_data, graph_error_code, call_id)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    private static final String INSERT_EVENT =
            "INSERT INTO call_events (event_id, call_id, occurred_at, type, detail) VALUES (?,?,?,?,?)";
    private static final String INSERT_TRANSCRIPT = "INSERT INTO transcripts (transcript_id, call_id, occurred_at,"
            + " speaker, text, is_final, interrupted) VALUES (?,?,?,?,?,?,?)";
    private static final String INSERT_USAGE = "INSERT INTO call_usage (usage_id, call_id, occurred_at, input_tokens,"
            + " output_tokens, input_audio_tokens, output_audio_tokens) VALUES (?,?,?,?,?,?,?)";

    /** Where both statements above take the call id: after the columns {@link #bindCall} fills. */
    private static final int CALL_ID_PARAMETER = 19;

    void saveCall(StatementCache s, CallRecord r) throws SQLException {
        PreparedStatement update = s.prepare(UPDATE_CALL);
        bindCall(update, r, 1);
        update.setString(CALL_ID_PARAMETER, r.callId());
        if (update.executeUpdate() > 0) {
            return;
        }
        PreparedStatement insert = s.prepare(INSERT_CALL);
        bindCall(insert, r, 1);
        insert.setString(CALL_ID_PARAMETER, r.callId());
        insert.executeUpdate();
    }

    private static void bindCall(PreparedStatement ps, CallRecord r, int i) throws SQLException {
        ps.setString(i++, r.direction());
        ps.setString(i++, r.callerPhone());
        ps.setString(i++, r.callerBsuid());
        ps.setString(i++, truncate(r.callerName(), 256));
        ps.setString(i++, r.businessNumber());
        ps.setString(i++, r.phoneNumberId());
        ps.setString(i++, r.state());
        ps.setString(i++, r.agent());
        setTime(ps, i++, r.startedAt());
        setTime(ps, i++, r.connectedAt());
        setTime(ps, i++, r.endedAt());
        ps.setString(i++, r.endReason());
        ps.setString(i++, truncate(r.endDetail(), 2000));
        if (r.durationMs() == null) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, r.durationMs());
        }
        ps.setString(i++, r.ownerInstance());
        ps.setString(i++, r.waCallId());
        ps.setString(i++, truncate(r.callbackData(), 512));
        if (r.graphErrorCode() == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, r.graphErrorCode());
        }
    }

    void insertEvent(StatementCache s, CallEventRecord e) throws SQLException {
        insertOnce(s, INSERT_EVENT, ps -> {
            ps.setObject(1, e.eventId());
            ps.setString(2, e.callId());
            setTime(ps, 3, e.occurredAt());
            ps.setString(4, e.type());
            ps.setString(5, truncate(e.detail(), 4000));
        });
    }

    void insertTranscript(StatementCache s, TranscriptRecord t) throws SQLException {
        insertOnce(s, INSERT_TRANSCRIPT, ps -> {
            ps.setObject(1, t.transcriptId());
            ps.setString(2, t.callId());
            setTime(ps, 3, t.occurredAt());
            ps.setString(4, t.speaker());
            ps.setString(5, truncate(t.text(), 10000));
            ps.setBoolean(6, t.isFinal());
            ps.setBoolean(7, t.interrupted());
        });
    }

    void insertUsage(StatementCache s, UsageRecord u) throws SQLException {
        insertOnce(s, INSERT_USAGE, ps -> {
            ps.setObject(1, u.usageId());
            ps.setString(2, u.callId());
            setTime(ps, 3, u.occurredAt());
            ps.setLong(4, u.inputTokens());
            ps.setLong(5, u.outputTokens());
            ps.setLong(6, u.inputAudioTokens());
            ps.setLong(7, u.outputAudioTokens());
        });
    }

    /** Puts a closed recording on its call's row (a separate update: {@link #saveCall} never touches it). */
    void saveRecording(StatementCache s, RecordingRecord r) throws SQLException {
        PreparedStatement ps = s.prepare("UPDATE calls SET recording_path=?, recording_ms=?, recording_bytes=?,"
                + " recording_deleted_at=? WHERE call_id=?");
        ps.setString(1, r.path());
        ps.setLong(2, r.durationMs());
        ps.setLong(3, r.bytes());
        setTime(ps, 4, r.deletedAt());
        ps.setString(5, r.callId());
        ps.executeUpdate();
    }

    /**
     * Inserts a row whose id may already be stored by an earlier attempt whose acknowledgement was lost. Alone
     * (auto-commit), a unique violation means exactly that: done. Inside a batch it is rethrown: PostgreSQL has
     * aborted the transaction by then, so the writer rolls the batch back and applies it one write at a time.
     */
    private static void insertOnce(StatementCache s, String sql, Queries.Binder binder) throws SQLException {
        PreparedStatement ps = s.prepare(sql);
        binder.bind(ps);
        try {
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || !s.connection().getAutoCommit()) {
                throw e;
            }
        }
    }

    // ---- reads ----

    public Optional<CallRecord> findCall(String callId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM calls WHERE call_id=?")) {
            ps.setString(1, callId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readCall(rs)) : Optional.empty();
            }
        }
    }

    public List<CallRecord> recentCalls(int limit) throws SQLException {
        return calls("SELECT * FROM calls ORDER BY started_at DESC LIMIT ?", ps -> ps.setInt(1, limit));
    }

    private List<CallRecord> calls(String sql, Queries.Binder binder) throws SQLException {
        return Queries.list(dataSource, sql, binder, CallLogRepository::readCall);
    }

    public List<CallEventRecord> events(String callId) throws SQLException {
        return byCall("SELECT * FROM call_events WHERE call_id=? ORDER BY occurred_at, event_id", callId,
                rs -> new CallEventRecord(rs.getObject("event_id", UUID.class), rs.getString("call_id"),
                        time(rs, "occurred_at"), rs.getString("type"), rs.getString("detail")));
    }

    public List<TranscriptRecord> transcripts(String callId) throws SQLException {
        return byCall("SELECT * FROM transcripts WHERE call_id=? ORDER BY occurred_at, transcript_id", callId,
                rs -> new TranscriptRecord(rs.getObject("transcript_id", UUID.class), rs.getString("call_id"),
                        time(rs, "occurred_at"), rs.getString("speaker"), rs.getString("text"),
                        rs.getBoolean("is_final"), rs.getBoolean("interrupted")));
    }

    /** The call's recording, when it was recorded. */
    public Optional<RecordingRecord> recording(String callId) throws SQLException {
        return byCall("SELECT call_id, recording_path, recording_ms, recording_bytes, recording_deleted_at FROM calls"
                + " WHERE call_id=? AND recording_path IS NOT NULL", callId, CallLogRepository::recordingRow)
                .stream().findFirst();
    }

    /**
     * Kept recordings of calls that ended before {@code endedBefore} and whose media ran on {@code instance} (the one
     * whose disk has the file), oldest first, at most {@code limit}.
     */
    public List<RecordingRecord> recordingsEndedBefore(Instant endedBefore, String instance, int limit)
            throws SQLException {
        return Queries.list(dataSource, "SELECT call_id, recording_path, recording_ms, recording_bytes,"
                        + " recording_deleted_at FROM calls WHERE recording_path IS NOT NULL"
                        + " AND recording_deleted_at IS NULL AND ended_at < ? AND owner_instance = ?"
                        + " ORDER BY ended_at LIMIT " + limit,
                ps -> {
                    setTime(ps, 1, endedBefore);
                    ps.setString(2, instance);
                }, CallLogRepository::recordingRow);
    }

    /** The retention removed the recording's file. */
    public void recordingDeleted(String callId, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE calls SET recording_deleted_at=? WHERE call_id=?")) {
            setTime(ps, 1, at);
            ps.setString(2, callId);
            ps.executeUpdate();
        }
    }

    private static RecordingRecord recordingRow(ResultSet rs) throws SQLException {
        return new RecordingRecord(rs.getString("call_id"), rs.getString("recording_path"), rs.getLong("recording_ms"),
                rs.getLong("recording_bytes"), time(rs, "recording_deleted_at"));
    }

    public List<UsageRecord> usage(String callId) throws SQLException {
        return byCall("SELECT * FROM call_usage WHERE call_id=? ORDER BY occurred_at", callId,
                rs -> new UsageRecord(rs.getObject("usage_id", UUID.class), rs.getString("call_id"),
                        time(rs, "occurred_at"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                        rs.getLong("input_audio_tokens"), rs.getLong("output_audio_tokens")));
    }

    private <T> List<T> byCall(String sql, String callId, Queries.RowReader<T> reader) throws SQLException {
        return Queries.list(dataSource, sql, ps -> ps.setString(1, callId), reader);
    }

    public long countCalls() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM calls");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Figures over the whole call log, for the dashboard. */
    public CallTotals totals() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long calls;
            long connected;
            long talkMs;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*), COUNT(connected_at), COALESCE(SUM(duration_ms), 0) FROM calls");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                calls = rs.getLong(1);
                connected = rs.getLong(2);
                talkMs = rs.getLong(3);
            }
            Map<String, Long> byEndReason = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT end_reason, COUNT(*) FROM calls WHERE end_reason IS NOT NULL GROUP BY end_reason");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byEndReason.put(rs.getString(1), rs.getLong(2));
                }
            }
            return new CallTotals(calls, connected, talkMs, byEndReason);
        }
    }

    private static CallRecord readCall(ResultSet rs) throws SQLException {
        long duration = rs.getLong("duration_ms");
        Long durationMs = rs.wasNull() ? null : duration;
        return new CallRecord(rs.getString("call_id"), rs.getString("direction"), rs.getString("caller_phone"),
                rs.getString("caller_bsuid"), rs.getString("caller_name"), rs.getString("business_number"),
                rs.getString("phone_number_id"), rs.getString("state"), rs.getString("agent"),
                time(rs, "started_at"), time(rs, "connected_at"), time(rs, "ended_at"), rs.getString("end_reason"),
                rs.getString("end_detail"), durationMs, rs.getString("owner_instance"), rs.getString("wa_call_id"),
                rs.getString("callback_data"), rs.getObject("graph_error_code", Integer.class));
    }

    /** A business-initiated call by the id WhatsApp gave it (its webhooks carry only that one). */
    public Optional<CallRecord> findCallByWaCallId(String waCallId) throws SQLException {
        List<CallRecord> found = calls("SELECT * FROM calls WHERE wa_call_id=?", ps -> ps.setString(1, waCallId));
        return found.stream().findFirst();
    }

    /** The calls an instance owned that are not ended: what a survivor ends when that instance is lost. */
    public List<CallRecord> openCallsOwnedBy(String instanceId) throws SQLException {
        return calls("SELECT * FROM calls WHERE owner_instance=? AND state <> 'ENDED' ORDER BY started_at",
                ps -> ps.setString(1, instanceId));
    }

    /** Calls not ended, of every instance, newest first: the dashboard's view across instances. */
    public List<CallRecord> openCalls(int limit) throws SQLException {
        return calls("SELECT * FROM calls WHERE state <> 'ENDED' ORDER BY started_at DESC LIMIT ?",
                ps -> ps.setInt(1, limit));
    }

    static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, t.atOffset(ZoneOffset.UTC));
        }
    }

    static Instant time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
