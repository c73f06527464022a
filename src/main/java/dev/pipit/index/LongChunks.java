package dev.pipit.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-entry {@code long}s off the heap, in chunks of {@code 2^shift} entries ({@code stride} longs
 * each, in the blocked layout of {@link CodeLayout} inside a chunk). A chunk that is full never
 * moves, so growing copies at most the last, partial chunk and an index is not capped at 2^31 longs
 * as one {@code long[]} is; only the ordinal is an {@code int} (2^31 entries).
 *
 * <p>Instances are immutable views of the chunk list: {@link #grownTo} returns a new one that
 * shares the full chunks, so a {@link View} published earlier keeps reading the chunks it was
 * given. Each chunk has its own automatic arena: the memory is freed when the last view holding the
 * chunk is collected, never while a search still reads it.
 */
final class LongChunks {

  /** Entries per chunk by default: 2^20 (8 MiB of 64-bit codes). */
  static final int DEFAULT_SHIFT = 20;

  /** Chunks are aligned to a cache line: vector loads of a block never straddle two lines. */
  private static final long ALIGNMENT = 64;

  final int shift;
  final int stride;
  final int capacity;
  private final MemorySegment[] chunks;

  private LongChunks(int shift, int stride, MemorySegment[] chunks, int capacity) {
    this.shift = shift;
    this.stride = stride;
    this.chunks = chunks;
    this.capacity = capacity;
  }

  /** Zeroed storage for {@code capacity} entries (a multiple of {@link CodeLayout#BLOCK}). */
  static LongChunks allocate(int shift, int stride, int capacity) {
    return new LongChunks(shift, stride, new MemorySegment[0], 0).grownTo(capacity);
  }

  /**
   * One-word codes over {@code section}, a snapshot's codes (row-major, mapped; for one word the
   * blocked layout is the same): its whole chunks are used in place, the rest is copied into fresh
   * storage for {@code capacity} entries, so appends never write into the mapping.
   */
  static LongChunks inPlace(int shift, MemorySegment section, int n, int capacity) {
    int whole = n >>> shift;
    long chunkBytes = 8L << shift;
    MemorySegment[] chunks = new MemorySegment[whole];
    for (int c = 0; c < whole; c++) {
      chunks[c] = section.asSlice(c * chunkBytes, chunkBytes);
    }
    LongChunks codes = new LongChunks(shift, 1, chunks, whole << shift).grownTo(capacity);
    long done = whole * chunkBytes;
    if (done < section.byteSize()) {
      MemorySegment.copy(section, done, codes.chunk(whole), 0, section.byteSize() - done);
    }
    return codes;
  }

  /**
   * Storage for {@code target} entries holding this one's: full chunks are shared, the last partial
   * one is copied into a larger chunk, new chunks are zeroed.
   */
  LongChunks grownTo(int target) {
    if (target <= capacity) {
      return this;
    }
    MemorySegment[] grown =
        Chunks.grown(
            chunks,
            shift,
            target,
            this::bytesFor,
            ALIGNMENT,
            bytes -> Arena.ofAuto().allocate(bytes, ALIGNMENT));
    return new LongChunks(shift, stride, grown, target);
  }

  private long bytesFor(long entries) {
    return 8L * CodeLayout.longsFor(entries, stride);
  }

  /** Number of chunks. */
  int chunkCount() {
    return chunks.length;
  }

  /** Chunk {@code c}: entries {@code [c << shift, (c + 1) << shift)}. */
  MemorySegment chunk(int c) {
    return chunks[c];
  }

  /** The chunk holding entry {@code ordinal}. */
  MemorySegment chunkOf(int ordinal) {
    return chunks[ordinal >>> shift];
  }

  /** Byte offset of long {@code w} of entry {@code ordinal} inside its chunk. */
  long offset(int ordinal, int w) {
    return 8L * CodeLayout.index(ordinal & ((1 << shift) - 1), stride, w);
  }

  /** Long {@code w} of entry {@code ordinal}. */
  long get(int ordinal, int w) {
    return chunkOf(ordinal).get(ValueLayout.JAVA_LONG, offset(ordinal, w));
  }

  /** Stores {@code values} (stride longs) as entry {@code ordinal}. */
  void store(int ordinal, long[] values) {
    MemorySegment chunk = chunkOf(ordinal);
    for (int w = 0; w < stride; w++) {
      chunk.set(ValueLayout.JAVA_LONG, offset(ordinal, w), values[w]);
    }
  }

  /** Entry {@code ordinal} as a new array of stride longs. */
  long[] load(int ordinal) {
    long[] values = new long[stride];
    for (int w = 0; w < stride; w++) {
      values[w] = get(ordinal, w);
    }
    return values;
  }

  /** Off-heap bytes allocated. */
  long bytes() {
    return Chunks.bytes(chunks);
  }
}
