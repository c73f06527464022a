package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.cluster.SqlHammingOracle;
import dev.pipit.index.Code;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The PostgreSQL store against a real server (see {@link ClusterTestPostgres}). */
class ClusterStoreContractTests {

  private static final ShardFunction TWO_SHARDS = new ShardFunction(2);

  private ClusterTestPostgres.Database db;
  private ClusterStore store;

  @BeforeEach
  void freshDatabase() throws Exception {
    db = ClusterTestPostgres.newDatabase();
    assertThat(ClusterSchema.migrate(db.dataSource())).isEqualTo(1);
    store = new ClusterStore(db.dataSource(), TWO_SHARDS);
  }

  @Test
  void migratingTwiceAppliesEachScriptOnce() throws Exception {
    assertThat(ClusterSchema.migrate(db.dataSource())).isEqualTo(1);
    assertThat(scalar("SELECT count(*) FROM pipit_schema")).isEqualTo(1);
  }

  @Test
  void aWriteIsCommittedWithItsSequenceAndReadBackFromTheLog() throws Exception {
    List<String> ids = idsOfShard(0, 3);
    Code code = Code.fromHex(64, "00ff00ff00ff00ff");
    long first =
        store.upsert(
            0,
            List.of(
                new ItemWrite(ids.get(0), "m1", code, "cat", Map.of("k", "v"), null),
                new ItemWrite(ids.get(1), "m1", code, null, Map.of(), sha("x"))));
    long second =
        store.upsert(0, List.of(new ItemWrite(ids.get(2), "m1", code, "dog", null, null)));

    assertThat(second).isGreaterThan(first);
    assertThat(scalar("SELECT count(*) FROM pipit_items WHERE shard = 0")).isEqualTo(3);
    assertThat(scalar("SELECT max(sequence) FROM pipit_changes")).isEqualTo(second);
    assertThat(store.headSequence(0)).isEqualTo(second);
    assertThat(store.headSequence(1)).isZero();

    List<Change> changes = store.changesAfter(0, 0, 100);
    assertThat(changes).extracting(Change::op).containsOnly(Change.Op.UPSERT);
    assertThat(changes).extracting(Change::id).containsExactlyElementsOf(ids);
    ItemWrite back = changes.getFirst().item();
    assertThat(back.code()).isEqualTo(code);
    assertThat(back.label()).isEqualTo("cat");
    assertThat(back.metadata()).isEqualTo(Map.of("k", "v"));
    assertThat(changes.get(1).item().original()).isEqualTo(sha("x"));
    assertThat(store.changesAfter(0, first, 100))
        .extracting(Change::id)
        .containsExactly(ids.get(2));
  }

  @Test
  void theSqlOracleMatchesTheReplicaIndexOnRandomCodes() throws Exception {
    List<String> ids = idsOfShard(0, 300);
    Random random = new Random(11);
    List<ItemWrite> writes = new ArrayList<>();
    for (String id : ids) {
      // Few distinct codes so that ties are common and the tie rule is checked too.
      writes.add(
          new ItemWrite(id, "m1", Code.of(64, random.nextLong() & 0x0f0fL), null, null, null));
    }
    long last = 0;
    for (int i = 0; i < writes.size(); i += 50) {
      last = store.upsert(0, writes.subList(i, i + 50));
    }
    // Rewrite a few: an upsert counts as the newest insertion in both.
    last = store.upsert(0, List.of(writes.get(3), writes.get(100)));
    try (ReplicaIndex replica = new ReplicaIndex("m1", 64);
        ChangeTailer tailer = tailer(replica, 0, 64);
        Connection c = db.connect()) {
      assertThat(tailer.awaitApplied(last, Duration.ofSeconds(30))).isTrue();
      for (int q = 0; q < 20; q++) {
        Code query = Code.of(64, random.nextLong());
        List<SqlHammingOracle.Hit> expected = SqlHammingOracle.topK(c, "m1", query, 25);
        assertThat(replica.served().index().search(query, 25))
            .extracting(h -> new SqlHammingOracle.Hit(h.id(), h.distance()))
            .containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void aWriteOfAnotherShardsIdIsRefusedAndNothingIsWritten() throws Exception {
    String mine = idsOfShard(0, 1).getFirst();
    String theirs = idsOfShard(1, 1).getFirst();
    Code code = Code.fromHex(8, "01");
    assertThatThrownBy(
            () ->
                store.upsert(
                    0,
                    List.of(
                        new ItemWrite(mine, "m1", code, null, null, null),
                        new ItemWrite(theirs, "m1", code, null, null, null))))
        .isInstanceOf(WrongShardException.class)
        .hasMessageContaining("shard 1");
    assertThat(scalar("SELECT count(*) FROM pipit_items")).isZero();
    assertThat(scalar("SELECT count(*) FROM pipit_changes")).isZero();
  }

  @Test
  void deleteLogsAChangeOnlyWhenTheItemExisted() throws Exception {
    String id = idsOfShard(0, 1).getFirst();
    assertThat(store.delete(0, id)).isEmpty();
    long written =
        store.upsert(0, List.of(new ItemWrite(id, "m1", Code.fromHex(8, "01"), null, null, null)));
    long deleted = store.delete(0, id).orElseThrow();
    assertThat(deleted).isGreaterThan(written);
    assertThat(scalar("SELECT count(*) FROM pipit_items")).isZero();
    assertThat(store.changesAfter(0, written, 10))
        .extracting(Change::op)
        .containsExactly(Change.Op.DELETE);
  }

  @Test
  void anActivationReachesEveryShardAtOneSequence() {
    long at = store.activate("m2", 48);
    assertThat(store.activeModel()).contains("m2");
    for (int shard = 0; shard < 2; shard++) {
      List<Change> changes = store.changesAfter(shard, 0, 10);
      assertThat(changes).hasSize(1);
      assertThat(changes.getFirst().op()).isEqualTo(Change.Op.ACTIVATE);
      assertThat(changes.getFirst().modelBits())
          .as("its code length travels with it")
          .isEqualTo(48);
      assertThat(changes.getFirst().modelId()).isEqualTo("m2");
      assertThat(changes.getFirst().sequence()).isEqualTo(at);
    }
  }

  @Test
  void originalsAreKeptByContentAndReadableByAnyNode() throws Exception {
    byte[] bytes = new byte[300_000];
    new Random(7).nextBytes(bytes);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    store.putOriginal(sha, "image/jpeg", bytes);
    store.putOriginal(sha, "image/jpeg", bytes);
    // A second store (another node) on the same database reads it.
    ClusterStore other = new ClusterStore(db.dataSource(), TWO_SHARDS);
    ClusterStore.StoredOriginal read = other.original(sha).orElseThrow();
    assertThat(read.bytes()).isEqualTo(bytes);
    assertThat(read.mediaType()).isEqualTo("image/jpeg");
    assertThat(other.original(sha("missing"))).isEmpty();
    assertThat(scalar("SELECT count(*) FROM pipit_originals")).isEqualTo(1);
  }

  @Test
  void concurrentWritersNeverLetATailerSkipASequence() throws Exception {
    List<String> ids = idsOfShard(0, 400);
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    List<Long> order = new ArrayList<>();
    ChangeSink sink =
        batch -> {
          for (Change c : batch) {
            seen.merge(c.id(), 1, Integer::sum);
            synchronized (order) {
              order.add(c.sequence());
            }
          }
        };
    try (ChangeTailer tailer = tailer(sink, 0, 7)) {
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<Long>> acks = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int from = w * 100;
        acks.add(
            writers.submit(
                () -> {
                  long last = 0;
                  for (int i = from; i < from + 100; i += 2) {
                    last =
                        store.upsert(
                            0,
                            List.of(
                                new ItemWrite(
                                    ids.get(i), "m1", Code.fromHex(8, "01"), null, null, null),
                                new ItemWrite(
                                    ids.get(i + 1),
                                    "m1",
                                    Code.fromHex(8, "02"),
                                    null,
                                    null,
                                    null)));
                  }
                  return last;
                }));
      }
      long max = 0;
      for (Future<Long> ack : acks) {
        max = Math.max(max, ack.get());
      }
      writers.shutdown();
      assertThat(tailer.awaitApplied(max, Duration.ofSeconds(30))).isTrue();
    }
    assertThat(seen).hasSize(400).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    assertThat(order).isSorted().doesNotHaveDuplicates();
    assertThat(order).hasSize((int) scalar("SELECT count(*) FROM pipit_changes"));
  }

  @Test
  void aTailedReplicaServesTheActiveModelOnlyAndSwitchesAtTheActivation() throws Exception {
    List<String> ids = idsOfShard(0, 3);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16);
        ChangeTailer tailer = tailer(replica, 0, 100)) {
      long s1 =
          store.upsert(
              0,
              List.of(
                  new ItemWrite(ids.get(0), "m1", Code.fromHex(16, "0001"), "a", null, null),
                  new ItemWrite(ids.get(1), "m1", Code.fromHex(16, "0003"), "b", null, null)));
      // The next model's codes arrive before its activation and are not served yet.
      long s2 =
          store.upsert(
              0,
              List.of(
                  new ItemWrite(ids.get(0), "m2", Code.fromHex(32, "00000001"), "a", null, null)));
      assertThat(tailer.awaitApplied(s2, Duration.ofSeconds(10))).isTrue();
      assertThat(s2).isGreaterThan(s1);
      ReplicaIndex.Served before = replica.served();
      assertThat(before.modelId()).isEqualTo("m1");
      assertThat(before.index().search(Code.fromHex(16, "0000"), 10))
          .extracting(h -> h.id())
          .containsExactly(ids.get(0), ids.get(1));

      long s3 = store.activate("m2", 16);
      assertThat(tailer.awaitApplied(s3, Duration.ofSeconds(10))).isTrue();
      ReplicaIndex.Served after = replica.served();
      assertThat(after.modelId()).isEqualTo("m2");
      assertThat(after.activatedAt()).isEqualTo(s3);
      assertThat(after.index().bits()).isEqualTo(32);
      assertThat(after.index().size()).isEqualTo(1);

      long s4 = store.delete(0, ids.get(0)).orElseThrow();
      assertThat(tailer.awaitApplied(s4, Duration.ofSeconds(10))).isTrue();
      assertThat(after.index().size()).isZero();
      assertThat(tailer.lagRecords()).isZero();
      assertThat(tailer.caughtUp()).isTrue();
      assertThat(tailer.awaitApplied(s4 + 1, Duration.ofMillis(50))).isFalse();
    }
  }

  @Test
  void aSnapshotRestoresTheReplicaAndTheTailerGoesOnFromItsSequence(@TempDir Path dataDir)
      throws Exception {
    List<String> ids = idsOfShard(0, 4);
    long s1 =
        store.upsert(
            0,
            List.of(
                new ItemWrite(
                    ids.get(0), "m1", Code.fromHex(16, "0001"), "a", Map.of("k", "v"), null),
                new ItemWrite(ids.get(1), "m1", Code.fromHex(16, "0001"), "b", null, null)));
    ReplicaSnapshot snapshots = new ReplicaSnapshot(dataDir, 0);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16);
        ChangeTailer tailer = tailer(replica, 0, 100)) {
      assertThat(tailer.awaitApplied(s1, Duration.ofSeconds(10))).isTrue();
      tailer.close();
      snapshots.write(replica, tailer.appliedSequence());
    }
    long s2 =
        store.upsert(
            0, List.of(new ItemWrite(ids.get(2), "m1", Code.fromHex(16, "0001"), "c", null, null)));
    ReplicaSnapshot.Restored restored = snapshots.read().orElseThrow();
    assertThat(restored.sequence()).isEqualTo(s1);
    try (ReplicaIndex replica = restored.replica();
        ChangeTailer tailer = tailer(replica, restored.sequence(), 100)) {
      assertThat(tailer.awaitApplied(s2, Duration.ofSeconds(10))).isTrue();
      // Equal distances: insertion order (the log's order) survived the snapshot.
      assertThat(replica.served().index().search(Code.fromHex(16, "0000"), 10))
          .extracting(h -> h.id())
          .containsExactly(ids.get(0), ids.get(1), ids.get(2));
    }
    // A damaged file is ignored, never half-read.
    byte[] bytes = Files.readAllBytes(snapshots.file());
    bytes[bytes.length / 2] ^= 1;
    Files.write(snapshots.file(), bytes);
    assertThat(snapshots.read()).isEmpty();
  }

  @Test
  void writesFailCleanlyWhilePostgresIsDownAndTheTailerCatchesUpAfter() throws Exception {
    List<String> ids = idsOfShard(0, 2);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 8);
        ChangeTailer tailer = tailer(replica, 0, 100)) {
      long s1 =
          store.upsert(
              0, List.of(new ItemWrite(ids.get(0), "m1", Code.fromHex(8, "01"), null, null, null)));
      assertThat(tailer.awaitApplied(s1, Duration.ofSeconds(10))).isTrue();
      ClusterTestPostgres.interrupt();
      try {
        assertThatThrownBy(
                () ->
                    store.upsert(
                        0,
                        List.of(
                            new ItemWrite(
                                ids.get(1), "m1", Code.fromHex(8, "02"), null, null, null))))
            .isInstanceOf(StoreUnavailableException.class);
        // The replica keeps answering from memory.
        assertThat(replica.served().index().search(Code.fromHex(8, "00"), 5)).hasSize(1);
      } finally {
        ClusterTestPostgres.resume();
      }
      long s2 =
          store.upsert(
              0, List.of(new ItemWrite(ids.get(1), "m1", Code.fromHex(8, "02"), null, null, null)));
      assertThat(tailer.awaitApplied(s2, Duration.ofSeconds(30))).isTrue();
      assertThat(replica.served().index().size()).isEqualTo(2);
      assertThat(scalar("SELECT count(*) FROM pipit_items")).isEqualTo(2);
    }
  }

  @Test
  void anUnreachableDatabaseFailsWritesCleanly() throws Exception {
    PGSimpleDataSource dead = new PGSimpleDataSource();
    dead.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/pipit");
    dead.setConnectTimeout(2);
    ClusterStore unreachable = new ClusterStore(dead, TWO_SHARDS);
    String id = idsOfShard(0, 1).getFirst();
    assertThatThrownBy(
            () ->
                unreachable.upsert(
                    0, List.of(new ItemWrite(id, "m1", Code.fromHex(8, "01"), null, null, null))))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> unreachable.headSequence(0))
        .isInstanceOf(StoreUnavailableException.class);
  }

  private ChangeTailer tailer(ChangeSink sink, long after, int batch) {
    return new ChangeTailer(
            store,
            () -> {
              try {
                return db.connect();
              } catch (SQLException e) {
                throw new StoreUnavailableException(e.getMessage(), e);
              }
            },
            0,
            sink,
            after,
            batch,
            Duration.ofMillis(500))
        .start();
  }

  private long scalar(String sql) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static List<String> idsOfShard(int shard, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      String id = "item-" + i;
      if (TWO_SHARDS.shardOf(id) == shard) {
        ids.add(id);
      }
    }
    return ids;
  }

  private static String sha(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
