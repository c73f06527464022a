package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.index.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica snapshot's files: a manifest that commits, one mapped index file per model, older
 * files removed, and anything damaged or foreign ignored (the replica then starts from the log).
 */
class ReplicaSnapshotTests {

  @Test
  void aRestoredReplicaTakesWritesWithoutChangingItsFiles(@TempDir Path dir) throws Exception {
    ReplicaSnapshot file = new ReplicaSnapshot(dir, 3);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16)) {
      replica.apply(upserts(1, "m1", 100));
      assertThat(file.write(replica, 100)).isEqualTo(new ReplicaSnapshot.Written(100, 100));
    }
    try (ReplicaIndex restored = file.read().orElseThrow().replica()) {
      // The files are mapped copy-on-write: these changes stay in memory.
      restored.apply(upserts(101, "m1", 50));
      restored.apply(List.of(delete(151, "id-0")));
      assertThat(restored.served().index().size()).isEqualTo(149);
    }
    ReplicaSnapshot.Restored again = file.read().orElseThrow();
    try (ReplicaIndex replica = again.replica()) {
      assertThat(again.sequence()).isEqualTo(100);
      assertThat(ids(replica)).hasSize(100).startsWith("id-0", "id-1");
    }
  }

  @Test
  void eachCommittedSnapshotRemovesTheFilesOfTheOneBefore(@TempDir Path dir) throws Exception {
    ReplicaSnapshot file = new ReplicaSnapshot(dir, 0);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16)) {
      replica.apply(upserts(1, "m1", 10));
      file.write(replica, 10);
      replica.apply(upserts(11, "m2", 5)); // a second model's codes, ahead of its activation
      file.write(replica, 15);
      file.write(replica, 15); // twice at one sequence (a graceful stop after a periodic one)
    }
    try (Stream<Path> dirs = Files.list(dir.resolve("replica-shard-0"))) {
      assertThat(dirs).hasSize(1);
    }
    try (ReplicaIndex restored = file.read().orElseThrow().replica()) {
      assertThat(restored.served().modelId()).isEqualTo("m1");
      assertThat(restored.indexOf("m2").orElseThrow().size()).isEqualTo(5);
    }
  }

  @Test
  void aDamagedOrMissingModelFileIsIgnored(@TempDir Path dir) throws Exception {
    ReplicaSnapshot file = new ReplicaSnapshot(dir, 0);
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16)) {
      replica.apply(upserts(1, "m1", 1_000));
      file.write(replica, 1_000);
    }
    Path modelFile = onlyIndexFile(dir);
    try (FileChannel channel = FileChannel.open(modelFile, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {0x55}), Files.size(modelFile) / 2);
    }
    assertThat(file.read()).isEmpty();

    Files.delete(modelFile);
    assertThat(file.read()).isEmpty();
  }

  @Test
  void aManifestOfAnotherShardOrVersionIsIgnored(@TempDir Path dir) throws Exception {
    try (ReplicaIndex replica = new ReplicaIndex("m1", 16)) {
      replica.apply(upserts(1, "m1", 3));
      new ReplicaSnapshot(dir, 0).write(replica, 3);
    }
    Files.move(dir.resolve("replica-shard-0.snapshot"), dir.resolve("replica-shard-1.snapshot"));
    assertThat(new ReplicaSnapshot(dir, 1).read()).isEmpty();

    // Version 1 (entries inline, before this layout): read as foreign, so the log is replayed.
    byte[] v1 = Files.readAllBytes(dir.resolve("replica-shard-1.snapshot"));
    v1[7] = 1;
    Files.write(dir.resolve("replica-shard-1.snapshot"), v1);
    assertThat(new ReplicaSnapshot(dir, 1).read()).isEmpty();
  }

  /**
   * A fresh cluster activates a model before any of its codes exist: the replica serves an empty
   * index of the activated model's code length (not the previous model's), so its codes apply.
   */
  @Test
  void anActivationBeforeAnyCodeServesAnIndexOfTheModelsLength(@TempDir Path dir) throws Exception {
    try (ReplicaIndex replica = new ReplicaIndex("codes", 64)) {
      replica.apply(
          List.of(new Change(1, Change.Op.ACTIVATE, null, null, "m48", Instant.EPOCH, 48)));
      assertThat(replica.served().index().bits()).isEqualTo(48);
      ItemWrite item = new ItemWrite("a", "m48", Code.of(48, 5L), null, Map.of(), null);
      replica.apply(List.of(new Change(2, Change.Op.UPSERT, "a", item, "m48", Instant.EPOCH)));
      assertThat(replica.served().index().size()).isEqualTo(1);
      new ReplicaSnapshot(dir, 0).write(replica, 2);
    }
    try (ReplicaIndex restored = new ReplicaSnapshot(dir, 0).read().orElseThrow().replica()) {
      assertThat(restored.served().modelId()).isEqualTo("m48");
      assertThat(restored.served().index().bits()).isEqualTo(48);
    }
  }

  private static Path onlyIndexFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("replica-shard-0"))) {
      List<Path> bins = files.filter(p -> p.toString().endsWith(".bin")).toList();
      assertThat(bins).hasSize(1);
      return bins.get(0);
    }
  }

  private static List<String> ids(ReplicaIndex replica) {
    List<String> ids = new ArrayList<>();
    replica.served().index().forEach(e -> ids.add(e.id()));
    return ids;
  }

  private static List<Change> upserts(long firstSequence, String model, int n) {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "id-" + (firstSequence - 1 + i);
      ItemWrite item = new ItemWrite(id, model, Code.of(16, i * 37 % 65_536), "l", Map.of(), null);
      changes.add(new Change(firstSequence + i, Change.Op.UPSERT, id, item, model, Instant.EPOCH));
    }
    return changes;
  }

  private static Change delete(long sequence, String id) {
    return new Change(sequence, Change.Op.DELETE, id, null, null, Instant.EPOCH);
  }
}
