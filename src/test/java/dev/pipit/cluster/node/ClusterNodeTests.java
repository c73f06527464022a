package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.index.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of one shard on one PostgreSQL, in one JVM (the packaged-jar IT is still to come).
 */
class ClusterNodeTests {

  private static final ShardFunction SHARDS = new ShardFunction(2);

  @Test
  void aWriteToOneReplicaIsReadFromTheOtherAndAfterARestartFromTheSnapshot(
      @TempDir Path dirA, @TempDir Path dirB) throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    List<String> ids = ids(1, 3);
    try (ClusterNode a = ClusterNode.start(settings(db, 1, dirA));
        ClusterNode b = ClusterNode.start(settings(db, 1, dirB))) {
      long s1 =
          a.upsert(
              List.of(
                  new ItemWrite(ids.get(0), "m1", Code.fromHex(16, "00ff"), "x", Map.of(), null),
                  new ItemWrite(ids.get(1), "m1", Code.fromHex(16, "0f0f"), "y", Map.of(), null)));
      // Acknowledged after commit and applied on the writing replica.
      assertThat(a.replica().served().index().size()).isEqualTo(2);
      b.awaitApplied(s1);
      assertThat(b.replica().served().index().get(ids.get(1))).isPresent();
      assertThat(b.ready()).isTrue();
      assertThat(b.replicationDetails())
          .containsEntry("appliedSequence", s1)
          .containsEntry("headSequence", s1)
          .containsEntry("lagRecords", 0L)
          .containsEntry("postgres", "reachable");

      assertThatThrownBy(() -> b.awaitApplied(s1 + 1_000))
          .isInstanceOf(ReadWaitTimeoutException.class);
      assertThatThrownBy(
              () ->
                  a.upsert(
                      List.of(
                          new ItemWrite(
                              ids(0, 1).getFirst(),
                              "m1",
                              Code.fromHex(16, "0001"),
                              null,
                              null,
                              null))))
          .isInstanceOf(WrongShardException.class);

      assertThat(b.snapshot()).isEqualTo(s1);
    }
    try (ClusterNode a = ClusterNode.start(settings(db, 1, dirA))) {
      long s2 = a.delete(ids.get(0)).orElseThrow();
      assertThat(a.replica().served().index().size()).isEqualTo(1);
      assertThat(a.delete(ids.get(2))).isEmpty();
      try (ClusterNode b = ClusterNode.start(settings(db, 1, dirB))) {
        // B restored its snapshot at s1 and read only the delete after it.
        b.awaitApplied(s2);
        assertThat(b.replica().served().index().size()).isEqualTo(1);
        assertThat(b.replica().served().index().get(ids.get(1))).isPresent();
      }
    }
  }

  private static ClusterNode.Settings settings(
      ClusterTestPostgres.Database db, int shard, Path dir) {
    return new ClusterNode.Settings(
        db.url(),
        db.username(),
        db.password(),
        2,
        shard,
        dir,
        "m1",
        16,
        Duration.ofSeconds(5),
        500,
        Duration.ofSeconds(1),
        ReplicaSnapshotPolicy.defaults());
  }

  private static List<String> ids(int shard, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      if (SHARDS.shardOf("n-" + i) == shard) {
        ids.add("n-" + i);
      }
    }
    return ids;
  }
}
