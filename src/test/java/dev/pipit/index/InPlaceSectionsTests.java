package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot sections used in place: whole chunks are the mapping itself, the partial tail a copy,
 * and writes never reach the file (copy-on-write).
 */
class InPlaceSectionsTests {

  @TempDir Path dir;

  private MemorySegment mapped(byte[] content, Arena arena) throws IOException {
    Path file = dir.resolve("section.bin");
    Files.write(file, content);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return ch.map(FileChannel.MapMode.PRIVATE, 0, content.length, arena);
    }
  }

  @Test
  void codesUseWholeChunksInPlaceAndCopyTheTail() throws IOException {
    ByteBuffer longs = ByteBuffer.allocate(8 * 40).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 40; i++) {
      longs.putLong(1000L + i);
    }
    byte[] content = longs.array().clone();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment section = mapped(content, arena);
      LongChunks codes = LongChunks.inPlace(4, section, 40, 48); // chunks of 16 entries

      assertThat(codes.chunk(0).address()).isEqualTo(section.address());
      assertThat(codes.chunk(1).address()).isEqualTo(section.address() + 8 * 16);
      assertThat(codes.chunk(2).address()).isNotEqualTo(section.address() + 8 * 32);
      for (int i = 0; i < 40; i++) {
        assertThat(codes.get(i, 0)).isEqualTo(1000L + i);
      }
      codes.store(47, new long[] {-1}); // appends land in the copied tail
      assertThat(codes.get(47, 0)).isEqualTo(-1);
      assertThat(codes.capacity).isEqualTo(48);
    }
    assertThat(Files.readAllBytes(dir.resolve("section.bin"))).isEqualTo(content);
  }

  @Test
  void coldSectionsAreReadInPlaceAndWritesStayPrivate() throws IOException {
    byte[] content = new byte[150];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment section = mapped(content, arena);
      SegmentedMemory memory = SegmentedMemory.over(6, section); // chunks of 64 bytes

      for (int i = 0; i < content.length; i++) {
        assertThat(memory.getByte(i)).isEqualTo((byte) i);
      }
      assertThat(memory.capacity()).isEqualTo(192);
      memory.setInt(8, 0x01020304); // inside a chunk used in place
      memory.setLong(160, 42); // in the copied tail
      memory.ensure(300);
      memory.setInt(256, 7);
      assertThat(memory.getInt(8)).isEqualTo(0x01020304);
      assertThat(memory.getLong(160)).isEqualTo(42);
      assertThat(section.get(ValueLayout.JAVA_INT_UNALIGNED, 8)).isEqualTo(0x01020304);
    }
    assertThat(Files.readAllBytes(dir.resolve("section.bin"))).isEqualTo(content);
  }

  @Test
  void deathMarksCostNoMemoryUntilAChunkHasADeath() {
    DeathMarks marks = DeathMarks.allocate(0, 4, 64); // 4 chunks of 16
    assertThat(marks.bytes()).isZero();
    marks.markDead(17, 5);

    assertThat(marks.bytes()).isEqualTo(4 * 16);
    assertThat(marks.isAliveAt(17, 4)).isTrue();
    assertThat(marks.isAliveAt(17, 5)).isFalse();
    assertThat(marks.isAlive(16)).isTrue();
    assertThat(DeathMarks.allocate(0, 4, 64).isAlive(17)).isTrue(); // the shared zeros untouched
  }
}
