package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.index.Code;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Readiness names what stops the change-log tail: PostgreSQL unreachable, an SQL error (with its
 * SQLState), or a change the replica refused (its sequence, item and reason).
 */
class TailFailureTests {

  private static final ShardFunction SHARDS = new ShardFunction(2);

  @Test
  void aServerNobodyListensOnIsUnreachable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    PGSimpleDataSource dead = new PGSimpleDataSource();
    dead.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/pipit");
    dead.setConnectTimeout(2);
    ClusterStore store = new ClusterStore(dead, SHARDS);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16);
        ChangeTailer tailer =
            new ChangeTailer(
                    store,
                    () -> {
                      try {
                        return dead.getConnection();
                      } catch (SQLException e) {
                        throw new StoreUnavailableException("PostgreSQL: " + e.getMessage(), e);
                      }
                    },
                    0,
                    replica,
                    0,
                    100,
                    Duration.ofMillis(200))
                .start()) {
      awaitTrue(() -> tailer.failure().isPresent(), Duration.ofSeconds(10));
      assertThat(tailer.failure().orElseThrow())
          .isInstanceOfSatisfying(
              TailFailure.Unreachable.class,
              u -> assertThat(u.message()).containsIgnoringCase("connection"));
      assertThat(tailer.connected()).isFalse();
    }
  }

  @Test
  void anSqlErrorIsNamedWithItsStateAndTheTailRecoversWhenItIsFixed(@TempDir Path dir)
      throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    try (ClusterNode node = ClusterNode.start(settings(db, dir))) {
      awaitTrue(node::ready, Duration.ofSeconds(10));
      assertThat(node.replicationDetails()).containsEntry("tail", "ok");
      try (Connection c = db.connect()) {
        c.createStatement().execute("ALTER TABLE pipit_changes RENAME TO pipit_changes_away");
      }
      awaitTrue(() -> node.tailFailure().isPresent(), Duration.ofSeconds(10));
      Map<String, Object> details = node.replicationDetails();
      assertThat(details).containsEntry("postgres", "reachable");
      assertThat(tail(details))
          .containsEntry("state", "sql-error")
          .containsEntry("sqlState", "42P01"); // undefined_table
      assertThat((String) tail(details).get("message")).contains("pipit_changes");

      try (Connection c = db.connect()) {
        c.createStatement().execute("ALTER TABLE pipit_changes_away RENAME TO pipit_changes");
      }
      awaitTrue(() -> node.tailFailure().isEmpty(), Duration.ofSeconds(15));
      assertThat(node.replicationDetails()).containsEntry("tail", "ok");
    }
  }

  @Test
  void aChangeTheReplicaRefusesIsNamedBySequenceIdAndReason(@TempDir Path dir) throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    List<String> ids = ids(1, 3);
    try (ClusterNode node = ClusterNode.start(settings(db, dir))) {
      long fine = node.upsert(List.of(write(ids.get(0), Code.fromHex(16, "00ff"))));
      // One transaction: a good change, then one whose code has 32 bits where m1 has 16. The
      // store takes both (they are committed); the replica refuses the second and stops there.
      long refused =
          node.store()
              .upsert(
                  1,
                  List.of(
                      write(ids.get(1), Code.fromHex(16, "0f0f")),
                      write(ids.get(2), Code.fromHex(32, "0000ffff"))));
      awaitTrue(() -> node.tailFailure().isPresent(), Duration.ofSeconds(10));
      Map<String, Object> details = node.replicationDetails();
      assertThat(details).containsEntry("postgres", "reachable");
      assertThat(tail(details))
          .containsEntry("state", "change-refused")
          .containsEntry("sequence", refused)
          .containsEntry("id", ids.get(2));
      assertThat((String) tail(details).get("reason")).contains("16-bit", "32-bit");
      // the tail stays before the refused change: nothing after it is skipped silently
      assertThat(node.lag().applied()).isLessThan(refused).isGreaterThanOrEqualTo(fine);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tail(Map<String, Object> details) {
    assertThat(details.get("tail")).isInstanceOf(Map.class);
    return (Map<String, Object>) details.get("tail");
  }

  private static ItemWrite write(String id, Code code) {
    return new ItemWrite(id, "m1", code, "l", Map.of(), null);
  }

  private static void awaitTrue(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition within %s", timeout).isNegative();
      Thread.sleep(20);
    }
  }

  private static ClusterNode.Settings settings(ClusterTestPostgres.Database db, Path dir) {
    return new ClusterNode.Settings(
        db.url(),
        db.username(),
        db.password(),
        2,
        1,
        dir,
        "m1",
        16,
        Duration.ofSeconds(2),
        500,
        Duration.ofMillis(200),
        ReplicaSnapshotPolicy.manual());
  }

  private static List<String> ids(int shard, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      if (SHARDS.shardOf("t-" + i) == shard) {
        ids.add("t-" + i);
      }
    }
    return ids;
  }
}
