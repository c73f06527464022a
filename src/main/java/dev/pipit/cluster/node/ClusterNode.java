package dev.pipit.cluster.node;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pipit.cluster.ShardFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard replica in cluster mode ({@code pipit.cluster.mode=node}): PostgreSQL is the system of
 * record, this node's memory a replica of its shard fed by the change log. Start-up: migrate the
 * schema, restore the local snapshot (if any) and tail the log after its sequence; the snapshot is
 * written again by the {@link ReplicaSnapshotPolicy} and at a graceful stop. Writes go to
 * PostgreSQL and are acknowledged with their sequence; searches read {@link #replica()} and may
 * wait for a sequence first ({@link #awaitApplied}).
 */
public final class ClusterNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  /**
   * What a node needs (the {@code pipit.cluster.*} properties, the data dir and the start model).
   */
  public record Settings(
      String url,
      String username,
      String password,
      int shards,
      int shard,
      Path dataDir,
      String initialModel,
      int initialBits,
      Duration readWait,
      int batchSize,
      Duration poll,
      ReplicaSnapshotPolicy snapshots) {

    public Settings {
      if (shard < 0 || shard >= shards) {
        throw new IllegalArgumentException(
            "pipit.cluster.shard must be 0.." + (shards - 1) + ", got " + shard);
      }
    }
  }

  private final Settings settings;
  private final ClusterStore store;
  private final ReplicaIndex replica;
  private final ChangeTailer tailer;
  private final ReplicaSnapshots snapshots;
  private final HikariDataSource pool;
  private final long restoredSequence;

  private ClusterNode(
      Settings settings,
      ClusterStore store,
      ReplicaIndex replica,
      ChangeTailer tailer,
      ReplicaSnapshots snapshots,
      HikariDataSource pool,
      long restoredSequence) {
    this.pool = pool;
    this.settings = settings;
    this.store = store;
    this.replica = replica;
    this.tailer = tailer;
    this.snapshots = snapshots;
    this.restoredSequence = restoredSequence;
  }

  /**
   * Starts a node: the schema is brought up to date, the replica restored and the tail started.
   *
   * @throws SQLException if PostgreSQL is unreachable at start (the node cannot know its schema)
   */
  public static ClusterNode start(Settings settings) throws SQLException {
    // LISTEN needs a connection of its own for as long as the tail runs: not one from the pool.
    PGSimpleDataSource direct = new PGSimpleDataSource();
    direct.setUrl(settings.url());
    direct.setUser(settings.username());
    direct.setPassword(settings.password());
    direct.setConnectTimeout(5);
    direct.setSocketTimeout(30);
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(settings.url());
    pool.setUsername(settings.username());
    pool.setPassword(settings.password());
    pool.setPoolName("pipit-cluster");
    pool.setMaximumPoolSize(8);
    pool.setConnectionTimeout(5_000);
    // Start even when PostgreSQL is down for a moment; the migration below then fails clearly.
    pool.setInitializationFailTimeout(-1);
    pool.addDataSourceProperty("socketTimeout", "30");
    HikariDataSource dataSource = new HikariDataSource(pool);
    try {
      ClusterSchema.migrate(dataSource);
    } catch (SQLException | RuntimeException e) {
      dataSource.close();
      throw e;
    }
    ClusterStore store = new ClusterStore(dataSource, new ShardFunction(settings.shards()));
    ReplicaSnapshot snapshotFile = new ReplicaSnapshot(settings.dataDir(), settings.shard());
    Optional<ReplicaSnapshot.Restored> restored = snapshotFile.read();
    ReplicaIndex replica =
        restored
            .map(ReplicaSnapshot.Restored::replica)
            .orElseGet(() -> new ReplicaIndex(settings.initialModel(), settings.initialBits()));
    long after = restored.map(ReplicaSnapshot.Restored::sequence).orElse(0L);
    log.info(
        "cluster node of shard {}/{}: replica from {} at sequence {}",
        settings.shard(),
        settings.shards(),
        restored.isPresent() ? "the local snapshot" : "nothing",
        after);
    ChangeTailer tailer =
        new ChangeTailer(
            store,
            () -> {
              try {
                return direct.getConnection();
              } catch (SQLException e) {
                throw new StoreUnavailableException("PostgreSQL: " + e.getMessage(), e);
              }
            },
            settings.shard(),
            replica,
            after,
            settings.batchSize(),
            settings.poll());
    ReplicaSnapshots periodic =
        new ReplicaSnapshots(snapshotFile, tailer.start(), replica, settings.snapshots(), after);
    return new ClusterNode(settings, store, replica, tailer, periodic, dataSource, after);
  }

  public int shard() {
    return settings.shard();
  }

  public ClusterStore store() {
    return store;
  }

  public ReplicaIndex replica() {
    return replica;
  }

  /** The sequence of the local snapshot this node started from (0: it started from nothing). */
  public long restoredSequence() {
    return restoredSequence;
  }

  /** What the replica snapshots did (the restored one counts as the last until one is written). */
  public ReplicaSnapshots.Status snapshotStatus() {
    return snapshots.status();
  }

  /** Why the change-log tail is stuck, if it is (empty while it works). */
  public Optional<TailFailure> tailFailure() {
    return tailer.failure();
  }

  /**
   * Writes items of this node's shard; returns the commit's sequence once this node applied it, or
   * after the read wait if it has not by then (the write is committed all the same: a search with
   * that {@code minSequence} waits for it).
   */
  public long upsert(List<ItemWrite> items) throws InterruptedException {
    long sequence = store.upsert(settings.shard(), items);
    afterCommit(sequence);
    return sequence;
  }

  /**
   * Deletes an item of this node's shard; the sequence (as for upsert), empty if there was none.
   */
  public Optional<Long> delete(String id) throws InterruptedException {
    Optional<Long> sequence = store.delete(settings.shard(), id);
    if (sequence.isPresent()) {
      afterCommit(sequence.get());
    }
    return sequence;
  }

  private void afterCommit(long sequence) throws InterruptedException {
    tailer.wake(); // a tail backing off after an outage need not wait: PostgreSQL answers again
    if (!tailer.awaitApplied(sequence, settings.readWait())) {
      log.warn(
          "sequence {} committed but not applied here within {}; acknowledged all the same",
          sequence,
          settings.readWait());
    }
  }

  /**
   * Waits up to the read wait until this node has applied {@code sequence} (read-your-writes).
   *
   * @throws ReadWaitTimeoutException if it has not by then
   */
  public void awaitApplied(long sequence) throws InterruptedException {
    if (!tailer.awaitApplied(sequence, settings.readWait())) {
      throw new ReadWaitTimeoutException(sequence, tailer.appliedSequence());
    }
  }

  /** Ready once the tail has reached the head it saw at least once since start. */
  public boolean ready() {
    return tailer.caughtUp();
  }

  /**
   * How far this node's replica is behind its shard's change log.
   *
   * @param applied the sequence applied up to
   * @param head the newest sequence of the shard the tail has seen
   * @param records head minus applied
   * @param seconds age of the oldest change not applied yet (0 when caught up)
   */
  public record Lag(long applied, long head, long records, double seconds) {}

  public Lag lag() {
    return new Lag(
        tailer.appliedSequence(), tailer.headSequence(), tailer.lagRecords(), tailer.lagSeconds());
  }

  /** The readiness component {@code replication}'s details. */
  public Map<String, Object> replicationDetails() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("shard", settings.shard());
    details.put("appliedSequence", tailer.appliedSequence());
    details.put("headSequence", tailer.headSequence());
    details.put("lagRecords", tailer.lagRecords());
    details.put("lagSeconds", tailer.lagSeconds());
    details.put("postgres", tailer.connected() ? "reachable" : "unreachable");
    // "ok", or what stops the tail: unreachable, sql-error (sqlState) or change-refused (sequence)
    details.put("tail", tailer.failure().<Object>map(TailFailure::details).orElse("ok"));
    details.put("snapshotSequence", snapshots.status().lastSequence());
    details.put("model", replica.served().modelId());
    return details;
  }

  /**
   * Writes the local snapshot at the sequence applied now (the tail goes on meanwhile; see {@link
   * ReplicaSnapshot#capture}).
   */
  public long snapshot() throws IOException {
    return snapshots.snapshot();
  }

  /**
   * A graceful stop: writes the local snapshot (so the next start reads only the log after it),
   * then closes. A snapshot that fails is logged; the next start then replays more of the log.
   */
  public void shutdown() throws IOException {
    try {
      long at = snapshot();
      log.info("replica snapshot of shard {} written at sequence {}", settings.shard(), at);
    } catch (IOException | RuntimeException e) {
      log.warn("replica snapshot at shutdown failed: {}", e.toString());
    }
    close();
  }

  @Override
  public void close() throws IOException {
    snapshots.close();
    tailer.close();
    pool.close();
    replica.close();
  }
}
