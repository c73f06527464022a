package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index over a failing disk: refused writes change nothing, and it heals without a reopen. */
class IndexStorageFaultTests {

  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final IndexOptions OPTIONS =
      new IndexOptions(
          64, "model-a", FsyncPolicy.always(), SearchStrategy.AUTO, 1, SnapshotPolicy.manual(), 1);

  @TempDir Path dir;
  private FaultyStorage disk;

  @BeforeEach
  void install() throws IOException {
    disk = FaultyStorage.install(dir);
  }

  @AfterEach
  void uninstall() {
    disk.uninstall();
  }

  private static byte[] payload(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Power off and back on, the index abandoned as a crash would. */
  private void crash(HammingIndex index) throws IOException {
    disk.powerOffAfter(0);
    try {
      index.close();
    } catch (RuntimeException e) {
      // nothing more reaches the disk
    }
    disk.powerLoss(null);
  }

  @Test
  void aFullDiskRefusesWritesUntilSpaceIsFreedThenTheSameIndexGoesOn() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          HammingIndex index = HammingIndex.open(dir, OPTIONS);
          index.add("a", Code.of(64, 1), payload("pa"));
          index.add("b", Code.of(64, 2), null);
          disk.fillAfter(10);
          assertThatThrownBy(() -> index.add("c", Code.of(64, 3), null))
              .isInstanceOfSatisfying(
                  StorageFailureException.class,
                  e -> assertThat(e.reason()).isEqualTo("No space left on device"));
          assertThat(index.stats().durability().durableSeq()).isEqualTo(2);
          assertThat(index.get("c")).isEmpty();
          assertThat(index.size()).isEqualTo(2);
          assertThat(index.storageHealth().failed()).isTrue();
          // Still full: refused before anything is applied.
          assertThatThrownBy(() -> index.delete("a")).isInstanceOf(StorageFailureException.class);
          assertThat(index.get("a")).isPresent();
          disk.freeSpace();
          index.add("d", Code.of(64, 4), null);
          assertThat(index.storageHealth().failed()).isFalse();
          assertThat(index.storageHealth().failures()).isEqualTo(2);
          assertThat(index.stats().durability().durableSeq())
              .isEqualTo(index.stats().durability().lastSeq())
              .isEqualTo(3);
          crash(index);
          try (HammingIndex reopened = HammingIndex.open(dir, OPTIONS)) {
            // c was refused: never applied, and never written later by the log's retry.
            assertThat(reopened.size()).isEqualTo(3);
            assertThat(reopened.get("a").orElseThrow().payload()).isEqualTo(payload("pa"));
            assertThat(reopened.get("c")).isEmpty();
            assertThat(reopened.get("d")).isPresent();
          }
        });
  }

  @Test
  void aFailedSnapshotLeavesThePreviousOneAndTheIndexWorking() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          HammingIndex index = HammingIndex.open(dir, OPTIONS);
          for (int i = 0; i < 50; i++) {
            index.add("e" + i, Code.of(64, i), payload("payload-" + i));
          }
          long first = index.snapshot();
          index.upsert("e0", Code.of(64, 99), null);
          disk.fillAfter(300); // room for a log segment header, not for the snapshot
          assertThatThrownBy(index::snapshot)
              .isInstanceOf(IOException.class)
              .hasMessage("No space left on device");
          assertThat(snapshots()).containsExactly(SnapshotFile.path(dir, first));
          disk.freeSpace();
          index.add("late", Code.of(64, 5), null);
          crash(index);
          try (HammingIndex reopened = HammingIndex.open(dir, OPTIONS)) {
            assertThat(reopened.size()).isEqualTo(51);
            assertThat(reopened.get("e0").orElseThrow().code()).isEqualTo(Code.of(64, 99));
            assertThat(reopened.stats().maintenance().lastSnapshotSeq()).isEqualTo(first);
          }
        });
  }

  private List<Path> snapshots() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("snapshot-")).toList();
    }
  }
}
