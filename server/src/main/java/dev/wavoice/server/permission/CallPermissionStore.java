package dev.wavoice.server.permission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain JDBC over {@code call_permissions} (migration V4); the same SQL runs on H2 and PostgreSQL. Every write is
 * an update, or an insert when the row is new; two writers racing on a new row end with one insert and one update.
 */
public final class CallPermissionStore {
    /** SQLSTATE for a unique violation, shared by H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int ACTIONS_MAX = 4000;

    private final DataSource dataSource;
    private final ObjectMapper json;

    public CallPermissionStore(DataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    public Optional<CallPermission> find(String phoneNumberId, String user) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT * FROM call_permissions WHERE phone_number_id=? AND user_id=?")) {
            ps.setString(1, phoneNumberId);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The most recently changed rows first. */
    public List<CallPermission> list(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT * FROM call_permissions ORDER BY updated_at DESC, user_id")) {
            ps.setMaxRows(limit);
            List<CallPermission> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    /** What a permission check said; the user's last inbound message stays as it was. */
    public void saveCheck(String phoneNumberId, String user, PermissionStatus status, Instant expiresAt,
            String actionsJson, Instant now) throws SQLException {
        String actions = actionsJson != null && actionsJson.length() > ACTIONS_MAX ? null : actionsJson;
        upsert("UPDATE call_permissions SET status=?, expires_at=?, actions=?, source=?, updated_at=?, checked_at=?"
                        + " WHERE phone_number_id=? AND user_id=?",
                "INSERT INTO call_permissions (status, expires_at, actions, source, updated_at, checked_at,"
                        + " phone_number_id, user_id) VALUES (?,?,?,?,?,?,?,?)",
                ps -> {
                    ps.setString(1, status.wireName());
                    setTime(ps, 2, expiresAt);
                    ps.setString(3, actions);
                    ps.setString(4, PermissionSource.GRAPH_CHECK.wireName());
                    setTime(ps, 5, now);
                    setTime(ps, 6, now);
                    return 7;
                }, phoneNumberId, user);
    }

    /**
     * The user's reply to a permission request. The last check's actions are dropped: they describe the time
     * before the reply, and the next check brings fresh ones.
     */
    public void saveReply(String phoneNumberId, String user, PermissionStatus status, Instant expiresAt, Instant now)
            throws SQLException {
        upsert("UPDATE call_permissions SET status=?, expires_at=?, actions=NULL, source=?, updated_at=?"
                        + " WHERE phone_number_id=? AND user_id=?",
                "INSERT INTO call_permissions (status, expires_at, source, updated_at, phone_number_id, user_id)"
                        + " VALUES (?,?,?,?,?,?)",
                ps -> {
                    ps.setString(1, status.wireName());
                    setTime(ps, 2, expiresAt);
                    ps.setString(3, PermissionSource.WEBHOOK_REPLY.wireName());
                    setTime(ps, 4, now);
                    return 5;
                }, phoneNumberId, user);
    }

    /** Whether a row exists for the user (a reply naming both phone and BSUID updates the rows that exist). */
    public boolean exists(String phoneNumberId, String user) throws SQLException {
        return find(phoneNumberId, user).isPresent();
    }

    /**
     * The user wrote to the business at {@code at}: the customer-service window opens (an older time, from a late
     * redelivery, never moves it back). A new row starts as no permission.
     */
    public void recordInbound(String phoneNumberId, String user, Instant at) throws SQLException {
        upsert("UPDATE call_permissions SET last_inbound_at=CASE WHEN last_inbound_at IS NULL OR last_inbound_at<?"
                        + " THEN ? ELSE last_inbound_at END WHERE phone_number_id=? AND user_id=?",
                ps -> {
                    setTime(ps, 1, at);
                    setTime(ps, 2, at);
                    return 3;
                },
                "INSERT INTO call_permissions (last_inbound_at, status, source, updated_at, phone_number_id, user_id)"
                        + " VALUES (?,?,?,?,?,?)",
                ps -> {
                    setTime(ps, 1, at);
                    ps.setString(2, PermissionStatus.NO_PERMISSION.wireName());
                    ps.setString(3, PermissionSource.INBOUND_MESSAGE.wireName());
                    setTime(ps, 4, at);
                    return 5;
                }, phoneNumberId, user);
    }

    /** Binds the leading parameters of an update or insert and returns the index of the key's first one. */
    @FunctionalInterface
    private interface Binder {
        int bind(PreparedStatement ps) throws SQLException;
    }

    private void upsert(String update, String insert, Binder binder, String phoneNumberId, String user)
            throws SQLException {
        upsert(update, binder, insert, binder, phoneNumberId, user);
    }

    private void upsert(String update, Binder updateBinder, String insert, Binder insertBinder, String phoneNumberId,
            String user) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (execute(c, update, updateBinder, phoneNumberId, user) > 0) {
                return;
            }
            try {
                execute(c, insert, insertBinder, phoneNumberId, user);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                execute(c, update, updateBinder, phoneNumberId, user); // another writer inserted it first
            }
        }
    }

    private static int execute(Connection c, String sql, Binder binder, String phoneNumberId, String user)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = binder.bind(ps);
            ps.setString(i, phoneNumberId);
            ps.setString(i + 1, user);
            return ps.executeUpdate();
        }
    }

    private CallPermission read(ResultSet rs) throws SQLException {
        PermissionStatus status = PermissionStatus.fromWire(rs.getString("status"));
        return new CallPermission(rs.getString("phone_number_id"), rs.getString("user_id"),
                status == null ? PermissionStatus.NO_PERMISSION : status, time(rs, "expires_at"),
                actions(rs.getString("actions")), PermissionSource.fromWire(rs.getString("source")),
                time(rs, "updated_at"), time(rs, "checked_at"), time(rs, "last_inbound_at"));
    }

    private List<PermissionAction> actions(String text) {
        if (text == null) {
            return List.of();
        }
        try {
            JsonNode node = json.readTree(text);
            return PermissionCheck.actions(node);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, t.atOffset(ZoneOffset.UTC));
        }
    }

    private static Instant time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
