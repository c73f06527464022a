package dev.pipit.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/** Per-entry storage in off-heap chunks of {@code 2^shift} entries that never move once full. */
final class Chunks {

  private Chunks() {}

  /**
   * The chunks for {@code target} entries holding those of {@code chunks}: full chunks are shared,
   * the last partial one is copied into a larger chunk, new chunks are zeroed. Each chunk has its
   * own automatic arena, freed when no view reaches it any more.
   *
   * @param bytesFor the bytes a chunk of that many entries takes
   * @param empty a new chunk of that many bytes, all zero
   */
  static MemorySegment[] grown(
      MemorySegment[] chunks,
      int shift,
      int target,
      LongUnaryOperator bytesFor,
      long alignment,
      LongFunction<MemorySegment> empty) {
    int size = 1 << shift;
    int count = (int) (((long) target + size - 1) >>> shift);
    MemorySegment[] grown = Arrays.copyOf(chunks, count);
    for (int c = 0; c < count; c++) {
      long bytes = bytesFor.applyAsLong(Math.min(size, (long) target - ((long) c << shift)));
      MemorySegment old = c < chunks.length ? chunks[c] : null;
      if (old != null && old.byteSize() == bytes) {
        continue;
      }
      if (old == null) {
        grown[c] = empty.apply(bytes);
        continue;
      }
      MemorySegment fresh = Arena.ofAuto().allocate(bytes, alignment);
      MemorySegment.copy(old, 0, fresh, 0, old.byteSize());
      grown[c] = fresh;
    }
    return grown;
  }

  /** Off-heap bytes of {@code chunks}, not counting read-only ones (shared or mapped). */
  static long bytes(MemorySegment[] chunks) {
    long total = 0;
    for (MemorySegment chunk : chunks) {
      if (!chunk.isReadOnly()) {
        total += chunk.byteSize();
      }
    }
    return total;
  }
}
