package dev.wavoice.server.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every row of the call-log tables as its database holds it at one moment, keyed by table and primary key, each row
 * a column-to-text map: two snapshots compare row for row, column for column. Read on one plain connection opened
 * for the purpose (no pool), so nothing stays connected across a kill or a restart.
 */
record CallLogSnapshot(Map<String, Map<String, Map<String, String>>> tables) {
    /** Table and its primary key column. {@code webhook_events} is there because a lost key reopens a redelivery. */
    static final Map<String, String> TABLES = tableKeys();

    private static Map<String, String> tableKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("calls", "call_id");
        keys.put("call_events", "event_id");
        keys.put("transcripts", "transcript_id");
        keys.put("call_usage", "usage_id");
        keys.put("webhook_events", "event_key");
        return Collections.unmodifiableMap(keys);
    }

    static CallLogSnapshot read(String jdbcUrl) throws SQLException {
        Map<String, Map<String, Map<String, String>>> tables = new LinkedHashMap<>();
        try (Connection c = jdbcUrl.startsWith("jdbc:h2:") ? DriverManager.getConnection(jdbcUrl, "sa", "")
                : DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> t : TABLES.entrySet()) {
                Map<String, Map<String, String>> rows = new TreeMap<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + t.getKey())) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        Map<String, String> row = new TreeMap<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object v = rs.getObject(i);
                            row.put(md.getColumnLabel(i).toLowerCase(), v == null ? null : v.toString());
                        }
                        rows.put(row.get(t.getValue()), row);
                    }
                }
                tables.put(t.getKey(), Collections.unmodifiableMap(rows));
            }
        }
        return new CallLogSnapshot(Collections.unmodifiableMap(tables));
    }

    Map<String, Map<String, String>> rows(String table) {
        return tables.get(table);
    }

    Map<String, String> call(String callId) {
        return rows("calls").get(callId);
    }

    /** The event types of one call, in the order they happened. */
    List<String> eventTypes(String callId) {
        return rows("call_events").values().stream().filter(e -> callId.equals(e.get("call_id")))
                .sorted((a, b) -> a.get("occurred_at").compareTo(b.get("occurred_at"))).map(e -> e.get("type"))
                .toList();
    }

    /** Row counts per table, for the report. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        tables.forEach((table, rows) -> counts.put(table, rows.size()));
        return counts;
    }
}
