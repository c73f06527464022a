package dev.pipit.cluster.node;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Why the change-log tail is not moving, as readiness names it: PostgreSQL cannot be reached, it
 * answered with an SQL error, or a change it returned could not be applied to the replica (the tail
 * retries that one change until someone fixes it, so it must be named).
 */
public sealed interface TailFailure {

  /** The readiness details of this failure ({@code state} first). */
  Map<String, Object> details();

  /** No connection: refused, reset, timed out, or the server shutting down. */
  record Unreachable(String message) implements TailFailure {
    @Override
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("state", "unreachable");
      details.put("message", message);
      return details;
    }
  }

  /** PostgreSQL answered with an error (a missing table, a permission, a cancelled query...). */
  record SqlError(String sqlState, String message) implements TailFailure {
    @Override
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("state", "sql-error");
      details.put("sqlState", sqlState);
      details.put("message", message);
      return details;
    }
  }

  /** The change at {@code sequence} (of item {@code id}, null for an activation) was refused. */
  record ChangeRefused(long sequence, String id, String reason) implements TailFailure {
    @Override
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("state", "change-refused");
      details.put("sequence", sequence);
      details.put("id", id);
      details.put("reason", reason);
      return details;
    }
  }

  /** Anything else the tail hit (a bug, memory): its type and message. */
  record Other(String error) implements TailFailure {
    @Override
    public Map<String, Object> details() {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("state", "error");
      details.put("message", error);
      return details;
    }
  }

  /**
   * SQLStates that mean the connection, not the statement, failed: class 08 (connection exception)
   * and the server going away (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
   * now).
   */
  Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03");

  /** Classifies what the tail caught. */
  static TailFailure of(Throwable caught) {
    if (caught instanceof ChangeRefusedException refused) {
      return new ChangeRefused(refused.sequence(), refused.id(), refused.reason());
    }
    SQLException sql = null;
    for (Throwable t = caught; t != null; t = t.getCause()) {
      if (t instanceof SocketException || t instanceof SocketTimeoutException) {
        return new Unreachable(messageOf(caught));
      }
      if (sql == null && t instanceof SQLException e) {
        sql = e;
      }
    }
    if (sql == null) {
      return new Other(caught.getClass().getSimpleName() + ": " + caught.getMessage());
    }
    String state = sql.getSQLState();
    // A pool that timed out waiting for a connection has no state: the server did not answer.
    if (state == null
        || state.startsWith("08")
        || SERVER_GONE.contains(state)
        || sql instanceof SQLTransientConnectionException) {
      return new Unreachable(sql.getMessage());
    }
    return new SqlError(state, sql.getMessage());
  }

  private static String messageOf(Throwable caught) {
    return caught.getMessage() == null ? caught.getClass().getSimpleName() : caught.getMessage();
  }
}
