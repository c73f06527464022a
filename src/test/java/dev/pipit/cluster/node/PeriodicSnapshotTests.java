package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.index.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node writes its replica snapshot while it runs ({@link ReplicaSnapshotPolicy}), so a node that
 * is killed (no graceful stop) restarts from it and reads only the log after it.
 */
class PeriodicSnapshotTests {

  private static final ShardFunction SHARDS = new ShardFunction(2);
  private static final int SHARD = 1;
  private static final int BITS = 16;

  @Test
  void aKilledNodeRestartsFromItsLastPeriodicSnapshotWithExactlyTheShardsItems(
      @TempDir Path dirA, @TempDir Path dirB) throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    List<String> ids = ids(SHARD, 200);
    Random random = new Random(7);
    long snapshotAt;
    try (ClusterNode a =
        ClusterNode.start(settings(db, dirA, new ReplicaSnapshotPolicy(Duration.ZERO, 50)))) {
      for (int batch = 0; batch < 3; batch++) {
        a.upsert(writes(ids.subList(batch * 40, batch * 40 + 40), random));
      }
      // 120 changes applied: at least one snapshot was due (every 50), without any stop.
      awaitTrue(() -> a.snapshotStatus().written() >= 1, Duration.ofSeconds(20));
      // no further change: the background snapshots stop once they have caught up
      long written = lastSequence(db);
      awaitTrue(() -> a.snapshotStatus().lastSequence() >= written, Duration.ofSeconds(5));
      Thread.sleep(1_500);
      ReplicaSnapshots.Status status = a.snapshotStatus();
      assertThat(status.failures()).isZero();
      assertThat(status.lastEntries()).isEqualTo(120);
      assertThat(status.lastSeconds()).isPositive();
      snapshotAt = status.lastSequence();
      assertThat(snapshotAt).isEqualTo(lastSequence(db));
      assertThat(a.replicationDetails()).containsEntry("snapshotSequence", snapshotAt);
      ReplicaSnapshot.Restored onDisk =
          new ReplicaSnapshot(dirA, SHARD).read().orElseThrow(AssertionError::new);
      assertThat(onDisk.sequence()).isEqualTo(snapshotAt);
      assertThat(onDisk.replica().served().index().size()).isEqualTo(120);
      onDisk.replica().close();
      // Killed, not stopped: close() releases the threads and writes nothing (shutdown() would).
    }
    assertThat(new ReplicaSnapshot(dirA, SHARD).read().orElseThrow().sequence())
        .isEqualTo(snapshotAt);
    assertThat(Files.list(dirA).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("replica-shard-1.snapshot", "replica-shard-1");
    // Each snapshot committed deletes the files of the ones before it.
    assertThat(Files.list(dirA.resolve("replica-shard-1"))).hasSize(1);

    // The shard goes on without A: new items, replaced codes, deletes before and after the
    // snapshot's sequence.
    try (ClusterNode b = ClusterNode.start(settings(db, dirB, ReplicaSnapshotPolicy.manual()))) {
      b.upsert(writes(ids.subList(120, 160), random));
      b.upsert(writes(ids.subList(0, 10), random));
      for (String id : List.of(ids.get(20), ids.get(21), ids.get(130))) {
        b.delete(id).orElseThrow();
      }
    }
    long head = lastSequence(db);
    try (ClusterNode a =
        ClusterNode.start(settings(db, dirA, new ReplicaSnapshotPolicy(Duration.ZERO, 50)))) {
      assertThat(a.restoredSequence()).isEqualTo(snapshotAt);
      a.awaitApplied(head);
      assertThat(replicaItems(a)).isEqualTo(shardItems(db)).hasSize(160 - 3);
    }
  }

  @Test
  void theIntervalTakesASnapshotOnlyWhenSomethingChanged(@TempDir Path dir) throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    try (ClusterNode node =
        ClusterNode.start(
            settings(db, dir, new ReplicaSnapshotPolicy(Duration.ofMillis(200), 0)))) {
      awaitTrue(node::ready, Duration.ofSeconds(10));
      Thread.sleep(1_000); // five intervals with nothing applied
      assertThat(node.snapshotStatus().written()).isZero();
      assertThat(new ReplicaSnapshot(dir, SHARD).file()).doesNotExist();

      long s = node.upsert(writes(ids(SHARD, 1), new Random(1)));
      awaitTrue(() -> node.snapshotStatus().written() == 1, Duration.ofSeconds(10));
      assertThat(node.snapshotStatus().lastSequence()).isEqualTo(s);
      Thread.sleep(1_000);
      assertThat(node.snapshotStatus().written()).isEqualTo(1);
    }
  }

  @Test
  void thePolicyIsDueOnChangesOrOnTimeWithAtLeastOneChange() {
    ReplicaSnapshotPolicy policy = new ReplicaSnapshotPolicy(Duration.ofSeconds(10), 100);
    assertThat(policy.due(0, Duration.ofHours(1).toNanos())).isFalse();
    assertThat(policy.due(99, Duration.ofSeconds(9).toNanos())).isFalse();
    assertThat(policy.due(100, 0)).isTrue();
    assertThat(policy.due(1, Duration.ofSeconds(10).toNanos())).isTrue();
    assertThat(ReplicaSnapshotPolicy.manual().due(1_000_000_000, Long.MAX_VALUE)).isFalse();
    assertThat(ReplicaSnapshotPolicy.manual().automatic()).isFalse();
    assertThat(ReplicaSnapshotPolicy.defaults().automatic()).isTrue();
  }

  private static Map<String, Code> replicaItems(ClusterNode node) {
    Map<String, Code> items = new HashMap<>();
    node.replica().served().index().forEach(e -> items.put(e.id(), e.code()));
    return items;
  }

  /** The oracle: the shard's items as PostgreSQL holds them. */
  private static Map<String, Code> shardItems(ClusterTestPostgres.Database db) throws Exception {
    Map<String, Code> items = new HashMap<>();
    try (Connection c = db.connect();
        PreparedStatement p =
            c.prepareStatement("SELECT id, code, bits FROM pipit_items WHERE shard = ?")) {
      p.setInt(1, SHARD);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          items.put(
              r.getString(1),
              Code.fromBase64(r.getInt(3), Base64.getEncoder().encodeToString(r.getBytes(2))));
        }
      }
    }
    return items;
  }

  private static long lastSequence(ClusterTestPostgres.Database db) throws Exception {
    try (Connection c = db.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT coalesce(max(sequence), 0) FROM pipit_changes")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static List<ItemWrite> writes(List<String> ids, Random random) {
    List<ItemWrite> writes = new ArrayList<>();
    for (String id : ids) {
      writes.add(
          new ItemWrite(id, "m1", Code.of(BITS, random.nextInt(1 << BITS)), "l", Map.of(), null));
    }
    return writes;
  }

  private static void awaitTrue(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition within %s", timeout).isNegative();
      Thread.sleep(20);
    }
  }

  private static ClusterNode.Settings settings(
      ClusterTestPostgres.Database db, Path dir, ReplicaSnapshotPolicy policy) {
    return new ClusterNode.Settings(
        db.url(),
        db.username(),
        db.password(),
        2,
        SHARD,
        dir,
        "m1",
        BITS,
        Duration.ofSeconds(5),
        500,
        Duration.ofSeconds(1),
        policy);
  }

  private static List<String> ids(int shard, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      if (SHARDS.shardOf("p-" + i) == shard) {
        ids.add("p-" + i);
      }
    }
    return ids;
  }
}
