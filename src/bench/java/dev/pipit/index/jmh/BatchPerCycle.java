package dev.pipit.index.jmh;

import com.sun.management.ThreadMXBean;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchStrategy;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The batched scan's speed per core clock cycle, for a machine whose clock moves under it (a VM
 * guest whose host boosts or not): every batch is bracketed by a calibration chain of dependent
 * 64-bit multiply-adds (4 cycles each on x86: 3 for {@code imul}, 1 for {@code add}), which
 * measures the clock the batch ran at. Prints, per run, the median of (query, code) pairs per cycle
 * and of G pairs/s, and the clock range seen, and the bytes the searching thread allocated per
 * batch (a vector boxed in the kernel shows there as megabytes).
 *
 * <p>{@code java … dev.pipit.index.jmh.BatchPerCycle [bits] [n] [k] [batches] [queries]} (defaults
 * 64, 10000000, 10, 60, 32); {@code -Dpipit.index.batch=popcount} for the popcount kernel.
 */
public final class BatchPerCycle {

  private static final int CHAIN = 20_000_000;

  private BatchPerCycle() {}

  public static void main(String[] args) throws Exception {
    int bits = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000_000;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int batches = args.length > 3 ? Integer.parseInt(args[3]) : 60;
    int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
    SplittableRandom rnd = new SplittableRandom(7);
    List<Code> queries = new ArrayList<>();
    for (int q = 0; q < batch; q++) {
      queries.add(Galleries.random(bits, rnd));
    }
    try (HammingIndex index = Galleries.build(bits, n, 0, 0, SearchStrategy.LINEAR, 1, 42)) {
      for (int i = 0; i < 20; i++) { // warm-up: C2 compiles scan and the calibration chain
        index.searchBatch(queries, k);
        chain(CHAIN / 10);
      }
      double[] perCycle = new double[batches];
      double[] perSecond = new double[batches];
      double[] clock = new double[batches];
      double[] allocated = new double[batches];
      var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long self = Thread.currentThread().threadId();
      long sink = 0;
      for (int b = 0; b < batches; b++) {
        long t0 = System.nanoTime();
        sink += chain(CHAIN);
        long a1 = threads.getThreadAllocatedBytes(self);
        long t1 = System.nanoTime();
        sink += index.searchBatch(queries, k).size();
        long t2 = System.nanoTime();
        allocated[b] = threads.getThreadAllocatedBytes(self) - a1;
        sink += chain(CHAIN);
        long t3 = System.nanoTime();
        double hz = 4.0 * CHAIN * 2 / ((t1 - t0) + (t3 - t2)) * 1e9;
        double pairs = (double) n * queries.size();
        clock[b] = hz / 1e9;
        perSecond[b] = pairs / (t2 - t1); // G pairs/s
        perCycle[b] = pairs / ((t2 - t1) / 1e9 * hz);
      }
      System.out.printf(
          Locale.ROOT,
          "batch-per-cycle bits=%d n=%d k=%d queries=batch%d kernel=%s %.3f pairs/cycle, %.2f G"
              + " pairs/s, clock %.2f-%.2f GHz (median %.2f), %.0f KiB allocated per batch, over %d"
              + " batches [%d]%n",
          bits,
          n,
          k,
          queries.size(),
          System.getProperty("pipit.index.batch", "bitsliced"),
          median(perCycle),
          median(perSecond),
          min(clock),
          max(clock),
          median(clock),
          median(allocated) / 1024,
          batches,
          sink & 1);
    }
  }

  /**
   * A chain of dependent multiply-adds: 4 cycles per link whatever the compiler does with the loop.
   */
  private static long chain(int links) {
    long x = links;
    for (int i = 0; i < links; i++) {
      x = x * 0x9E3779B97F4A7C15L + i;
    }
    return x;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElseThrow();
  }
}
