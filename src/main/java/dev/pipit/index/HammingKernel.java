package dev.pipit.index;

/**
 * Popcount kernels over the blocked code layout of {@link CodeLayout}. Two implementations, chosen
 * once at start by {@link KernelProvider}: {@code ScalarKernel} ({@link Long#bitCount}) and {@code
 * PanamaKernel} (JDK Vector API). Both offer exactly the same codes to the collector, in ascending
 * ordinal order.
 */
interface HammingKernel {

  /** A short name for logs and stats, e.g. {@code "panama-256"} or {@code "scalar"}. */
  String name();

  /**
   * Offers to {@code out} every code in ordinals {@code [from, to)} whose distance to {@code query}
   * is below {@link Collector#limit}, in ascending ordinal order. The limit is re-read after each
   * offer.
   */
  void scan(long[] codes, int words, long[] query, int from, int to, Collector out);

  /**
   * Like {@link #scan} for several queries in one pass over memory: {@code outs[q]} receives the
   * codes for {@code queries[q]}, each in ascending ordinal order.
   */
  void scanBatch(long[] codes, int words, long[][] queries, int from, int to, Collector[] outs);
}
