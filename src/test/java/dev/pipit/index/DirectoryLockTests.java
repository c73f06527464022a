package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One index per directory, and the directory is released on close or on a failed open. */
class DirectoryLockTests {

  private static final IndexOptions OPTIONS = IndexOptions.of(64, "model-a");

  @TempDir Path dir;

  @Test
  void aSecondIndexOnTheSameDirectoryIsRefusedUntilTheFirstCloses() throws IOException {
    try (HammingIndex first = HammingIndex.open(dir, OPTIONS)) {
      first.add("a", Code.of(64, 1L), null);
      assertThatThrownBy(() -> HammingIndex.open(dir, OPTIONS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another index");
      assertThatThrownBy(() -> DirectoryLock.acquire(dir))
          .isInstanceOf(IllegalStateException.class);
    }
    try (HammingIndex second = HammingIndex.open(dir, OPTIONS)) {
      assertThat(second.get("a")).isPresent();
    }
  }

  @Test
  void anOpenThatFailsReleasesTheDirectory() throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      index.add("a", Code.of(64, 1L), null);
    }
    assertThatThrownBy(() -> HammingIndex.open(dir, IndexOptions.of(64, "model-b")))
        .isInstanceOf(IndexMismatchException.class);
    try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
      assertThat(lock).isNotNull();
    }
  }
}
