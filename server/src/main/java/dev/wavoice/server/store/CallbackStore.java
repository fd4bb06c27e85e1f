package dev.wavoice.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * The {@code callbacks} table: call backs agents promised, claimed by exactly one instance when due (the claim is a
 * conditional update, so instances sharing a PostgreSQL never dial one twice).
 */
public final class CallbackStore {
    /** One promised call back. */
    public record Callback(String callbackId, String originCallId, String phoneNumberId, String user, String reason,
                           Instant requestedAt, Instant dueAt, String state, String claimedBy, String placedCallId,
                           String outcome) {}

    private final DataSource dataSource;

    public CallbackStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(Callback c) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("INSERT INTO callbacks (callback_id, origin_call_id,"
                     + " phone_number_id, user_handle, reason, requested_at, due_at, state)"
                     + " VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, c.callbackId());
            ps.setString(2, c.originCallId());
            ps.setString(3, c.phoneNumberId());
            ps.setString(4, c.user());
            ps.setString(5, c.reason());
            CallLogRepository.setTime(ps, 6, c.requestedAt());
            CallLogRepository.setTime(ps, 7, c.dueAt());
            ps.setString(8, "pending");
            ps.executeUpdate();
        }
    }

    /** Pending call backs due by {@code now}, earliest first. */
    public List<Callback> due(Instant now, int limit) throws SQLException {
        return query("SELECT * FROM callbacks WHERE state='pending' AND due_at <= ? ORDER BY due_at LIMIT ?", ps -> {
            CallLogRepository.setTime(ps, 1, now);
            ps.setInt(2, limit);
        });
    }

    /** Takes a due call back for this instance; false when another took it first. */
    public boolean claim(String callbackId, String instanceId) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement(
                     "UPDATE callbacks SET state='dialling', claimed_by=? WHERE callback_id=? AND state='pending'")) {
            ps.setString(1, instanceId);
            ps.setString(2, callbackId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records what dialling a claimed call back came to: {@code dialled} (with the call placed) or {@code failed}. */
    public void finish(String callbackId, String state, String placedCallId, String outcome) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement(
                     "UPDATE callbacks SET state=?, placed_call_id=?, outcome=? WHERE callback_id=?")) {
            ps.setString(1, state);
            ps.setString(2, placedCallId);
            ps.setString(3, outcome == null ? null : outcome.substring(0, Math.min(outcome.length(), 2000)));
            ps.setString(4, callbackId);
            ps.executeUpdate();
        }
    }

    /** The call backs a call's agent promised. */
    public List<Callback> promisedOn(String originCallId) throws SQLException {
        return query("SELECT * FROM callbacks WHERE origin_call_id=? ORDER BY requested_at",
                ps -> ps.setString(1, originCallId));
    }

    private List<Callback> query(String sql, Queries.Binder binder) throws SQLException {
        return Queries.list(dataSource, sql, binder, rs -> new Callback(rs.getString("callback_id"),
                rs.getString("origin_call_id"), rs.getString("phone_number_id"), rs.getString("user_handle"),
                rs.getString("reason"), CallLogRepository.time(rs, "requested_at"),
                CallLogRepository.time(rs, "due_at"), rs.getString("state"), rs.getString("claimed_by"), rs.getString("placed_call_id"),
                rs.getString("outcome")));
    }
}
