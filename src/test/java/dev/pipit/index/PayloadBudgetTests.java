package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The payloads of the live entries share a budget: enforced on writes, never on recovery. */
class PayloadBudgetTests {

  private static final int KB = 1024;

  @TempDir Path dir;

  private static IndexOptions options(long budget) {
    return new IndexOptions(
            64, "model-a", FsyncPolicy.always(), SearchStrategy.AUTO, 1, SnapshotPolicy.manual(), 1)
        .withMaxPayloadBytes(budget);
  }

  @Test
  void writesPastTheBudgetAreRefusedAndChangeNothing() throws IOException {
    try (HammingIndex index = HammingIndex.inMemory(options(10 * KB))) {
      for (int i = 0; i < 10; i++) {
        index.add("e" + i, Code.of(64, i), new byte[KB]);
      }
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(10 * KB);
      assertThatThrownBy(() -> index.add("over", Code.of(64, 1), new byte[1]))
          .isInstanceOfSatisfying(
              PayloadBudgetExceededException.class,
              e -> {
                assertThat(e.usedBytes()).isEqualTo(10 * KB);
                assertThat(e.budgetBytes()).isEqualTo(10 * KB);
              });
      // A batch is refused as a whole.
      assertThatThrownBy(
              () ->
                  index.upsertAll(
                      List.of(
                          new Entry("e0", Code.of(64, 0), null),
                          new Entry("big", Code.of(64, 1), new byte[KB + 1]))))
          .isInstanceOf(PayloadBudgetExceededException.class);
      assertThat(index.size()).isEqualTo(10);
      assertThat(index.get("e0").orElseThrow().payload()).hasSize(KB);
      // Entries without payload, and replacements no larger than before, still fit.
      index.add("plain", Code.of(64, 2), null);
      index.upsert("e1", Code.of(64, 3), new byte[KB]);
      index.upsert("e2", Code.of(64, 3), new byte[10]);
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(9 * KB + 10);
      assertThat(index.stats().payloads().deadBytes()).isEqualTo(2 * KB);
      // A delete frees budget at once.
      index.delete("e3");
      index.add("fits", Code.of(64, 4), new byte[2 * KB - 10]);
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(10 * KB);
      index.compact();
      assertThat(index.stats().payloads().deadBytes()).isZero();
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(10 * KB);
    }
  }

  @Test
  void anIndexAtItsBudgetReopensWithASmallerOneAndStillServesAndDeletes() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, options(8 * KB))) {
      for (int i = 0; i < 8; i++) {
        index.add("e" + i, Code.of(64, i), new byte[KB]);
      }
      index.snapshot();
      index.upsert("e0", Code.of(64, 100), new byte[KB]); // in the log after the snapshot
    }
    // Replay never refuses, even past a budget since made smaller.
    try (HammingIndex index = HammingIndex.open(dir, options(4 * KB))) {
      assertThat(index.size()).isEqualTo(8);
      assertThat(index.get("e0").orElseThrow().code()).isEqualTo(Code.of(64, 100));
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(8 * KB);
      assertThat(index.stats().payloads().budgetBytes()).isEqualTo(4 * KB);
      assertThat(index.search(Code.of(64, 1), 1).getFirst().id()).isEqualTo("e1");
      assertThatThrownBy(() -> index.add("more", Code.of(64, 1), new byte[1]))
          .isInstanceOf(PayloadBudgetExceededException.class);
      for (int i = 0; i < 5; i++) {
        index.delete("e" + i);
      }
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(3 * KB);
      index.add("more", Code.of(64, 1), new byte[KB]);
    }
    try (HammingIndex index = HammingIndex.open(dir, options(4 * KB))) {
      assertThat(index.size()).isEqualTo(4);
      assertThat(index.stats().payloads().usedBytes()).isEqualTo(4 * KB);
    }
  }
}
