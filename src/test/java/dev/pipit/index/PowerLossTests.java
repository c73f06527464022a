package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss at random points of a random mix of adds, upserts, batches, deletes, segment rolls and
 * snapshots, with disk-full and fsync faults on the way: a refused mutation changes nothing in
 * memory; after reopening through {@link HammingIndex#open}, every acknowledged mutation is there
 * and no mutation refused while the power was on ever comes back. Only the mutations whose call
 * failed because the power was going off are in doubt (a real client sees its connection drop): of
 * those, whole records in log order may survive (never half of one).
 */
class PowerLossTests {

  private static final int TRIALS = 240;
  private static final long SEGMENT_BYTES = 400; // rolls every few records

  @TempDir Path root;

  private static IndexOptions options(boolean group) {
    return new IndexOptions(
        64,
        "model-a",
        group ? FsyncPolicy.group(0) : FsyncPolicy.always(),
        SearchStrategy.AUTO,
        1,
        SnapshotPolicy.manual(),
        1);
  }

  /** One mutation as it changes the contents: {@code value} null for a delete. */
  private record Effect(String id, String value) {}

  @Test
  void everyAcknowledgedMutationSurvivesAPowerLossAnywhere() {
    assertTimeoutPreemptively(
        Duration.ofMinutes(3),
        () -> {
          for (int trial = 0; trial < TRIALS; trial++) {
            trial(trial);
          }
        });
  }

  private void trial(int trial) throws IOException {
    Random random = new Random(1000L + trial);
    Path dir = root.resolve("t" + trial);
    boolean group = trial % 3 == 0;
    FaultyStorage disk = FaultyStorage.install(dir);
    try {
      List<Effect> acknowledged = new ArrayList<>(); // in log order
      List<Effect> inDoubt = new ArrayList<>(); // failed as the power went off, in log order
      HammingIndex index = HammingIndex.open(dir, options(group), SEGMENT_BYTES);
      disk.powerOffAfter(random.nextInt(100));
      int faultAt = random.nextBoolean() ? random.nextInt(30) : -1;
      for (int op = 0; op < 30; op++) {
        if (op == faultAt) {
          if (random.nextBoolean()) {
            disk.fillAfter(random.nextInt(120));
          } else {
            disk.failForces(1 + random.nextInt(2), () -> new IOException("Input/output error"));
          }
        } else if (op == faultAt + 3) {
          disk.freeSpace();
          disk.failForces(0, () -> new IOException("Input/output error"));
        }
        Map<String, String> before = contents(index);
        List<Effect> planned = new ArrayList<>();
        try {
          mutate(index, random, before, op, planned);
          acknowledged.addAll(planned);
        } catch (UncheckedIOException | IOException e) {
          assertThat(contents(index))
              .as("trial %d op %d: refused, unchanged", trial, op)
              .isEqualTo(before);
          if (disk.poweredOff()) {
            inDoubt.addAll(planned);
          }
        }
      }
      disk.powerOffAfter(0);
      try {
        index.close();
      } catch (RuntimeException e) {
        // pending records could not be written: the power is off
      }
      disk.powerLoss(trial % 2 == 0 ? random : null);

      Map<String, String> recovered;
      try (HammingIndex reopened = HammingIndex.open(dir, options(group), SEGMENT_BYTES)) {
        recovered = contents(reopened);
        reopened.add("after", Code.of(64, 7), null);
      }
      List<Map<String, String>> allowed = new ArrayList<>();
      Map<String, String> state = replay(acknowledged);
      allowed.add(new HashMap<>(state));
      for (Effect e : inDoubt) {
        apply(state, e);
        allowed.add(new HashMap<>(state));
      }
      assertThat(allowed).as("trial %d", trial).contains(recovered);
      try (HammingIndex again = HammingIndex.open(dir, options(group), SEGMENT_BYTES)) {
        recovered.put("after", "7:null");
        assertThat(contents(again)).as("trial %d after reopen", trial).isEqualTo(recovered);
      }
    } finally {
      disk.uninstall();
    }
  }

  private static void mutate(
      HammingIndex index, Random random, Map<String, String> now, int op, List<Effect> planned)
      throws IOException {
    String id = "k" + random.nextInt(12);
    long code = random.nextLong();
    byte[] payload =
        random.nextBoolean() ? null : ("p" + op).repeat(1 + random.nextInt(8)).getBytes();
    int kind = random.nextInt(10);
    if (kind < 3 && !now.containsKey(id)) {
      planned.add(new Effect(id, value(code, payload)));
      index.add(id, Code.of(64, code), payload);
    } else if (kind < 6) {
      planned.add(new Effect(id, value(code, payload)));
      index.upsert(id, Code.of(64, code), payload);
    } else if (kind < 8 && now.containsKey(id)) {
      planned.add(new Effect(id, null));
      index.delete(id);
    } else if (kind < 9) {
      List<Entry> batch = new ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(3); i++) {
        String batchId = "k" + random.nextInt(12);
        long batchCode = random.nextLong();
        planned.add(new Effect(batchId, value(batchCode, null)));
        batch.add(new Entry(batchId, Code.of(64, batchCode), null));
      }
      index.upsertAll(batch);
    } else {
      index.snapshot();
    }
  }

  private static String value(long code, byte[] payload) {
    return code + ":" + (payload == null ? "null" : new String(payload, StandardCharsets.UTF_8));
  }

  private static Map<String, String> replay(List<Effect> effects) {
    Map<String, String> state = new HashMap<>();
    effects.forEach(e -> apply(state, e));
    return state;
  }

  private static void apply(Map<String, String> state, Effect e) {
    if (e.value() == null) {
      state.remove(e.id());
    } else {
      state.put(e.id(), e.value());
    }
  }

  private static Map<String, String> contents(HammingIndex index) {
    Map<String, String> contents = new HashMap<>();
    index.forEach(e -> contents.put(e.id(), value(e.code().words()[0], e.payload())));
    return contents;
  }
}
