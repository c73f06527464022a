package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index's snapshot written for an owner that keeps its own log, and an in-memory index started
 * from it: same live entries in the same order, later writes private to memory.
 */
class SnapshotExportTests {

  private static final IndexOptions OPTIONS = IndexOptions.of(64, "export-test");

  @Test
  void anInMemoryIndexFromAnExportedSnapshotHasTheSameEntriesInOrder(@TempDir Path dir)
      throws Exception {
    Path file;
    List<String> expected = new ArrayList<>();
    try (HammingIndex source = HammingIndex.inMemory(OPTIONS)) {
      for (int i = 0; i < 5_000; i++) {
        source.add("id-" + i, Code.of(64, i * 0x9E3779B97F4A7C15L), new byte[] {(byte) i});
      }
      source.delete("id-7");
      source.upsert("id-3", Code.of(64, 42L), null); // moves to the end
      source.forEach(e -> expected.add(e.id()));
      file = source.writeSnapshotTo(dir.resolve("nested"));
    }
    byte[] before = Files.readAllBytes(file);
    try (HammingIndex restored = HammingIndex.inMemoryFromSnapshot(file, OPTIONS)) {
      List<String> ids = new ArrayList<>();
      restored.forEach(e -> ids.add(e.id()));
      assertThat(ids).isEqualTo(expected).hasSize(4_999);
      assertThat(restored.get("id-3").orElseThrow().code()).isEqualTo(Code.of(64, 42L));
      assertThat(restored.get("id-9").orElseThrow().payload()).containsExactly((byte) 9);
      assertThat(restored.search(Code.of(64, 42L), 1).get(0).id()).isEqualTo("id-3");

      restored.add("new", Code.of(64, 1L), null);
      restored.delete("id-0");
      assertThat(restored.size()).isEqualTo(4_999);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void aSnapshotOfAnotherModelIsRefused(@TempDir Path dir) throws Exception {
    Path file;
    try (HammingIndex source = HammingIndex.inMemory(OPTIONS)) {
      source.add("a", Code.of(64, 1L), null);
      file = source.writeSnapshotTo(dir);
    }
    assertThatThrownBy(
            () -> HammingIndex.inMemoryFromSnapshot(file, IndexOptions.of(64, "another-model")))
        .isInstanceOf(IndexMismatchException.class);
  }
}
