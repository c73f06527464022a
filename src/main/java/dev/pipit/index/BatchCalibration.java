package dev.pipit.index;

import java.util.SplittableRandom;

/**
 * Times the two batch bodies of {@link PanamaKernel} on the same small gallery (one-word codes that
 * fit in L2, 32 queries, k = 10), alternating them so that both meet the same JIT state and the
 * same neighbours, and keeps each body's best round. Used when the CPU's flags cannot be read, or
 * on request ({@code -Dpipit.index.batch=calibrate}); it runs once per JVM, within a time budget.
 */
final class BatchCalibration {

  private static final int CODES = 16 * BitSlicedBatch.TILE;
  private static final int QUERIES = 32;
  private static final int K = 10;

  private BatchCalibration() {}

  /**
   * Best round of each body after at least {@code minRounds} rounds each and until {@code
   * budgetNanos} have passed (the first rounds run before the JIT has compiled the loops; later
   * ones do not).
   */
  static BatchKernelChoice.Timings run(int minRounds, long budgetNanos) {
    SplittableRandom rnd = new SplittableRandom(18);
    LongChunks codes = LongChunks.allocate(LongChunks.DEFAULT_SHIFT, 1, CODES);
    for (int i = 0; i < CODES; i++) {
      codes.store(i, new long[] {rnd.nextLong()});
    }
    long[][] queries = new long[QUERIES][];
    for (int q = 0; q < QUERIES; q++) {
      queries[q] = new long[] {rnd.nextLong()};
    }
    HammingKernel bitSliced = new PanamaKernel(true);
    HammingKernel popcount = new PanamaKernel(false);
    long bestBitSliced = Long.MAX_VALUE;
    long bestPopcount = Long.MAX_VALUE;
    long deadline = System.nanoTime() + budgetNanos;
    for (int round = 0; round < minRounds || System.nanoTime() < deadline; round++) {
      bestBitSliced = Math.min(bestBitSliced, time(bitSliced, codes, queries));
      bestPopcount = Math.min(bestPopcount, time(popcount, codes, queries));
    }
    return new BatchKernelChoice.Timings(bestBitSliced, bestPopcount);
  }

  private static long time(HammingKernel kernel, LongChunks codes, long[][] queries) {
    Collector[] outs = new Collector[queries.length];
    for (int q = 0; q < outs.length; q++) {
      outs[q] = new TopKHeap(null, K);
    }
    long start = System.nanoTime();
    kernel.scanBatch(codes, queries, 0, CODES, outs);
    return System.nanoTime() - start;
  }
}
