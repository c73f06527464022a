package dev.pipit.index.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the index benchmarks ({@code make bench-index}) and prints one line per case, the median of the
 * measurement iterations:
 *
 * <pre>
 * index-bench bits=64 n=10000000 k=10 queries=single threads=1 1.32 Gcodes/s
 * index-bench bits=64 n=10000000 k=10 queries=batch32 threads=1 4.10 Gcodes/s   (query × code pairs)
 * index-bench mih bits=64 n=10000000 k=10 data=clustered linear=7890.1us mih=61.2us speedup=128.9x
 * </pre>
 *
 * Arguments: {@code quick} runs a small smoke matrix (1 M codes, short iterations); otherwise the full
 * matrix of issue 3 (1 M and 10 M codes × 64/128/256 bits × k 10/100 × single/batched, plus multi-index
 * hashing on 10 M clustered codes).
 */
public final class IndexBench {

  private IndexBench() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("quick");
    List<String> lines = new ArrayList<>();
    lines.addAll(scans(options(quick).include(ScanBenchmark.class.getName()), quick));
    // Multi-threaded scan of a large gallery (all cores of this machine).
    lines.addAll(scans(options(quick).include(ScanBenchmark.class.getName()).param("bits", "64")
        .param("n", quick ? "1000000" : "10000000").param("k", "10")
        .param("threads", Integer.toString(Runtime.getRuntime().availableProcessors())), false));
    lines.addAll(mih(quick));
    System.out.println();
    lines.forEach(System.out::println);
  }

  private static ChainedOptionsBuilder options(boolean quick) {
    ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(true);
    if (quick) {
      options.warmupIterations(2).warmupTime(TimeValue.milliseconds(500)).measurementIterations(3)
          .measurementTime(TimeValue.milliseconds(500));
    }
    return options;
  }

  private static List<String> scans(ChainedOptionsBuilder options, boolean quick) throws Exception {
    if (quick) {
      options.param("n", "1000000").param("bits", "64", "256");
    }
    List<String> lines = new ArrayList<>();
    for (RunResult r : run(options)) {
      var p = r.getParams();
      int n = Integer.parseInt(p.getParam("n"));
      boolean batch = p.getBenchmark().endsWith(".batch");
      double micros = median(r);
      double pairs = (double) n * (batch ? ScanBenchmark.BATCH : 1);
      lines.add(String.format(Locale.ROOT, "index-bench bits=%s n=%d k=%s queries=%s threads=%s %.2f Gcodes/s",
          p.getParam("bits"), n, p.getParam("k"), batch ? "batch" + ScanBenchmark.BATCH : "single",
          p.getParam("threads"), pairs / micros / 1e3));
    }
    return lines;
  }

  private static List<String> mih(boolean quick) throws Exception {
    ChainedOptionsBuilder options = options(quick).include(MihBenchmark.class.getName());
    if (quick) {
      options.param("n", "1000000");
    }
    double linear = 0;
    double mih = 0;
    String n = "";
    for (RunResult r : run(options)) {
      n = r.getParams().getParam("n");
      if (r.getParams().getParam("strategy").equals("MIH")) {
        mih = median(r);
      } else {
        linear = median(r);
      }
    }
    return List.of(String.format(Locale.ROOT,
        "index-bench mih bits=64 n=%s k=10 data=clustered linear=%.1fus mih=%.1fus speedup=%.1fx", n, linear,
        mih, linear / mih));
  }

  private static Collection<RunResult> run(ChainedOptionsBuilder options) throws Exception {
    return new Runner(options.build()).run();
  }

  private static double median(RunResult r) {
    return r.getPrimaryResult().getStatistics().getPercentile(50);
  }
}
