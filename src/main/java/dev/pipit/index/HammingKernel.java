package dev.pipit.index;

import java.lang.foreign.MemorySegment;

/**
 * Popcount kernels over the blocked code layout of {@link CodeLayout}. Two implementations, chosen
 * once at start by {@link KernelProvider}: {@code ScalarKernel} ({@link Long#bitCount}) and {@code
 * PanamaKernel} (JDK Vector API). Both offer exactly the same codes to the collector, in ascending
 * ordinal order.
 *
 * <p>The kernels scan one off-heap chunk at a time ({@link #scanChunk}); {@link #scan} and {@link
 * #scanBatch} walk the chunks of a gallery in ordinal order.
 */
interface HammingKernel {

  /** A short name for logs and stats, e.g. {@code "panama-256"} or {@code "scalar"}. */
  String name();

  /**
   * Offers to {@code out} every code in ordinals {@code [from, to)} whose distance to {@code query}
   * is below {@link Collector#limit}, in ascending ordinal order. The limit is re-read after each
   * offer.
   */
  default void scan(LongChunks codes, long[] query, int from, int to, Collector out) {
    while (from < to) {
      int c = from >>> codes.shift;
      int base = c << codes.shift;
      int end = (int) Math.min(to, (long) base + (1L << codes.shift));
      scanChunk(codes.chunk(c), base, codes.stride, query, from - base, end - base, out);
      from = end;
    }
  }

  /**
   * Like {@link #scan} for several queries in one pass over memory: {@code outs[q]} receives the
   * codes for {@code queries[q]}, each in ascending ordinal order.
   */
  default void scanBatch(LongChunks codes, long[][] queries, int from, int to, Collector[] outs) {
    while (from < to) {
      int c = from >>> codes.shift;
      int base = c << codes.shift;
      int end = (int) Math.min(to, (long) base + (1L << codes.shift));
      scanBatchChunk(codes.chunk(c), base, codes.stride, queries, from - base, end - base, outs);
      from = end;
    }
  }

  /**
   * {@link #scan} over codes {@code [from, to)} of one chunk whose first code is ordinal {@code
   * base}: the collector receives {@code base + i}.
   */
  void scanChunk(
      MemorySegment chunk, int base, int words, long[] query, int from, int to, Collector out);

  /**
   * {@link #scanBatch} over codes {@code [from, to)} of one chunk starting at ordinal {@code base}.
   */
  void scanBatchChunk(
      MemorySegment chunk,
      int base,
      int words,
      long[][] queries,
      int from,
      int to,
      Collector[] outs);
}
