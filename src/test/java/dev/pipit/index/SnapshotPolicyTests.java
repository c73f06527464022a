package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Automatic snapshots ({@link SnapshotPolicy}): each trigger fires, the log is rolled and truncated
 * behind the snapshots, and a crash at any step of a snapshot loses nothing.
 */
class SnapshotPolicyTests {

  private static final IndexOptions OPTIONS =
      IndexOptions.of(64, "model-a")
          .withFsync(FsyncPolicy.always())
          .withSnapshots(SnapshotPolicy.manual());

  @TempDir Path dir;

  @AfterEach
  void resetCrashPoint() {
    HammingIndex.crashPoint = point -> {};
  }

  private static List<Long> sequences(Path dir, String prefix, String suffix) throws IOException {
    return Storage.sequences(dir, prefix, suffix);
  }

  @Test
  void everyNRecordsSnapshotsInTheBackgroundAndTruncatesTheLog() throws IOException {
    IndexOptions options = OPTIONS.withSnapshots(new SnapshotPolicy(100, 0, Duration.ZERO));
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      assertThat(index.stats().maintenance().lastSnapshotTime()).isNull();
      for (int i = 0; i < 1000; i++) {
        index.add("e" + i, Code.of(64, i), null);
      }
      // The last trigger fires at the latest 100 records before the end.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> index.stats().maintenance().lastSnapshotSeq() > 900);
      IndexStats stats = index.stats();
      assertThat(stats.maintenance().snapshots()).isBetween(2L, 10L);
      assertThat(stats.maintenance().lastSnapshotTime()).isNotNull();

      List<Long> snapshots = sequences(dir, "snapshot-", ".bin");
      assertThat(snapshots).hasSize(2).last().isEqualTo(stats.maintenance().lastSnapshotSeq());
      // Each snapshot rolled the log: what remains starts right after the older kept snapshot.
      assertThat(sequences(dir, "wal-", ".log").getFirst()).isEqualTo(snapshots.getFirst() + 1);
    }
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      assertThat(index.size()).isEqualTo(1000);
      assertThat(index.get("e999").orElseThrow().code()).isEqualTo(Code.of(64, 999));
      assertThat(index.stats().maintenance().lastSnapshotSeq())
          .isEqualTo(sequences(dir, "snapshot-", ".bin").getLast());
      assertThat(index.stats().maintenance().lastSnapshotTime()).isNotNull();
    }
  }

  @Test
  void logBytesTriggerASnapshot() throws IOException {
    IndexOptions options = OPTIONS.withSnapshots(new SnapshotPolicy(0, 16 * 1024, Duration.ZERO));
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      for (int i = 0; i < 20; i++) {
        index.add("e" + i, Code.of(64, i), new byte[1024]);
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> index.stats().maintenance().snapshots() >= 1);
      assertThat(index.stats().maintenance().lastSnapshotSeq()).isBetween(15L, 20L);
    }
  }

  @Test
  void theIntervalSnapshotsAChangedIndexOnlyOnce() throws IOException {
    IndexOptions options = OPTIONS.withSnapshots(new SnapshotPolicy(0, 0, Duration.ofMillis(40)));
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      for (int i = 0; i < 5; i++) {
        index.add("e" + i, Code.of(64, i), null);
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> index.stats().maintenance().lastSnapshotSeq() == 5);
      // Nothing changed since: no further snapshot however long it waits.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> index.stats().maintenance().snapshots() == 1);
    }
  }

  @Test
  void aFailedBackgroundSnapshotIsRetriedLaterNotOnEveryWrite() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    HammingIndex.crashPoint =
        point -> {
          if (point.equals("snapshot-rolled")) {
            attempts.incrementAndGet();
            throw new IllegalStateException("disk full"); // as a failing snapshot write would
          }
        };
    IndexOptions options = OPTIONS.withSnapshots(new SnapshotPolicy(10, 0, Duration.ZERO));
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      for (int i = 0; i < 200; i++) {
        index.add("e" + i, Code.of(64, i), null);
        if (i == 20) {
          await().atMost(Duration.ofSeconds(20)).until(() -> attempts.get() == 1);
        }
      }
      assertThat(attempts.get())
          .isEqualTo(1); // the retry waits MaintenanceScheduler.SNAPSHOT_RETRY_NANOS
      assertThat(index.stats().maintenance().snapshots()).isZero();
    }
    HammingIndex.crashPoint = point -> {};
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      assertThat(index.size()).isEqualTo(200);
    }
  }

  @Test
  void inMemoryIndexesNeverSnapshot() {
    IndexOptions options = OPTIONS.withSnapshots(new SnapshotPolicy(1, 1, Duration.ofMillis(1)));
    try (HammingIndex index = HammingIndex.inMemory(options)) {
      for (int i = 0; i < 50; i++) {
        index.add("e" + i, Code.of(64, i), null);
      }
      assertThat(index.stats().maintenance().snapshots()).isZero();
      assertThat(index.stats().maintenance().lastSnapshotTime()).isNull();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void negativeThresholdsAreRefused() {
    assertThatThrownBy(() -> new SnapshotPolicy(-1, 0, Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> new SnapshotPolicy(0, 0, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidRequestException.class);
  }

  /**
   * A crash right after the log roll (new empty segment, no new snapshot) or right after the
   * snapshot's rename (old segments not yet deleted): the next open recovers every write, and
   * snapshots go on.
   */
  @ParameterizedTest
  @ValueSource(strings = {"snapshot-rolled", "snapshot-written"})
  void aCrashInsideASnapshotLosesNothing(String point) throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS, 2048)) {
      for (int i = 0; i < 200; i++) {
        index.add("e" + i, Code.of(64, i), null);
      }
      index.snapshot();
      for (int i = 200; i < 300; i++) {
        index.add("e" + i, Code.of(64, i), null);
      }
      HammingIndex.crashPoint =
          p -> {
            if (p.equals(point)) {
              throw new IllegalStateException(
                  "crash at " + p); // the files stay as a kill here leaves them
            }
          };
      assertThatThrownBy(index::snapshot).hasMessage("crash at " + point);
      HammingIndex.crashPoint = p -> {};
      index.delete("e7"); // written after the interrupted snapshot
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS, 2048)) {
      assertThat(index.size()).isEqualTo(299);
      assertThat(index.get("e7")).isEmpty();
      assertThat(index.get("e299").orElseThrow().code()).isEqualTo(Code.of(64, 299));
      index.add("e300", Code.of(64, 300), null);
      index.snapshot();
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(300);
      assertThat(index.stats().maintenance().lastSnapshotSeq()).isEqualTo(302);
    }
  }

  @Test
  void aSnapshotRollsTheLogSoTheNextOneDeletesIt() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      for (int round = 1; round <= 3; round++) {
        for (int i = 0; i < 10; i++) {
          index.upsert("e" + i, Code.of(64, round * 100L + i), null);
        }
        index.snapshot();
      }
      // Snapshots at 20 and 30 kept; the log from the roll at 20 on is all that remains.
      assertThat(sequences(dir, "snapshot-", ".bin")).containsExactly(20L, 30L);
      assertThat(sequences(dir, "wal-", ".log")).containsExactly(21L, 31L);
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
      }
    }
  }
}
