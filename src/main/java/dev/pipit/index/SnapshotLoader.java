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
 * Loads a version 2 or 3 {@link SnapshotFile} by mapping it and checking each section's CRC32C on
 * the mapped bytes. Version 3 sections start at multiples of 64 bytes and are used in place: the
 * codes (one-word codes), record offsets, records and the id table's slots become the index's
 * storage, mapped copy-on-write, so only the last partial chunk of each is copied (first touches of
 * a mapped file cost a fraction of those of fresh memory: no copy, no zeroing). Version 2 sections
 * are copied into fresh off-heap storage and the mapping is released. The death marks start as
 * shared zeros (alive).
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
    boolean inPlace = header.version() >= 3;
    long alignment = inPlace ? SnapshotFile.SECTION_ALIGNMENT : 1;
    // In place, the mapping outlives this method (its sections become the index's storage, freed
    // when no view reaches them); copy-on-write, so a later put never writes to the file.
    Arena arena = inPlace ? Arena.ofAuto() : Arena.ofConfined();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size < start + TRAILER_BYTES) {
        throw new CorruptIndexException(name + ": cut short");
      }
      MemorySegment m = channel.map(FileChannel.MapMode.PRIVATE, 0, size, arena);
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
      long expected = start;
      for (long length : lengths) {
        expected = align(expected, alignment) + length;
      }
      expected += TRAILER_BYTES;
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
        at = align(at, alignment);
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
      LongChunks codes;
      if (inPlace && words == 1 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
        codes = LongChunks.inPlace(shift, m.asSlice(offsets[0], lengths[0]), n, capacity);
      } else {
        codes = LongChunks.allocate(shift, words, capacity);
        copyCodes(m, offsets[0], codes, n, words);
      }
      // Zeroed: every entry alive; later deaths are after the snapshot's sequence.
      DeathMarks deaths = DeathMarks.allocate(header.seq(), shift, capacity);
      SegmentedMemory deltas = section(m, offsets[1], lengths[1], ColdStore.DELTAS_SHIFT, inPlace);
      SegmentedMemory bases = section(m, offsets[2], lengths[2], ColdStore.BASES_SHIFT, inPlace);
      SegmentedMemory records =
          section(m, offsets[3], lengths[3], ColdStore.RECORDS_SHIFT, inPlace);
      ColdStore cold = new ColdStore(records, deltas, bases, n, recordBytes);
      long copied = System.nanoTime();
      MemorySegment slots = m.asSlice(offsets[4], lengths[4]);
      IdTable ids =
          inPlace && slots.byteSize() >= 64
              ? IdTable.inPlace(cold, slots, n)
              : IdTable.loaded(cold, slots, n);
      long done = System.nanoTime();
      LOG.info(
          "{}: {} entries, {} MB mapped{}: checksums {} ms, copies {} ms, id table {} ms",
          name,
          n,
          size / 1_000_000,
          inPlace ? " (used in place)" : "",
          (checked - begin) / 1_000_000,
          (copied - checked) / 1_000_000,
          (done - copied) / 1_000_000);
      return new Generation(bits, shift, codes, deaths, cold, ids, n, payloadBytes);
    } finally {
      if (!inPlace) {
        arena.close();
      }
    }
  }

  /** A cold-store section: used in place (version 3), else copied into fresh chunks. */
  private static SegmentedMemory section(
      MemorySegment m, long offset, long length, int shift, boolean inPlace) {
    if (inPlace) {
      return SegmentedMemory.over(shift, m.asSlice(offset, length));
    }
    SegmentedMemory memory = new SegmentedMemory(shift);
    memory.copyFrom(m, offset, 0, length);
    return memory;
  }

  private static long align(long offset, long alignment) {
    return (offset + alignment - 1) & -alignment;
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
