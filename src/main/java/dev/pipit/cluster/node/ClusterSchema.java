package dev.pipit.cluster.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the cluster schema up to date at start: plain versioned SQL scripts under {@code
 * db/cluster/}, each applied once in its own transaction and recorded in {@code pipit_schema}. An
 * advisory lock makes nodes that start together apply each script exactly once. (Flyway would do
 * the same with a dependency and a startup cost the two tables do not need.)
 */
public final class ClusterSchema {

  private static final Logger log = LoggerFactory.getLogger(ClusterSchema.class);

  /** The scripts in version order; a new version is appended here, never edited in place. */
  static final List<String> SCRIPTS = List.of("V1__cluster.sql");

  private static final long MIGRATION_LOCK = 0x7069706974L; // "pipit"

  private ClusterSchema() {}

  /** Applies the scripts not yet applied; returns the schema version now in the database. */
  public static int migrate(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
        s.execute(
            "CREATE TABLE IF NOT EXISTS pipit_schema (version integer PRIMARY KEY,"
                + " script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        int current = 0;
        try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM pipit_schema")) {
          r.next();
          current = r.getInt(1);
        }
        for (int v = current + 1; v <= SCRIPTS.size(); v++) {
          String script = SCRIPTS.get(v - 1);
          s.execute(read(script));
          s.execute(
              "INSERT INTO pipit_schema (version, script) VALUES (" + v + ", '" + script + "')");
          log.info("cluster schema: applied {}", script);
        }
        c.commit();
        return SCRIPTS.size();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static String read(String script) {
    try (InputStream in = ClusterSchema.class.getResourceAsStream("/db/cluster/" + script)) {
      if (in == null) {
        throw new IllegalStateException("missing schema script db/cluster/" + script);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
