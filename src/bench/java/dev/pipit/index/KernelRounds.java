package dev.pipit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The three ways to answer a batch of one-word queries, timed in alternating rounds in one JVM on
 * one thread, so that each round of each body meets the same host minutes (on a shared VM the speed
 * moves by tens of percent from minute to minute; a JMH run times one case after another): the
 * single-query scan repeated for every query, the popcount batch body and the bit-sliced one.
 * Prints, per body, the median G (query, code) pairs/s over the rounds and, per round, the ratio of
 * each batch body to the single-query scan of the same round (its minimum is what "batched ≥ 2×
 * single in every round" rests on).
 *
 * <p>{@code java --add-modules jdk.incubator.vector … dev.pipit.index.KernelRounds [n] [k]
 * [queries] [rounds]} (defaults 10000000, 10, 32, 15). Random codes (the worst case for the early
 * exits: the k-th nearest is far).
 */
public final class KernelRounds {

  private KernelRounds() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 15;
    SplittableRandom rnd = new SplittableRandom(18);
    LongChunks codes = LongChunks.allocate(LongChunks.DEFAULT_SHIFT, 1, n);
    long[] one = new long[1];
    for (int i = 0; i < n; i++) {
      one[0] = rnd.nextLong();
      codes.store(i, one);
    }
    long[][] queries = new long[batch][];
    for (int q = 0; q < batch; q++) {
      queries[q] = new long[] {rnd.nextLong()};
    }
    HammingKernel popcount = new PanamaKernel(false);
    HammingKernel bitSliced = new PanamaKernel(true);
    for (int warm = 0; warm < 4; warm++) { // C2 compiles every body before the timed rounds
      single(popcount, codes, queries, n, k);
      batched(popcount, codes, queries, n, k);
      batched(bitSliced, codes, queries, n, k);
    }
    double pairs = (double) n * batch;
    double[] gSingle = new double[rounds];
    double[] gPopcount = new double[rounds];
    double[] gBitSliced = new double[rounds];
    double[] rPopcount = new double[rounds];
    double[] rBitSliced = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      gSingle[r] = pairs / single(popcount, codes, queries, n, k);
      gPopcount[r] = pairs / batched(popcount, codes, queries, n, k);
      gBitSliced[r] = pairs / batched(bitSliced, codes, queries, n, k);
      rPopcount[r] = gPopcount[r] / gSingle[r];
      rBitSliced[r] = gBitSliced[r] / gSingle[r];
    }
    String head =
        String.format(
            Locale.ROOT,
            "kernel-rounds bits=64 n=%d k=%d queries=batch%d threads=1 kernel=%s rounds=%d",
            n,
            k,
            batch,
            popcount.name(),
            rounds);
    System.out.printf(
        Locale.ROOT,
        "%s single_gpairs_s=%.2f popcount_gpairs_s=%.2f bitsliced_gpairs_s=%.2f"
            + " popcount_over_single=%.2f (min %.2f) bitsliced_over_single=%.2f (min %.2f)"
            + " bitsliced_over_popcount=%.2f load=%s%n",
        head,
        median(gSingle),
        median(gPopcount),
        median(gBitSliced),
        median(rPopcount),
        Arrays.stream(rPopcount).min().orElseThrow(),
        median(rBitSliced),
        Arrays.stream(rBitSliced).min().orElseThrow(),
        median(gBitSliced) / median(gPopcount),
        load());
  }

  /** Nanoseconds for every query scanned on its own, one after another. */
  private static long single(
      HammingKernel kernel, LongChunks codes, long[][] queries, int n, int k) {
    long start = System.nanoTime();
    for (long[] query : queries) {
      kernel.scan(codes, query, 0, n, new TopKHeap(null, k));
    }
    return System.nanoTime() - start;
  }

  /** Nanoseconds for one batched pass. */
  private static long batched(
      HammingKernel kernel, LongChunks codes, long[][] queries, int n, int k) {
    Collector[] outs = new Collector[queries.length];
    for (int q = 0; q < outs.length; q++) {
      outs[q] = new TopKHeap(null, k);
    }
    long start = System.nanoTime();
    kernel.scanBatch(codes, queries, 0, n, outs);
    return System.nanoTime() - start;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
