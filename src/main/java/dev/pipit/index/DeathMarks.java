package dev.pipit.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * When each entry of a generation died: one {@code int} per entry off the heap, in chunks of {@code
 * 2^shift} entries that never move once full (as {@link LongChunks}). A mark is the death's
 * sequence relative to the generation's {@link #base}: 0 while the entry is alive (so fresh and
 * loaded chunks need no fill), else {@code seq - base} read as an unsigned {@code int}. Four bytes
 * instead of a {@code long} sequence: a generation therefore takes deaths up to {@link #MAX_SPAN}
 * sequences past its base, and is rebuilt on a later base (compaction) before it runs out.
 *
 * <p>Marks are written by the single writer and read by searches on any thread through opaque
 * access; a view never needs a mark written after it was published (that death is later than the
 * view's sequence, so the entry is alive for it either way).
 */
final class DeathMarks {

  /** The last sequence past {@link #base} a mark can hold. */
  static final long MAX_SPAN = 0xFFFF_FFFFL;

  private static final VarHandle INTS = ValueLayout.JAVA_INT.varHandle();

  private static volatile MemorySegment ZEROS =
      Arena.global().allocate(4L << LongChunks.DEFAULT_SHIFT, 4).asReadOnly();

  /**
   * Deaths are later than this sequence: the generation's start (0, a snapshot's, a compaction's).
   */
  final long base;

  final int shift;
  final int capacity;
  private final MemorySegment[] chunks;

  private DeathMarks(long base, int shift, MemorySegment[] chunks, int capacity) {
    this.base = base;
    this.shift = shift;
    this.chunks = chunks;
    this.capacity = capacity;
  }

  /** Marks for {@code capacity} entries, all alive, for deaths after {@code base}. */
  static DeathMarks allocate(long base, int shift, int capacity) {
    return new DeathMarks(base, shift, new MemorySegment[0], 0).grownTo(capacity);
  }

  /** Marks for {@code target} entries holding these: full chunks are shared, new ones zeroed. */
  DeathMarks grownTo(int target) {
    if (target <= capacity) {
      return this;
    }
    MemorySegment[] grown =
        Chunks.grown(chunks, shift, target, entries -> 4 * entries, 4, DeathMarks::zeros);
    return new DeathMarks(base, shift, grown, target);
  }

  /** Whether a death at {@code seq} can be marked (it lies in {@code (base, base + MAX_SPAN]}). */
  boolean covers(long seq) {
    long span = seq - base;
    return span >= 1 && span <= MAX_SPAN;
  }

  /**
   * Marks {@code ordinal} dead as of {@code seq}. The first death in a chunk gives it memory of its
   * own; a view published before holds the shared zeros, right for it (the death is later).
   */
  void markDead(int ordinal, long seq) {
    if (!covers(seq)) {
      throw new IllegalStateException(
          "death at sequence " + seq + " outside this generation's (" + base + ", +2^32)");
    }
    MemorySegment chunk = chunkOf(ordinal);
    if (chunk.isReadOnly()) {
      chunk = Arena.ofAuto().allocate(chunk.byteSize(), 4);
      chunks[ordinal >>> shift] = chunk;
    }
    INTS.setOpaque(chunk, offset(ordinal), (int) (seq - base));
  }

  /**
   * Read-only zeros: a chunk with no death yet costs no memory of its own (galleries that are only
   * added to never allocate their marks). One shared segment, sliced.
   */
  private static MemorySegment zeros(long bytes) {
    MemorySegment zeros = ZEROS;
    if (zeros.byteSize() < bytes) {
      synchronized (DeathMarks.class) {
        if (ZEROS.byteSize() < bytes) {
          ZEROS = Arena.global().allocate(bytes, 4).asReadOnly();
        }
        zeros = ZEROS;
      }
    }
    return zeros.asSlice(0, bytes);
  }

  /** Whether {@code ordinal} has not died at all (what compaction keeps). */
  boolean isAlive(int ordinal) {
    return mark(ordinal) == 0;
  }

  /**
   * Whether {@code ordinal} is alive as of {@code horizon} = a view's sequence minus {@link #base}:
   * it has no mark, or its death is later.
   */
  boolean isAliveAt(int ordinal, long horizon) {
    int mark = mark(ordinal);
    return mark == 0 || Integer.toUnsignedLong(mark) > horizon;
  }

  private int mark(int ordinal) {
    return (int) INTS.getOpaque(chunkOf(ordinal), offset(ordinal));
  }

  private MemorySegment chunkOf(int ordinal) {
    return chunks[ordinal >>> shift];
  }

  private long offset(int ordinal) {
    return 4L * (ordinal & ((1 << shift) - 1));
  }

  /** Off-heap bytes allocated (chunks with a death; the others share read-only zeros). */
  long bytes() {
    return Chunks.bytes(chunks);
  }
}
