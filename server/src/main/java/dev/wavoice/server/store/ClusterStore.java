package dev.wavoice.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What instances sharing one database coordinate through (PostgreSQL in production, H2 for one instance): webhook
 * deliveries seen by any instance, and each instance's heartbeat. Every method is one short statement; the
 * caller decides what to do when the database is away (calls never wait for it).
 */
public final class ClusterStore {
    private final DataSource dataSource;

    public ClusterStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One instance's heartbeat row. */
    public record InstanceRecord(String instanceId, String internalUrl, int liveCalls, int maxCalls, boolean draining,
                                 Instant startedAt, Instant heartbeatAt, String takenOverBy) {
    }

    /**
     * Records a webhook event key; true the first time any instance records it, false for a redelivery (the primary
     * key refuses it, whichever instance got the first one).
     */
    public boolean firstDelivery(String eventKey, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean postgres = c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
            c.setAutoCommit(false);
            try {
                if (postgres) {
                    // A delivery key is a hint, not a record: not waiting for its WAL flush takes the insert from
                    // milliseconds to a fraction of one, on the path Meta waits on. A database crash could forget
                    // the last few keys, and a redelivery of those would be processed again.
                    try (var st = c.createStatement()) {
                        st.execute("SET LOCAL synchronous_commit TO OFF");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO webhook_events (event_key, received_at) VALUES (?, ?)")) {
                    ps.setString(1, eventKey);
                    CallLogRepository.setTime(ps, 2, now);
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (CallLogRepository.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Forgets a delivery that could not be handed over, so Meta's redelivery is processed. */
    public void forgetDelivery(String eventKey) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_events WHERE event_key=?")) {
            ps.setString(1, eventKey);
            ps.executeUpdate();
        }
    }

    /** Drops delivery keys older than {@code before} (Meta redelivers within hours, not days). */
    public int pruneDeliveries(Instant before) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_events WHERE received_at < ?")) {
            CallLogRepository.setTime(ps, 1, before);
            return ps.executeUpdate();
        }
    }

    /** Writes this instance's heartbeat (insert the first time); a new heartbeat clears an old take-over mark. */
    public void heartbeat(InstanceRecord self) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE instances SET internal_url=?, live_calls=?,"
                    + " max_calls=?, draining=?, started_at=?, heartbeat_at=?, taken_over_by=NULL WHERE instance_id=?")) {
                bind(ps, self);
                if (ps.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO instances (internal_url, live_calls, max_calls,"
                    + " draining, started_at, heartbeat_at, instance_id) VALUES (?,?,?,?,?,?,?)")) {
                bind(ps, self);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!CallLogRepository.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                heartbeat(self); // inserted meanwhile by our own earlier, timed-out attempt
            }
        }
    }

    private static void bind(PreparedStatement ps, InstanceRecord r) throws SQLException {
        ps.setString(1, r.internalUrl());
        ps.setInt(2, r.liveCalls());
        ps.setInt(3, r.maxCalls());
        ps.setBoolean(4, r.draining());
        CallLogRepository.setTime(ps, 5, r.startedAt());
        CallLogRepository.setTime(ps, 6, r.heartbeatAt());
        ps.setString(7, r.instanceId());
    }

    public List<InstanceRecord> instances() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM instances ORDER BY instance_id");
                ResultSet rs = ps.executeQuery()) {
            List<InstanceRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new InstanceRecord(rs.getString("instance_id"), rs.getString("internal_url"),
                        rs.getInt("live_calls"), rs.getInt("max_calls"), rs.getBoolean("draining"),
                        CallLogRepository.time(rs, "started_at"), CallLogRepository.time(rs, "heartbeat_at"),
                        rs.getString("taken_over_by")));
            }
            return out;
        }
    }

    /**
     * Claims a lost instance's calls: true for exactly one caller across all survivors, and only while the lost
     * instance's last heartbeat is older than {@code expiredBefore} and nobody claimed it yet.
     */
    public boolean claimLost(String lostId, String claimant, Instant expiredBefore) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE instances SET taken_over_by=? WHERE instance_id=?"
                        + " AND heartbeat_at < ? AND taken_over_by IS NULL")) {
            ps.setString(1, claimant);
            ps.setString(2, lostId);
            CallLogRepository.setTime(ps, 3, expiredBefore);
            return ps.executeUpdate() == 1;
        }
    }

    /** A clean shutdown: the instance has no calls left, so nobody needs to take over. */
    public void remove(String instanceId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM instances WHERE instance_id=?")) {
            ps.setString(1, instanceId);
            ps.executeUpdate();
        }
    }
}
