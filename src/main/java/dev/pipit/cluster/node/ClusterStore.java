package dev.pipit.cluster.node;

import dev.pipit.cluster.ShardFunction;
import dev.pipit.index.Code;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cluster's system of record in PostgreSQL: items, the ordered change log, model activations
 * and kept originals. Every write is one transaction that appends to the change log and updates the
 * items; it returns the sequence of its last change only after the commit, so an acknowledged write
 * is durable and a node that has applied that sequence has it.
 */
public final class ClusterStore {

  /** The NOTIFY channel writers signal on commit; tailers use it only to wake up. */
  public static final String CHANNEL = "pipit_changes";

  // Serialises appends to the log so sequences commit in order (see V1__cluster.sql).
  private static final long APPEND_LOCK = 0x7069706974_01L;

  private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

  private final DataSource dataSource;
  private final ShardFunction shards;
  private final JsonMapper json = JsonMapper.builder().build();

  public ClusterStore(DataSource dataSource, ShardFunction shards) {
    this.dataSource = dataSource;
    this.shards = shards;
  }

  public ShardFunction shards() {
    return shards;
  }

  /**
   * Writes the items of one request (all of shard {@code ownShard}) in one transaction.
   *
   * @return the change-log sequence of the commit
   * @throws WrongShardException if an id belongs to another shard (nothing is written)
   * @throws StoreUnavailableException if PostgreSQL failed (nothing is written)
   */
  public long upsert(int ownShard, List<ItemWrite> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("nothing to write");
    }
    for (ItemWrite item : items) {
      checkShard(item.id(), ownShard);
    }
    return inTransaction(
        c -> {
          try (PreparedStatement change =
                  c.prepareStatement(
                      "INSERT INTO pipit_changes (op, id, shard, payload)"
                          + " VALUES ('upsert', ?, ?, ?::jsonb) RETURNING sequence");
              PreparedStatement item =
                  c.prepareStatement(
                      "INSERT INTO pipit_items (id, model_id, shard, code, bits, label, metadata,"
                          + " original, sequence) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)"
                          + " ON CONFLICT (id, model_id) DO UPDATE SET code = excluded.code,"
                          + " bits = excluded.bits, label = excluded.label,"
                          + " metadata = excluded.metadata, original = excluded.original,"
                          + " sequence = excluded.sequence")) {
            long last = 0;
            for (ItemWrite w : items) {
              change.setString(1, w.id());
              change.setInt(2, ownShard);
              change.setString(3, payloadJson(w));
              try (ResultSet r = change.executeQuery()) {
                r.next();
                last = r.getLong(1);
              }
              item.setString(1, w.id());
              item.setString(2, w.modelId());
              item.setInt(3, ownShard);
              item.setBytes(4, Base64.getDecoder().decode(w.code().toBase64()));
              item.setInt(5, w.code().bits());
              item.setString(6, w.label());
              item.setString(7, json.writeValueAsString(w.metadata()));
              item.setString(8, w.original());
              item.setLong(9, last);
              item.addBatch();
            }
            item.executeBatch();
            notifyShard(c, ownShard);
            return last;
          }
        });
  }

  /**
   * Deletes an item (every model's code of it).
   *
   * @return the sequence of the delete, or empty if there was no such item (nothing logged)
   */
  public Optional<Long> delete(int ownShard, String id) {
    checkShard(id, ownShard);
    return inTransaction(
        c -> {
          try (PreparedStatement del = c.prepareStatement("DELETE FROM pipit_items WHERE id = ?")) {
            del.setString(1, id);
            if (del.executeUpdate() == 0) {
              return Optional.<Long>empty();
            }
          }
          try (PreparedStatement change =
              c.prepareStatement(
                  "INSERT INTO pipit_changes (op, id, shard) VALUES ('delete', ?, ?)"
                      + " RETURNING sequence")) {
            change.setString(1, id);
            change.setInt(2, ownShard);
            try (ResultSet r = change.executeQuery()) {
              r.next();
              long sequence = r.getLong(1);
              notifyShard(c, ownShard);
              return Optional.of(sequence);
            }
          }
        });
  }

  /**
   * Activates a model for every shard: nodes serve its codes from the returned sequence on.
   *
   * @return the activation's sequence
   */
  public long activate(String modelId) {
    return inTransaction(
        c -> {
          long sequence;
          try (PreparedStatement change =
              c.prepareStatement(
                  "INSERT INTO pipit_changes (op, shard, payload) VALUES ('activate', NULL,"
                      + " ?::jsonb) RETURNING sequence")) {
            change.setString(1, json.writeValueAsString(Map.of("model", modelId)));
            try (ResultSet r = change.executeQuery()) {
              r.next();
              sequence = r.getLong(1);
            }
          }
          try (PreparedStatement row =
              c.prepareStatement(
                  "INSERT INTO pipit_model_activations (sequence, model_id) VALUES (?, ?)")) {
            row.setLong(1, sequence);
            row.setString(2, modelId);
            row.executeUpdate();
          }
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_notify('" + CHANNEL + "', 'all')");
          }
          return sequence;
        });
  }

  /** The model active at the head of the log, if any was activated. */
  public Optional<String> activeModel() {
    return query(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet r =
                  s.executeQuery(
                      "SELECT model_id FROM pipit_model_activations"
                          + " ORDER BY sequence DESC LIMIT 1")) {
            return r.next() ? Optional.of(r.getString(1)) : Optional.<String>empty();
          }
        });
  }

  /** Up to {@code limit} changes of {@code shard} (and activations) after {@code after}. */
  public List<Change> changesAfter(int shard, long after, int limit) {
    return query(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT sequence, op, id, payload::text, committed_at FROM pipit_changes"
                      + " WHERE sequence > ? AND (shard = ? OR shard IS NULL)"
                      + " ORDER BY sequence LIMIT ?")) {
            p.setLong(1, after);
            p.setInt(2, shard);
            p.setInt(3, limit);
            List<Change> changes = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                changes.add(toChange(r));
              }
            }
            return changes;
          }
        });
  }

  /** The newest sequence of the whole change log, every shard's (0 when empty). */
  public long lastSequence() {
    return query(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet r =
                  s.executeQuery("SELECT coalesce(max(sequence), 0) FROM pipit_changes")) {
            r.next();
            return r.getLong(1);
          }
        });
  }

  /** The newest sequence that concerns {@code shard} (0 when none). */
  public long headSequence(int shard) {
    return query(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT greatest((SELECT max(sequence) FROM pipit_changes WHERE shard = ?),"
                      + " (SELECT max(sequence) FROM pipit_changes WHERE shard IS NULL), 0)")) {
            p.setInt(1, shard);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          }
        });
  }

  /** Keeps an original by content; a second put of the same bytes is a no-op. */
  public void putOriginal(String sha256, String mediaType, byte[] bytes) {
    inTransaction(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO pipit_originals (sha256, media_type, bytes) VALUES (?, ?, ?)"
                      + " ON CONFLICT (sha256) DO NOTHING")) {
            p.setString(1, sha256);
            p.setString(2, mediaType);
            p.setBytes(3, bytes);
            p.executeUpdate();
            return null;
          }
        });
  }

  /** A kept original by its sha256. */
  public Optional<StoredOriginal> original(String sha256) {
    return query(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT media_type, bytes FROM pipit_originals WHERE sha256 = ?")) {
            p.setString(1, sha256);
            try (ResultSet r = p.executeQuery()) {
              return r.next()
                  ? Optional.of(new StoredOriginal(sha256, r.getString(1), r.getBytes(2)))
                  : Optional.<StoredOriginal>empty();
            }
          }
        });
  }

  /** A kept original's bytes and media type. */
  public record StoredOriginal(String sha256, String mediaType, byte[] bytes) {}

  private void checkShard(String id, int ownShard) {
    int shard = shards.shardOf(id);
    if (shard != ownShard) {
      throw new WrongShardException(id, shard, ownShard);
    }
  }

  private String payloadJson(ItemWrite w) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("model", w.modelId());
    payload.put("bits", w.code().bits());
    payload.put("code", w.code().toBase64());
    payload.put("label", w.label());
    payload.put("metadata", w.metadata());
    payload.put("original", w.original());
    return json.writeValueAsString(payload);
  }

  @SuppressWarnings("unchecked")
  private Change toChange(ResultSet r) throws SQLException {
    long sequence = r.getLong(1);
    Change.Op op = Change.Op.valueOf(r.getString(2).toUpperCase(Locale.ROOT));
    String id = r.getString(3);
    Map<String, Object> payload = json.readValue(r.getString(4), JSON_OBJECT);
    Timestamp at = r.getTimestamp(5);
    return switch (op) {
      case UPSERT ->
          new Change(
              sequence,
              op,
              id,
              new ItemWrite(
                  id,
                  (String) payload.get("model"),
                  Code.fromBase64(
                      ((Number) payload.get("bits")).intValue(), (String) payload.get("code")),
                  (String) payload.get("label"),
                  (Map<String, String>) payload.get("metadata"),
                  (String) payload.get("original")),
              (String) payload.get("model"),
              at.toInstant());
      case DELETE -> new Change(sequence, op, id, null, null, at.toInstant());
      case ACTIVATE ->
          new Change(sequence, op, null, null, (String) payload.get("model"), at.toInstant());
    };
  }

  private static void notifyShard(Connection c, int shard) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_notify('" + CHANNEL + "', '" + shard + "')");
    }
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T query(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_xact_lock(" + APPEND_LOCK + ")");
        }
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static StoreUnavailableException unavailable(SQLException e) {
    return new StoreUnavailableException("PostgreSQL: " + e.getMessage(), e);
  }
}
