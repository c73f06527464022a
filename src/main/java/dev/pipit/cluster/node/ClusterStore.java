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
import java.util.Set;
import java.util.TreeSet;
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
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

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
          long last = appendUpserts(c, ownShard, items);
          notifyShard(c, ownShard);
          return last;
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
          long sequence = appendDelete(c, id, ownShard);
          notifyShard(c, ownShard);
          return Optional.of(sequence);
        });
  }

  /**
   * Activates a model for every shard: nodes serve its codes from the returned sequence on.
   *
   * @return the activation's sequence
   */
  public long activate(String modelId, int bits) {
    return inTransaction(c -> appendActivation(c, modelId, bits));
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

  // Held (per session) by the node whose activation job runs: one activation in the cluster at a
  // time; PostgreSQL releases it when that node's connection dies.
  private static final long ACTIVATION_LOCK = 0x7069706974_02L;

  /**
   * Items of model {@code from} that lack a current code of {@code to}: no row of {@code to}, or
   * (with a kept original) one older than the {@code from} row, which a later write replaced.
   * {@code f} is the alias of {@code from}'s rows, {@code t} of {@code to}'s.
   */
  private static final String NEEDS_CODE =
      "f.model_id = ? AND NOT EXISTS (SELECT 1 FROM pipit_items t WHERE t.id = f.id"
          + " AND t.model_id = ? AND (f.original IS NULL OR t.sequence > f.sequence))";

  /**
   * How many items of {@code from} a switch to {@code to} must re-encode ({@code withOriginal}) or
   * cannot ({@code withoutOriginal}: no kept original), and all of {@code from}'s items.
   */
  public record Reencoding(long withOriginal, long withoutOriginal, long items) {}

  /** See {@link Reencoding}: every shard's items. */
  public Reencoding reencoding(String from, String to) {
    return query(c -> reencoding(c, from, to));
  }

  private static Reencoding reencoding(Connection c, String from, String to) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT count(*) FILTER (WHERE f.original IS NOT NULL AND "
                + NEEDS_CODE
                + "), count(*) FILTER (WHERE f.original IS NULL AND "
                + NEEDS_CODE
                + "), count(*) FROM pipit_items f WHERE f.model_id = ?")) {
      p.setString(1, from);
      p.setString(2, to);
      p.setString(3, from);
      p.setString(4, to);
      p.setString(5, from);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return new Reencoding(r.getLong(1), r.getLong(2), r.getLong(3));
      }
    }
  }

  /**
   * An item to re-encode: its {@code from} row as read ({@code sequence} tells whether it changed
   * since) and its kept original's bytes (null when the original is missing from the store).
   */
  public record ToReencode(String id, int shard, String original, long sequence, byte[] image) {}

  /**
   * Up to {@code limit} items of {@code from} (every shard) with a kept original and no current
   * code of {@code to}, in id order after {@code afterId} (empty: from the start): a sweep can stop
   * anywhere and the next one, on any node, continues with what is still missing.
   */
  public List<ToReencode> toReencode(String from, String to, String afterId, int limit) {
    return query(c -> toReencode(c, from, to, afterId, limit));
  }

  private static List<ToReencode> toReencode(
      Connection c, String from, String to, String afterId, int limit) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT f.id, f.shard, f.original, f.sequence, o.bytes FROM pipit_items f"
                + " LEFT JOIN pipit_originals o ON o.sha256 = f.original"
                + " WHERE f.original IS NOT NULL AND "
                + NEEDS_CODE
                // the primary key's order (the database's collation): each batch is a range scan
                + " AND f.id > ? ORDER BY f.id LIMIT ?")) {
      p.setString(1, from);
      p.setString(2, to);
      p.setString(3, afterId);
      p.setInt(4, limit);
      List<ToReencode> items = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          items.add(
              new ToReencode(
                  r.getString(1), r.getInt(2), r.getString(3), r.getLong(4), r.getBytes(5)));
        }
      }
      return items;
    }
  }

  /** An item's code under the model switched to, computed from its {@code from} row as read. */
  public record Reencoded(ToReencode item, Code code) {}

  /**
   * Writes re-encoded codes of model {@code to} in one transaction (as a write: appended to the
   * change log of each item's shard, under the append lock). An item whose {@code from} row changed
   * or was deleted since it was read is skipped: a deleted item stays deleted, a rewritten one is
   * still missing and the next sweep re-encodes its new original.
   *
   * @return how many were written
   */
  public int writeReencoded(String from, String to, List<Reencoded> codes) {
    if (codes.isEmpty()) {
      return 0;
    }
    return inTransaction(c -> writeReencoded(c, from, to, codes));
  }

  private int writeReencoded(Connection c, String from, String to, List<Reencoded> codes)
      throws SQLException {
    int written = 0;
    Set<Integer> touched = new TreeSet<>();
    try (PreparedStatement current =
        c.prepareStatement(
            "SELECT label, metadata::text FROM pipit_items WHERE id = ? AND model_id = ?"
                + " AND sequence = ? AND original = ?")) {
      for (Reencoded r : codes) {
        ToReencode item = r.item();
        current.setString(1, item.id());
        current.setString(2, from);
        current.setLong(3, item.sequence());
        current.setString(4, item.original());
        try (ResultSet row = current.executeQuery()) {
          if (!row.next()) {
            continue; // deleted or rewritten meanwhile
          }
          Map<String, String> metadata = json.readValue(row.getString(2), STRING_MAP);
          appendUpserts(
              c,
              item.shard(),
              List.of(
                  new ItemWrite(
                      item.id(), to, r.code(), row.getString(1), metadata, item.original())));
          touched.add(item.shard());
          written++;
        }
      }
    }
    for (int shard : touched) {
      notifyShard(c, shard);
    }
    return written;
  }

  /**
   * Appends an upsert change of each item (all of {@code shard}) and writes its row at that
   * sequence.
   *
   * @return the last change's sequence
   */
  private long appendUpserts(Connection c, int shard, List<ItemWrite> writes) throws SQLException {
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
      for (ItemWrite w : writes) {
        change.setString(1, w.id());
        change.setInt(2, shard);
        change.setString(3, payloadJson(w));
        try (ResultSet r = change.executeQuery()) {
          r.next();
          last = r.getLong(1);
        }
        item.setString(1, w.id());
        item.setString(2, w.modelId());
        item.setInt(3, shard);
        item.setBytes(4, Base64.getDecoder().decode(w.code().toBase64()));
        item.setInt(5, w.code().bits());
        item.setString(6, w.label());
        item.setString(7, json.writeValueAsString(w.metadata()));
        item.setString(8, w.original());
        item.setLong(9, last);
        item.addBatch();
      }
      item.executeBatch();
      return last;
    }
  }

  /** Appends a delete change of {@code id} to {@code shard}'s log: its sequence. */
  private static long appendDelete(Connection c, String id, int shard) throws SQLException {
    try (PreparedStatement change =
        c.prepareStatement(
            "INSERT INTO pipit_changes (op, id, shard) VALUES ('delete', ?, ?) RETURNING"
                + " sequence")) {
      change.setString(1, id);
      change.setInt(2, shard);
      try (ResultSet r = change.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  /** Encodes the last items missing a code, inside the activation's transaction. */
  public interface LastEncodings {
    List<Reencoded> encode(List<ToReencode> items);
  }

  /**
   * Activates {@code to} once every item of {@code from} has a current code of it, in one
   * transaction under the append lock, so no write can slip in between: the items still missing
   * (written since the last sweep) are read and handed to {@code last} to encode (writes wait
   * meanwhile: keep them few), written, and then, if none is missing any more, the activation row
   * is appended. With {@code dropMissing}, items still without a code of {@code to} (no kept
   * original, or it failed to encode) are deleted (a {@code delete} change each) before it.
   *
   * @return the activation's sequence
   * @throws ItemsMissingException if items would be left without a code and {@code dropMissing} is
   *     false (nothing is written)
   */
  public ActivationOutcome activateReencoded(
      String from, String to, int bits, boolean dropMissing, LastEncodings last) {
    return inTransaction(
        c -> {
          List<ToReencode> remaining = toReencode(c, from, to, "", Integer.MAX_VALUE);
          int written = writeReencoded(c, from, to, last.encode(remaining));
          List<String> missing = new ArrayList<>();
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT f.id, f.shard FROM pipit_items f WHERE "
                      + NEEDS_CODE
                      + " ORDER BY f.id")) {
            p.setString(1, from);
            p.setString(2, to);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                missing.add(r.getString(1));
              }
            }
          }
          if (!missing.isEmpty() && !dropMissing) {
            throw new ItemsMissingException(missing.size());
          }
          for (String id : missing) {
            try (PreparedStatement del =
                c.prepareStatement("DELETE FROM pipit_items WHERE id = ? RETURNING shard")) {
              del.setString(1, id);
              int shard;
              try (ResultSet r = del.executeQuery()) {
                r.next();
                shard = r.getInt(1);
              }
              appendDelete(c, id, shard);
            }
          }
          long sequence = appendActivation(c, to, bits);
          return new ActivationOutcome(sequence, written, missing.size());
        });
  }

  /**
   * A committed activation after re-encoding: its sequence, the codes written in its transaction
   * and the items dropped (deleted) by it.
   */
  public record ActivationOutcome(long sequence, int lastWritten, int dropped) {}

  /** Items would be left without a code of the activated model (nothing was written). */
  public static final class ItemsMissingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int missing;

    public ItemsMissingException(int missing) {
      super(missing + " items have no code of the model and no original to re-encode");
      this.missing = missing;
    }

    public int missing() {
      return missing;
    }
  }

  private long appendActivation(Connection c, String modelId, int bits) throws SQLException {
    long sequence;
    try (PreparedStatement change =
        c.prepareStatement(
            "INSERT INTO pipit_changes (op, shard, payload) VALUES ('activate', NULL,"
                + " ?::jsonb) RETURNING sequence")) {
      // the code length: a node that holds none of the model's codes yet serves an empty index of
      // it
      change.setString(1, json.writeValueAsString(Map.of("model", modelId, "bits", bits)));
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
  }

  /** Held while an activation job runs; closing it lets the next one start (on any node). */
  public interface ActivationLock extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The cluster's one activation job slot: empty when another node (or this one) holds it. A
   * session lock on a connection of its own, so that a node that dies frees it with its connection.
   */
  public Optional<ActivationLock> tryActivationLock() {
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw unavailable(e);
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + ACTIVATION_LOCK + ")")) {
      r.next();
      if (!r.getBoolean(1)) {
        c.close();
        return Optional.empty();
      }
    } catch (SQLException e) {
      closeQuietly(c);
      throw unavailable(e);
    }
    return Optional.of(
        () -> {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + ACTIVATION_LOCK + ")");
          } catch (SQLException e) {
            // a broken connection: its session, and the lock with it, ends with it
          } finally {
            closeQuietly(c);
          }
        });
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // nothing more to do with it
    }
  }

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
          new Change(
              sequence,
              op,
              null,
              null,
              (String) payload.get("model"),
              at.toInstant(),
              payload.get("bits") instanceof Number bits ? bits.intValue() : 0);
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
