package dev.pipit.bench;

import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.SearchHit;
import dev.pipit.index.SearchStrategy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * pipit, FAISS and a plain C loop on the same codes in one run ({@code make bench-faiss}, issue 18
 * part 5). Writes {@code n} 64-bit codes (around 1,000 centres with 5 % bit noise, so that
 * multi-index hashing has neighbours to find) and the queries to files, times pipit's single-query
 * scan and its multi-index hashing on one thread, then runs {@code src/bench/python/faiss_bench.py}
 * (Debian {@code python3-faiss}: {@code IndexBinaryFlat}, {@code IndexBinaryMultiHash}) and {@code
 * src/bench/c/popcount_scan.c} on the same files. Each side checks its answers by the sum of the k
 * best distances over all queries, which must agree for the exact searches. Lines:
 *
 * <pre>
 * faiss-bench index=flat n=… bits=64 k=10 pipit_gcodes_s=… faiss_gcodes_s=… c_gcodes_s=… ratio=…
 * faiss-bench index=mih n=… bits=64 k=10 pipit_us=… faiss_us=… faiss_recall=… ratio=…
 * </pre>
 *
 * Arguments: {@code n} (1000000), {@code queries} (100), {@code out} (target/faiss-bench), {@code
 * c} (the compiled C binary).
 */
public final class FaissBench {

  private static final int BITS = 64;
  private static final int K = 10;

  private FaissBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      args.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    int n = Integer.parseInt(args.getOrDefault("n", "1000000"));
    int nq = Integer.parseInt(args.getOrDefault("queries", "100"));
    Path out = Files.createDirectories(Path.of(args.getOrDefault("out", "target/faiss-bench")));
    System.out.println("faiss-bench " + Machine.describe());

    SplittableRandom rnd = new SplittableRandom(18);
    long[] centres = new long[1000];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = rnd.nextLong();
    }
    long[] codes = new long[n];
    for (int i = 0; i < n; i++) {
      codes[i] = noisy(centres[rnd.nextInt(centres.length)], rnd);
    }
    long[] queries = new long[nq];
    for (int q = 0; q < nq; q++) {
      queries[q] = noisy(centres[rnd.nextInt(centres.length)], rnd);
    }
    Path codesFile = write(out.resolve("codes.u64"), codes);
    Path queriesFile = write(out.resolve("queries.u64"), queries);

    double[] flat = timePipit(codes, queries, SearchStrategy.LINEAR);
    double[] mih = timePipit(codes, queries, SearchStrategy.MIH);
    Map<String, String> faiss =
        run(
            List.of(
                "/usr/bin/python3",
                "src/bench/python/faiss_bench.py",
                codesFile.toString(),
                queriesFile.toString(),
                Integer.toString(K)));
    Map<String, String> c =
        run(
            List.of(
                args.getOrDefault("c", "target/popcount_scan"),
                codesFile.toString(),
                queriesFile.toString(),
                Integer.toString(K)));
    System.out.printf(
        Locale.ROOT,
        "faiss-bench check pipit_dist_sum=%d pipit_mih_dist_sum=%d faiss_flat_dist_sum=%s"
            + " c_dist_sum=%s%n",
        (long) flat[1],
        (long) mih[1],
        faiss.get("faiss_flat_dist_sum"),
        c.get("c_dist_sum"));
    double pipitG = (double) n * nq / flat[0] / 1e9;
    double faissG = Double.parseDouble(faiss.get("faiss_flat_gcodes_s"));
    double cG = Double.parseDouble(c.get("c_gcodes_s"));
    System.out.printf(
        Locale.ROOT,
        "faiss-bench index=flat n=%d bits=%d k=%d pipit_gcodes_s=%.3f faiss_gcodes_s=%.3f"
            + " c_gcodes_s=%.3f ratio=%.2f ratio_c=%.2f%n",
        n,
        BITS,
        K,
        pipitG,
        faissG,
        cG,
        pipitG / faissG,
        pipitG / cG);
    double pipitUs = mih[0] / nq * 1e6;
    for (String nflip : List.of("1", "2")) {
      double faissUs = Double.parseDouble(faiss.get("faiss_mih_nflip" + nflip + "_us_per_query"));
      System.out.printf(
          Locale.ROOT,
          "faiss-bench index=mih n=%d bits=%d k=%d pipit_us=%.1f pipit_recall=1.000 faiss_nflip=%s"
              + " faiss_us=%.1f faiss_recall=%s ratio=%.2f%n",
          n,
          BITS,
          K,
          pipitUs,
          nflip,
          faissUs,
          faiss.get("faiss_mih_nflip" + nflip + "_recall"),
          faissUs / pipitUs);
    }
  }

  private static long noisy(long centre, SplittableRandom rnd) {
    long code = centre;
    for (int b = 0; b < BITS; b++) {
      if (rnd.nextDouble() < 0.05) {
        code ^= 1L << b;
      }
    }
    return code;
  }

  private static Path write(Path file, long[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(values);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
    return file;
  }

  /**
   * Seconds for one pass of single-query searches on one thread (after a warm-up pass) and the sum
   * of the k best distances.
   */
  private static double[] timePipit(long[] codes, long[] queries, SearchStrategy strategy)
      throws Exception {
    try (HammingIndex index =
        HammingIndex.inMemory(
            IndexOptions.of(BITS, "faiss-bench")
                .withStrategy(strategy)
                .withThreads(1)
                .withMaxCoalesced(1))) {
      List<Entry> chunk = new ArrayList<>(100_000);
      for (int i = 0; i < codes.length; i++) {
        chunk.add(new Entry("c" + i, Code.of(BITS, codes[i]), null));
        if (chunk.size() == 100_000 || i == codes.length - 1) {
          index.upsertAll(chunk);
          chunk.clear();
        }
      }
      long sum = 0;
      for (int pass = 0; pass < 2; pass++) {
        if (strategy == SearchStrategy.MIH) {
          awaitMih(index);
        }
        long start = System.nanoTime();
        sum = 0;
        for (long q : queries) {
          for (SearchHit hit : index.search(Code.of(BITS, q), K)) {
            sum += hit.distance();
          }
        }
        if (pass == 1) {
          return new double[] {(System.nanoTime() - start) / 1e9, sum};
        }
      }
      throw new AssertionError();
    }
  }

  /** Multi-index hashing tables are built in the background: wait until a search uses them. */
  private static void awaitMih(HammingIndex index) throws InterruptedException {
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (index.stats().memory().mihBytes() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("multi-index tables not built within 10 minutes");
      }
      index.search(Code.of(BITS, 0L), K);
      Thread.sleep(100);
    }
  }

  /** Runs a helper and reads its {@code key=value} words (prefixed by a line's first word). */
  private static Map<String, String> run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(command + " failed:\n" + output);
    }
    Map<String, String> values = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] words = line.trim().split(" ");
      String prefix = "";
      if (words.length > 1 && words[1].startsWith("nflip=")) {
        prefix = words[0] + "_nflip" + words[1].substring("nflip=".length()) + "_";
      }
      for (String w : words) {
        int eq = w.indexOf('=');
        if (eq > 0) {
          values.put(prefix + w.substring(0, eq), w.substring(eq + 1));
        }
      }
    }
    return values;
  }
}
