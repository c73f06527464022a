package dev.pipit.index;

import dev.pipit.bench.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Exact top-k at 100 M codes on the default model's own codes (issue 18, part 3): the linear scan
 * against multi-index hashing, and the automatic choice the service makes, over one generation.
 *
 * <p>The codes come from {@code pipit eval-demo --export-codes FILE}: the network-encoded demo
 * gallery ({@code gallery} lines) and held-out test images ({@code query} lines), all real images
 * through the served model. A gallery of {@code n} entries repeats the gallery codes (entry {@code
 * i} is gallery code {@code i mod g}), each bit flipped with probability {@code flip}: {@code
 * flip=0} is what this model's codes look like at scale (a few hundred distinct codes, huge
 * buckets), a small {@code flip} a richer gallery around the same codes. Queries are the held-out
 * codes, never in the gallery. Every query's MIH answer is checked against the scan's (same keys:
 * distance, then insertion order).
 *
 * <pre>
 * scale-search n=… bits=… flip=… distinct=… k=10 queries=… linear_ms_p50=… linear_gb_s=… mih_ms_p50=…
 *   mih_speedup=… auto_ms_p50=… auto_path=… mih_build_s=… mih_bytes_per_entry=… identical=true
 * </pre>
 *
 * Arguments: {@code codes=FILE n=100000000 flip=0,0.05 k=10 queries=200}.
 */
public final class ScaleSearchBench {

  private ScaleSearchBench() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> opts = new HashMap<>();
    opts.putAll(Map.of("n", "100000000", "flip", "0,0.05", "k", "10", "queries", "200"));
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    if (!opts.containsKey("codes")) {
      throw new IllegalArgumentException("codes=FILE (from pipit eval-demo --export-codes FILE)");
    }
    List<String> lines = Files.readAllLines(Path.of(opts.get("codes")));
    List<String> galleryHex = new ArrayList<>();
    List<String> queryHex = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      (parts[0].equals("gallery") ? galleryHex : queryHex).add(parts[1]);
    }
    int bits = 4 * galleryHex.getFirst().length();
    long[][] gallery = parse(bits, galleryHex);
    long[][] queries = parse(bits, queryHex.subList(0, Integer.parseInt(opts.get("queries"))));
    int n = Integer.parseInt(opts.get("n"));
    int k = Integer.parseInt(opts.get("k"));
    System.out.println(Machine.describe());
    System.out.printf(
        Locale.ROOT,
        "codes: %d gallery and %d query codes of %d bits from %s%n",
        gallery.length,
        queryHex.size(),
        bits,
        opts.get("codes"));
    for (String flip : opts.get("flip").split(",")) {
      run(bits, gallery, queries, n, k, Double.parseDouble(flip));
    }
  }

  private static void run(int bits, long[][] gallery, long[][] queries, int n, int k, double flip) {
    long start = System.nanoTime();
    Generation generation = new Generation(bits, n, 0);
    SplittableRandom rnd = new SplittableRandom(7);
    HashSet<Long> distinct = new HashSet<>();
    long[] code = new long[gallery[0].length];
    for (int i = 0; i < n; i++) {
      long[] base = gallery[i % gallery.length];
      for (int w = 0; w < code.length; w++) {
        code[w] = base[w] ^ noise(bits - 64 * w, flip, rnd);
      }
      if (distinct.size() < 1_000_000) {
        distinct.add(code[0] * 31 + (code.length > 1 ? code[1] : 0));
      }
      generation.append(Integer.toString(i, 36), code, null);
      if ((i + 1) % 10_000_000 == 0) {
        System.err.printf(
            Locale.ROOT, "  %d M codes in %.0f s%n", (i + 1) / 1_000_000, seconds(start));
      }
    }
    View view = generation.publish(n);
    double buildSeconds = seconds(start);
    MihMaintainer tables = new MihMaintainer(Runnable::run, () -> view);
    HammingKernel kernel = KernelProvider.kernel();
    Searcher linear = new Searcher(kernel, SearchStrategy.LINEAR, null, 1, tables);
    Searcher mih = new Searcher(kernel, SearchStrategy.MIH, null, 1, tables);
    Searcher auto = new Searcher(kernel, SearchStrategy.AUTO, null, 1, tables);
    long t = System.nanoTime();
    mih.knn(view, queries[0], k); // builds the tables
    double mihBuild = seconds(t);
    double[] linearMs = new double[queries.length];
    double[] mihMs = new double[queries.length];
    double[] autoMs = new double[queries.length];
    for (int rep = 0; rep < 2; rep++) { // the first round warms up; the second is reported
      for (int q = 0; q < queries.length; q++) {
        t = System.nanoTime();
        long[] expected = linear.knn(view, queries[q], k);
        linearMs[q] = millis(t);
        t = System.nanoTime();
        long[] got = mih.knn(view, queries[q], k);
        mihMs[q] = millis(t);
        t = System.nanoTime();
        long[] chosen = auto.knn(view, queries[q], k);
        autoMs[q] = millis(t);
        if (!Arrays.equals(expected, got) || !Arrays.equals(expected, chosen)) {
          throw new IllegalStateException(
              "multi-index hashing and the scan disagree on query " + q);
        }
      }
    }
    double linearP50 = median(linearMs);
    double mihP50 = median(mihMs);
    System.out.printf(
        Locale.ROOT,
        "scale-search n=%d bits=%d flip=%s distinct=%s k=%d queries=%d build_s=%.1f"
            + " linear_ms_p50=%.2f linear_gb_s=%.2f mih_ms_p50=%.3f mih_ms_p99=%.3f"
            + " mih_speedup=%.1f auto_ms_p50=%.3f auto_mih=%d auto_scans=%d mih_build_s=%.1f"
            + " mih_bytes_per_entry=%.1f identical=true%n",
        n,
        bits,
        flip,
        distinct.size() >= 1_000_000 ? ">=1000000" : Integer.toString(distinct.size()),
        k,
        queries.length,
        buildSeconds,
        linearP50,
        (double) view.codes.bytes() / 1e9 / (linearP50 / 1e3),
        mihP50,
        percentile(mihMs, 0.99),
        linearP50 / mihP50,
        median(autoMs),
        auto.mihSearches.sum(),
        auto.linearSearches.sum(),
        mihBuild,
        (double) tables.bytes() / n);
  }

  /** A word of noise: each of the word's {@code bits} bits set with probability {@code p}. */
  private static long noise(int bits, double p, SplittableRandom rnd) {
    long word = 0;
    if (p > 0) {
      for (int b = 0; b < Math.min(64, bits); b++) {
        if (rnd.nextDouble() < p) {
          word |= 1L << b;
        }
      }
    }
    return word;
  }

  private static long[][] parse(int bits, List<String> hex) {
    long[][] codes = new long[hex.size()][];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = Code.fromHex(bits, hex.get(i)).words();
    }
    return codes;
  }

  private static double median(double[] values) {
    return percentile(values, 0.5);
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  private static double millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
