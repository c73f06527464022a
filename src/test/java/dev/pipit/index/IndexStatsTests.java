package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each group of {@link IndexStats} reports the counters of its own part of the index. */
class IndexStatsTests {

  @TempDir Path dir;

  private static Code code(long bits) {
    return Code.of(64, bits);
  }

  @Test
  void anInMemoryIndexGroupsSizesSearchesDurabilityAndMaintenance() throws IOException {
    try (HammingIndex index =
        HammingIndex.inMemory(IndexOptions.of(64, "m").withStrategy(SearchStrategy.LINEAR))) {
      index.add("a", code(1), null);
      index.add("b", code(3), null);
      index.add("c", code(7), null);
      index.delete("b");
      index.upsert("a", code(15), null);
      index.search(code(0), 2);
      index.searchRadius(code(0), 5);
      index.searchBatch(List.of(code(0), code(1)), 1);

      IndexStats before = index.stats();
      assertThat(before.size()).isEqualTo(2);
      assertThat(before.bits()).isEqualTo(64);
      assertThat(before.tombstones()).isEqualTo(2); // "b" deleted, the first "a" replaced

      index.compact();
      IndexStats stats = index.stats();
      assertThat(stats.size()).isEqualTo(2);
      assertThat(stats.tombstones()).isZero();
      assertThat(stats.memory().hotBytes()).isPositive();
      assertThat(stats.memory().mihBytes()).isZero();
      assertThat(stats.search().kernel()).isEqualTo(KernelProvider.kernel().name());
      assertThat(stats.search().batchKernel()).isEqualTo(BatchKernelChoice.current().kernel());
      assertThat(stats.search().batchKernelReason())
          .isEqualTo(BatchKernelChoice.current().reason());
      assertThat(stats.search().strategy()).isEqualTo(SearchStrategy.LINEAR);
      assertThat(stats.search().linearSearches()).isEqualTo(1);
      assertThat(stats.search().mihSearches()).isZero();
      assertThat(stats.search().radiusSearches()).isEqualTo(1);
      assertThat(stats.search().batchedQueries()).isEqualTo(2);
      assertThat(stats.search().coalescedSearches()).isZero(); // one caller: nothing shared
      assertThat(stats.durability())
          .isEqualTo(
              new IndexStats.Durability(
                  5, 5, 0, 0, false, 0, null, null)); // 3 adds, a delete, an upsert
      assertThat(stats.maintenance()).isEqualTo(new IndexStats.Maintenance(1, 0, 0, null));
    }
  }

  @Test
  void aDurableIndexReportsItsLogAndSnapshotsAcrossAReopen() throws IOException {
    IndexOptions options = IndexOptions.of(64, "m").withFsync(FsyncPolicy.always());
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      index.add("a", code(1), null);
      index.add("b", code(2), null);
      assertThat(index.snapshot()).isEqualTo(2);
      index.add("c", code(3), null);

      IndexStats stats = index.stats();
      assertThat(stats.durability().lastSeq()).isEqualTo(3);
      assertThat(stats.durability().durableSeq()).isEqualTo(3);
      assertThat(stats.durability().fsyncs()).isPositive();
      assertThat(stats.maintenance().snapshots()).isEqualTo(1);
      assertThat(stats.maintenance().lastSnapshotSeq()).isEqualTo(2);
      assertThat(stats.maintenance().lastSnapshotTime()).isNotNull();
      assertThat(stats.maintenance().compactions()).isZero();
    }
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      IndexStats stats = index.stats();
      assertThat(stats.size()).isEqualTo(3);
      assertThat(stats.durability().lastSeq()).isEqualTo(3);
      assertThat(stats.durability().tornBytesTruncated()).isZero();
      assertThat(stats.maintenance().snapshots()).isZero(); // counted since open
      assertThat(stats.maintenance().lastSnapshotSeq()).isEqualTo(2); // found on disk
      assertThat(stats.maintenance().lastSnapshotTime()).isNotNull();
    }
  }
}
