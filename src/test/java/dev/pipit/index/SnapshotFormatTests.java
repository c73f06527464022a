package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshot format 3 (aligned sections used in place) round-trips; damage, format 2 (copied) and
 * format 1 (parsed) are handled.
 */
class SnapshotFormatTests {

  private static final int BITS = 128;
  private static final IndexOptions OPTIONS =
      IndexOptions.of(BITS, "model-a").withFsync(FsyncPolicy.always());

  @TempDir Path dir;

  private static Code code(Random rnd) {
    return Code.of(BITS, new long[] {rnd.nextLong(), rnd.nextLong()});
  }

  private List<Path> snapshots() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("snapshot-")).sorted().toList();
    }
  }

  @Test
  void liveEntriesComeBackWithTheirCodesPayloadsAndOrder() throws IOException {
    Random rnd = new Random(3);
    List<Entry> expected;
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      for (int i = 0; i < 2000; i++) {
        byte[] payload = i % 3 == 0 ? null : ("p" + i).getBytes(StandardCharsets.UTF_8);
        index.add("id-" + i + "-ü", code(rnd), payload);
      }
      for (int i = 0; i < 2000; i += 7) {
        index.delete("id-" + i + "-ü");
      }
      index.upsert("id-1-ü", code(rnd), new byte[] {9});
      index.snapshot();
      expected = entries(index);
    }
    assertThat(snapshots()).hasSize(1);
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.fileStats().recordsReplayed()).isZero();
      assertThat(entries(index)).usingRecursiveFieldByFieldElementComparator().isEqualTo(expected);
      assertThat(index.get("id-0-ü")).isEmpty();
      assertThat(index.get("id-1-ü").orElseThrow().payload()).containsExactly(9);
      Entry any = expected.get(500);
      assertThat(index.search(any.code(), 1).getFirst().id()).isEqualTo(any.id());
      index.add("after", code(rnd), null); // the loaded tables take writes
      index.upsert(any.id(), any.code(), null);
      assertThat(index.get("after")).isPresent();
      assertThat(index.size()).isEqualTo(expected.size() + 1);
    }
  }

  private static List<Entry> entries(HammingIndex index) {
    List<Entry> all = new ArrayList<>();
    index.forEach(all::add);
    return all;
  }

  /** A flipped byte in each section (codes, offsets, records, id table, trailer) is caught. */
  @ParameterizedTest
  @ValueSource(doubles = {0.05, 0.35, 0.45, 0.6, 0.9, 0.999})
  void aDamagedSectionFallsBackToTheOlderSnapshot(double where) throws IOException {
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      Random rnd = new Random(5);
      for (int i = 0; i < 500; i++) {
        index.add("a" + i, code(rnd), new byte[] {(byte) i});
      }
      index.snapshot();
      index.add("b", code(rnd), null);
      index.snapshot();
    }
    Path newest = snapshots().getLast();
    long header = 22 + "model-a".length();
    long position = header + (long) ((Files.size(newest) - header) * where);
    try (FileChannel ch =
        FileChannel.open(newest, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, position);
      one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
      ch.write(one, position);
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(501);
      assertThat(index.get("a499").orElseThrow().payload()).containsExactly((byte) 499);
      assertThat(index.get("b")).isPresent(); // replayed from the log after the older snapshot
    }
  }

  @Test
  void aFormatOneSnapshotStillLoadsAndTheNextIsFormatThree() throws IOException {
    Files.write(SnapshotFile.path(dir, 2), formatOne(List.of("x", "y"), 2));
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.get("x").orElseThrow().code().words()).containsExactly(1, 2);
      assertThat(index.get("y").orElseThrow().payload()).containsExactly(1);
      index.snapshot();
    }
    try (HammingIndex index = HammingIndex.open(dir, OPTIONS)) {
      assertThat(index.size()).isEqualTo(2);
    }
    Path newest = snapshots().getLast();
    assertThat(ByteBuffer.wrap(Files.readAllBytes(newest)).getShort(4)).isEqualTo((short) 3);
  }

  @Test
  void aNewerFormatIsRefusedClearly() throws IOException {
    byte[] file = formatOne(List.of("x"), 1);
    byte[] header = new FileHeader(FileHeader.SNAPSHOT_MAGIC, 4, BITS, "model-a", 1).encode();
    System.arraycopy(header, 0, file, 0, header.length);
    Files.write(SnapshotFile.path(dir, 1), file);
    assertThatThrownBy(() -> HammingIndex.open(dir, OPTIONS))
        .isInstanceOf(IndexMismatchException.class)
        .hasMessageContaining("format version 4, this build reads 1 to 3");
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128}) // one-word codes are used in place, longer ones copied
  void aFormatTwoSnapshotStillLoadsAndAFormatThreeOneIsUsedInPlace(int bits) throws IOException {
    IndexOptions options = IndexOptions.of(bits, "model-a").withFsync(FsyncPolicy.always());
    Random rnd = new Random(5);
    List<Entry> expected;
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      for (int i = 0; i < 3000; i++) {
        long[] words = bits == 64 ? new long[] {rnd.nextLong()} : new long[] {rnd.nextLong(), i};
        index.add("e" + i, Code.of(bits, words), i % 2 == 0 ? null : new byte[] {(byte) i});
      }
      index.snapshot();
      expected = entries(index);
    }
    Path three = snapshots().getLast();
    byte[] original = Files.readAllBytes(three);
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      assertThat(entries(index)).usingRecursiveFieldByFieldElementComparator().isEqualTo(expected);
      // writes after loading go to private copies, never to the mapped file
      index.delete("e0");
      index.upsert("e1", expected.get(2).code(), null);
      index.add("new", expected.get(3).code(), null);
      assertThat(index.get("e0")).isEmpty();
      assertThat(index.search(expected.get(3).code(), 2))
          .extracting(SearchHit::id)
          .containsExactly("e3", "new");
    }
    assertThat(Files.readAllBytes(three)).isEqualTo(original);

    assertThat(snapshots()).containsExactly(three);
    Files.write(three, formatTwoOf(original, bits, 3000));
    try (HammingIndex index = HammingIndex.open(dir, options)) {
      assertThat(index.fileStats().recordsReplayed()).isEqualTo(3); // the log after the snapshot
      assertThat(index.get("e0")).isEmpty();
      assertThat(index.get("e1").orElseThrow().code()).isEqualTo(expected.get(2).code());
      assertThat(index.get("e2999").orElseThrow().code()).isEqualTo(expected.get(2999).code());
      assertThat(index.size()).isEqualTo(3000);
    }
  }

  /** A format 3 snapshot rewritten as format 2 wrote it: the same sections without padding. */
  private static byte[] formatTwoOf(byte[] three, int bits, long seq) {
    byte[] header = new FileHeader(FileHeader.SNAPSHOT_MAGIC, 2, bits, "model-a", seq).encode();
    int headerLength = header.length;
    ByteBuffer in = ByteBuffer.wrap(three).order(ByteOrder.LITTLE_ENDIAN);
    int trailerBytes = 4 * 8 + 6 * 4;
    int t = three.length - trailerBytes;
    long count = in.getLong(t);
    long recordBytes = in.getLong(t + 16);
    long slotCount = in.getLong(t + 24);
    int words = (bits + 63) / 64;
    long groups = (count + 1023) >>> 10;
    long[] lengths = {8L * words * count, 4L * count, 8L * groups, recordBytes, 4L * slotCount};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    long at = headerLength;
    for (long length : lengths) {
      at = (at + 63) & -64;
      out.write(three, (int) at, (int) length);
      at += length;
    }
    out.write(three, t, trailerBytes);
    return out.toByteArray();
  }

  /** A snapshot as version 1 wrote it (big-endian entries, one CRC32C). */
  private static byte[] formatOne(List<String> ids, long seq) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new FileHeader(FileHeader.SNAPSHOT_MAGIC, 1, BITS, "model-a", seq).encode());
    int bodyStart = bytes.size();
    out.writeInt(ids.size());
    for (String id : ids) {
      out.writeShort(id.length());
      out.write(id.getBytes(StandardCharsets.UTF_8));
      out.writeLong(1);
      out.writeLong(2);
      out.writeInt(1);
      out.write(1);
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray(), bodyStart, bytes.size() - bodyStart);
    out.writeInt((int) crc.getValue());
    return bytes.toByteArray();
  }
}
