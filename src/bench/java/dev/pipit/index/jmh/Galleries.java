package dev.pipit.index.jmh;

import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.SearchStrategy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds benchmark galleries through the public API and records their memory. */
final class Galleries {

  private Galleries() {}

  static Code random(int bits, SplittableRandom rnd) {
    long[] words = new long[Code.wordsFor(bits)];
    for (int w = 0; w < words.length; w++) {
      words[w] = rnd.nextLong();
    }
    if ((bits & 63) != 0) {
      words[words.length - 1] &= (1L << (bits & 63)) - 1;
    }
    return Code.of(bits, words);
  }

  static Code noisy(Code centre, double noise, SplittableRandom rnd) {
    long[] words = centre.words();
    for (int i = 0; i < centre.bits(); i++) {
      if (rnd.nextDouble() < noise) {
        words[i >>> 6] ^= 1L << (i & 63);
      }
    }
    return Code.of(centre.bits(), words);
  }

  /**
   * An in-memory index of {@code n} codes: uniform, or around {@code centres} centres with bit
   * noise.
   */
  static HammingIndex build(
      int bits, int n, int centres, double noise, SearchStrategy strategy, int threads, long seed) {
    return build(
        bits, n, centres, noise, strategy, threads, IndexOptions.DEFAULT_MAX_COALESCED, seed);
  }

  /** The same, answering at most {@code maxCoalesced} concurrent searches per pass. */
  static HammingIndex build(
      int bits,
      int n,
      int centres,
      double noise,
      SearchStrategy strategy,
      int threads,
      int maxCoalesced,
      long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Code> centreCodes = new ArrayList<>();
    for (int c = 0; c < centres; c++) {
      centreCodes.add(random(bits, rnd));
    }
    long before = usedHeap();
    HammingIndex index =
        HammingIndex.inMemory(
            IndexOptions.of(bits, "bench")
                .withStrategy(strategy)
                .withThreads(threads)
                .withMaxCoalesced(maxCoalesced));
    List<Entry> chunk = new ArrayList<>(100_000);
    for (int i = 0; i < n; i++) {
      Code code =
          centres == 0
              ? random(bits, rnd)
              : noisy(centreCodes.get(rnd.nextInt(centres)), noise, rnd);
      chunk.add(new Entry(Integer.toString(i), code, null));
      if (chunk.size() == 100_000 || i == n - 1) {
        index.upsertAll(chunk);
        chunk.clear();
      }
    }
    recordMemory(index, bits, n, usedHeap() - before);
    return index;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Appends the hot-array memory and the whole-heap growth per entry to
   * target/bench-index-memory.txt.
   */
  private static void recordMemory(HammingIndex index, int bits, int n, long heapGrowth) {
    var stats = index.stats();
    String line =
        String.format(
            "index-memory bits=%d n=%d hot=%.2f B/entry ratio=%.3f (ideal %d B) "
                + "heap=%.1f B/entry (ids, map and payload refs included)%n",
            bits,
            n,
            (double) stats.memory().hotBytes() / n,
            stats.memory().hotBytesPerEntryRatio(),
            8 * Code.wordsFor(bits) + 8,
            (double) heapGrowth / n);
    try {
      Files.writeString(
          Path.of("target", "bench-index-memory.txt"),
          line,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println(line);
    }
  }
}
