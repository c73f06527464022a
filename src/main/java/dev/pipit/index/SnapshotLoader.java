package dev.pipit.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a version 2 {@link SnapshotFile} by mapping it: checks each section's CRC32C on the mapped
 * bytes and bulk-copies the codes (one-word codes: chunk by chunk), the record offsets, the records
 * and the id table's slots into fresh off-heap storage. The death marks start zeroed (alive). The
 * mapping is released before returning.
 */
final class SnapshotLoader {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotLoader.class);

  private static final ValueLayout.OfLong LONG_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int SECTIONS = 5;
  private static final int TRAILER_BYTES = 4 * 8 + (SECTIONS + 1) * 4;

  private SnapshotLoader() {}

  static Generation map(Path file, String name, FileHeader header, int bits) throws IOException {
    int words = Code.wordsFor(bits);
    long start = header.encode().length;
    try (Arena arena = Arena.ofConfined();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < start + TRAILER_BYTES) {
        throw new CorruptIndexException(name + ": cut short");
      }
      MemorySegment m = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      long t = size - TRAILER_BYTES;
      if (crc(m, t, TRAILER_BYTES - 4) != m.get(INT_LE, t + TRAILER_BYTES - 4)) {
        throw new CorruptIndexException(name + ": trailer checksum mismatch");
      }
      long count = m.get(LONG_LE, t);
      long payloadBytes = m.get(LONG_LE, t + 8);
      long recordBytes = m.get(LONG_LE, t + 16);
      long slotCount = m.get(LONG_LE, t + 24);
      long groups = (count + (1 << ColdStore.GROUP_SHIFT) - 1) >>> ColdStore.GROUP_SHIFT;
      long[] lengths = {8L * words * count, 4L * count, 8L * groups, recordBytes, 4L * slotCount};
      long expected = start + TRAILER_BYTES;
      for (long length : lengths) {
        expected += length;
      }
      if (count < 0
          || count > Generation.MAX_CAPACITY
          || recordBytes < 0
          || slotCount < count
          || expected != size) {
        throw new CorruptIndexException(name + ": section sizes do not match the file's size");
      }
      long begin = System.nanoTime();
      long[] offsets = new long[SECTIONS];
      long at = start;
      for (int s = 0; s < SECTIONS; s++) {
        offsets[s] = at;
        if (crc(m, at, lengths[s]) != m.get(INT_LE, t + 32 + 4L * s)) {
          throw new CorruptIndexException(name + ": checksum mismatch in section " + s);
        }
        at += lengths[s];
      }
      long checked = System.nanoTime();
      int n = (int) count;
      int shift = LongChunks.DEFAULT_SHIFT;
      int capacity = Math.max(CodeLayout.BLOCK, (n + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK);
      LongChunks codes = LongChunks.allocate(shift, words, capacity);
      copyCodes(m, offsets[0], codes, n, words);
      // Zeroed: every entry alive; later deaths are after the snapshot's sequence.
      DeathMarks deaths = DeathMarks.allocate(header.seq(), shift, capacity);
      SegmentedMemory deltas = new SegmentedMemory(ColdStore.DELTAS_SHIFT);
      deltas.copyFrom(m, offsets[1], 0, lengths[1]);
      SegmentedMemory bases = new SegmentedMemory(ColdStore.BASES_SHIFT);
      bases.copyFrom(m, offsets[2], 0, lengths[2]);
      SegmentedMemory records = new SegmentedMemory(ColdStore.RECORDS_SHIFT);
      records.copyFrom(m, offsets[3], 0, recordBytes);
      ColdStore cold = new ColdStore(records, deltas, bases, n, recordBytes);
      long copied = System.nanoTime();
      IdTable ids = IdTable.loaded(cold, m.asSlice(offsets[4], lengths[4]), n);
      long done = System.nanoTime();
      LOG.info(
          "{}: {} entries, {} MB mapped: checksums {} ms, copies {} ms, id table {} ms",
          name,
          n,
          size / 1_000_000,
          (checked - begin) / 1_000_000,
          (copied - checked) / 1_000_000,
          (done - copied) / 1_000_000);
      return new Generation(bits, shift, codes, deaths, cold, ids, n, payloadBytes);
    }
  }

  /** Codes section (row-major) into the blocked chunks: a plain copy for one-word codes. */
  private static void copyCodes(MemorySegment m, long from, LongChunks codes, int n, int words) {
    if (words == 1 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      for (int c = 0; c < codes.chunkCount(); c++) {
        long first = (long) c << codes.shift;
        long entries = Math.min(codes.chunk(c).byteSize() / 8, Math.max(0, n - first));
        MemorySegment.copy(m, from + 8 * first, codes.chunk(c), 0, 8 * entries);
      }
      return;
    }
    long[] code = new long[words];
    for (int i = 0; i < n; i++) {
      for (int w = 0; w < words; w++) {
        code[w] = m.get(LONG_LE, from + 8L * ((long) i * words + w));
      }
      codes.store(i, code);
    }
  }

  /** CRC32C of {@code length} mapped bytes from {@code from}, in slices a ByteBuffer can hold. */
  private static int crc(MemorySegment m, long from, long length) {
    CRC32C crc = new CRC32C();
    while (length > 0) {
      long n = Math.min(length, 1L << 30);
      crc.update(m.asSlice(from, n).asByteBuffer());
      from += n;
      length -= n;
    }
    return (int) crc.getValue();
  }
}
