package dev.pipit.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Growable off-heap bytes in fixed chunks of {@code 2^shift} bytes that never move, addressed by a
 * {@code long} offset (no 2^31 cap). Aligned {@code int}s and {@code long}s never straddle two
 * chunks; byte runs may, and are copied piecewise. One writer appends or sets; readers may read any
 * byte the writer wrote before publishing it (the chunk list is a volatile array, chunks are never
 * freed while reachable: each has its own automatic arena).
 */
final class SegmentedMemory {

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final int shift;
  private final long mask;
  private volatile MemorySegment[] chunks = new MemorySegment[0];

  SegmentedMemory(int shift) {
    this.shift = shift;
    this.mask = (1L << shift) - 1;
  }

  /**
   * Memory whose first {@code bytes.byteSize()} bytes are {@code bytes} (a snapshot's section,
   * mapped): the whole chunks it covers are used in place, the last, partial one is copied into a
   * fresh chunk, so appends never write past the section.
   */
  static SegmentedMemory over(int shift, MemorySegment bytes) {
    SegmentedMemory memory = new SegmentedMemory(shift);
    long size = 1L << shift;
    long whole = bytes.byteSize() >>> shift;
    MemorySegment[] chunks =
        new MemorySegment[Math.toIntExact((bytes.byteSize() + size - 1) >>> shift)];
    for (int c = 0; c < chunks.length; c++) {
      if (c < whole) {
        chunks[c] = bytes.asSlice((long) c << shift, size);
      } else {
        chunks[c] = Arena.ofAuto().allocate(size, 64);
        MemorySegment.copy(
            bytes, (long) c << shift, chunks[c], 0, bytes.byteSize() - ((long) c << shift));
      }
    }
    memory.chunks = chunks;
    return memory;
  }

  /** Bytes allocated. */
  long capacity() {
    return (long) chunks.length << shift;
  }

  /** Makes bytes {@code [0, bytes)} addressable (new chunks are zeroed). */
  void ensure(long bytes) {
    MemorySegment[] current = chunks;
    long count = (bytes + mask) >>> shift;
    if (count <= current.length) {
      return;
    }
    MemorySegment[] grown = Arrays.copyOf(current, Math.toIntExact(count));
    for (int c = current.length; c < grown.length; c++) {
      grown[c] = Arena.ofAuto().allocate(1L << shift, 64);
    }
    chunks = grown;
  }

  int getInt(long offset) {
    return chunks[(int) (offset >>> shift)].get(INT, offset & mask);
  }

  void setInt(long offset, int value) {
    chunks[(int) (offset >>> shift)].set(INT, offset & mask, value);
  }

  long getLong(long offset) {
    return chunks[(int) (offset >>> shift)].get(LONG, offset & mask);
  }

  void setLong(long offset, long value) {
    chunks[(int) (offset >>> shift)].set(LONG, offset & mask, value);
  }

  /** The byte at {@code offset}. */
  byte getByte(long offset) {
    return chunks[(int) (offset >>> shift)].get(ValueLayout.JAVA_BYTE, offset & mask);
  }

  /** Whether the bytes from {@code offset} are {@code b} (compared in place, no copy). */
  boolean matches(long offset, byte[] b) {
    long inChunk = offset & mask;
    if (inChunk + b.length <= 1L << shift) {
      MemorySegment chunk = chunks[(int) (offset >>> shift)];
      return MemorySegment.mismatch(
              chunk, inChunk, inChunk + b.length, MemorySegment.ofArray(b), 0, b.length)
          < 0;
    }
    for (int i = 0; i < b.length; i++) {
      if (getByte(offset + i) != b[i]) {
        return false;
      }
    }
    return true;
  }

  /** Copies {@code length} bytes from {@code offset} into {@code dst[at..]}. */
  void read(long offset, byte[] dst, int at, int length) {
    MemorySegment[] cs = chunks;
    while (length > 0) {
      long inChunk = offset & mask;
      int n = (int) Math.min(length, (1L << shift) - inChunk);
      MemorySegment.copy(cs[(int) (offset >>> shift)], ValueLayout.JAVA_BYTE, inChunk, dst, at, n);
      offset += n;
      at += n;
      length -= n;
    }
  }

  /** Copies {@code src[at..at+length)} to {@code offset} (the bytes must be addressable). */
  void write(long offset, byte[] src, int at, int length) {
    MemorySegment[] cs = chunks;
    while (length > 0) {
      long inChunk = offset & mask;
      int n = (int) Math.min(length, (1L << shift) - inChunk);
      MemorySegment.copy(src, at, cs[(int) (offset >>> shift)], ValueLayout.JAVA_BYTE, inChunk, n);
      offset += n;
      at += n;
      length -= n;
    }
  }

  /** Copies {@code length} bytes of {@code src} from {@code from} to {@code offset} (bulk). */
  void copyFrom(MemorySegment src, long from, long offset, long length) {
    ensure(offset + length);
    MemorySegment[] cs = chunks;
    while (length > 0) {
      long inChunk = offset & mask;
      long n = Math.min(length, (1L << shift) - inChunk);
      MemorySegment.copy(src, from, cs[(int) (offset >>> shift)], inChunk, n);
      offset += n;
      from += n;
      length -= n;
    }
  }

  /** Sink for bulk writes. */
  interface ByteSink {
    void write(ByteBuffer bytes) throws IOException;
  }

  /** Hands bytes {@code [from, from + length)} to {@code sink}, chunk by chunk, without copying. */
  void writeTo(long from, long length, ByteSink sink) throws IOException {
    MemorySegment[] cs = chunks;
    while (length > 0) {
      long inChunk = from & mask;
      long n = Math.min(length, (1L << shift) - inChunk);
      sink.write(cs[(int) (from >>> shift)].asSlice(inChunk, n).asByteBuffer());
      from += n;
      length -= n;
    }
  }
}
