package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.index.Code;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is copied while the tail goes on, so it may hold changes after its sequence; the
 * restart replays them again. That must end in exactly the replica that applied the log once: same
 * served model, same entries, same insertion order (the tie rule).
 */
class ReplicaReplayTests {

  @Test
  void replayingChangesTheSnapshotAlreadyHoldsEndsInTheSameReplica(@TempDir Path dir)
      throws Exception {
    List<Change> log = log(new Random(5), 600);
    ReplicaSnapshot file = new ReplicaSnapshot(dir, 0);
    Map<String, List<String>> expected;
    try (ReplicaIndex once = new ReplicaIndex("m1", 16)) {
      once.apply(log);
      expected = contents(once);
    }
    Random cuts = new Random(9);
    for (int trial = 0; trial < 40; trial++) {
      // labelled with `labelled`, but holding every change up to `held` >= labelled
      int labelled = cuts.nextInt(log.size());
      // a quarter of the trials hold exactly their label (a snapshot taken between two batches)
      int held = trial % 4 == 0 ? labelled : labelled + cuts.nextInt(log.size() - labelled + 1);
      try (ReplicaIndex running = new ReplicaIndex("m1", 16)) {
        running.apply(log.subList(0, held));
        file.write(running, labelled);
      }
      ReplicaSnapshot.Restored restored = file.read().orElseThrow();
      assertThat(restored.sequence()).isEqualTo(labelled);
      try (ReplicaIndex replayed = restored.replica()) {
        replayed.apply(log.subList(labelled, log.size())); // sequences are 1-based
        assertThat(contents(replayed))
            .as("labelled %d, held %d", labelled, held)
            .isEqualTo(expected);
        assertThat(replayed.served().activatedAt()).isEqualTo(activation(log));
      }
    }
  }

  /** Served model first, then each model's entries in insertion order. */
  private static Map<String, List<String>> contents(ReplicaIndex replica) {
    Map<String, List<String>> contents = new LinkedHashMap<>();
    contents.put("served", List.of(replica.served().modelId()));
    for (String model : List.of("m1", "m2")) {
      replica
          .indexOf(model)
          .ifPresent(
              index -> {
                List<String> entries = new ArrayList<>();
                index.forEach(
                    e -> entries.add(e.id() + "=" + e.code().toHex() + "/" + e.payload().length));
                contents.put(model, entries);
              });
    }
    return contents;
  }

  private static long activation(List<Change> log) {
    return log.stream()
        .filter(c -> c.op() == Change.Op.ACTIVATE)
        .mapToLong(Change::sequence)
        .max()
        .orElse(0);
  }

  /**
   * Upserts (re-upserts of the same ids included), deletes of present items, a second model's codes
   * written ahead of its activation two thirds in, then writes of that model.
   */
  private static List<Change> log(Random random, int n) {
    List<Change> log = new ArrayList<>();
    Set<String> present = new LinkedHashSet<>();
    String model = "m1";
    for (int seq = 1; seq <= n; seq++) {
      if (seq == 2 * n / 3) {
        model = "m2";
        log.add(new Change(seq, Change.Op.ACTIVATE, null, null, model, Instant.EPOCH));
        continue;
      }
      String other = model.equals("m1") ? "m2" : null;
      if (!present.isEmpty() && random.nextInt(5) == 0) {
        String id = List.copyOf(present).get(random.nextInt(present.size()));
        present.remove(id);
        log.add(new Change(seq, Change.Op.DELETE, id, null, null, Instant.EPOCH));
        continue;
      }
      String id = "r-" + random.nextInt(60);
      // before the switch, a third of the writes are the next model's codes (a reindex)
      String writing = other != null && random.nextInt(3) == 0 ? other : model;
      present.add(id);
      ItemWrite item =
          new ItemWrite(
              id,
              writing,
              Code.of(16, random.nextInt(1 << 16)),
              "l" + random.nextInt(3),
              Map.of(),
              null);
      log.add(new Change(seq, Change.Op.UPSERT, id, item, writing, Instant.EPOCH));
    }
    return log;
  }
}
