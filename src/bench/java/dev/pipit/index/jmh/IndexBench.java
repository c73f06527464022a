package dev.pipit.index.jmh;

import dev.pipit.index.BatchKernelChoice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the index benchmarks ({@code make bench-index}) and prints one line per case, the median of
 * the measurement iterations:
 *
 * <pre>
 * index-bench bits=64 n=10000000 k=10 queries=single threads=1 1.32 Gcodes/s
 * index-bench bits=64 n=10000000 k=10 queries=batch32 threads=1 4.10 Gcodes/s   (query × code pairs)
 * index-bench mih bits=64 n=10000000 k=10 data=clustered linear=7890.1us mih=61.2us speedup=128.9x
 * </pre>
 *
 * plus two side-by-side comparisons, each measured in one run: the batched 64-bit scan with the
 * bit-sliced and the popcount kernel ({@code batch-kernel=…} lines and their ratio), and the
 * single-query 10 M × 64-bit scan on one thread and on every core ({@code threads=1}, {@code
 * threads=2}, speed-up).
 *
 * <p>Arguments: {@code forks=N} runs every case in N JVMs (default 1) and adds each fork's median
 * to its line; {@code quick} runs a small smoke matrix (1 M codes, short iterations); otherwise the
 * full matrix of issue 3 (1 M and 10 M codes × 64/128/256 bits × k 10/100 × single/batched, plus
 * multi-index hashing on 10 M clustered codes), then single searches from 1, 16 and 64 concurrent
 * clients with and without shared passes ({@code concurrent}). Any of {@code matrix kernels rounds
 * threads mih concurrent} runs only those parts.
 */
public final class IndexBench {

  private IndexBench() {}

  /**
   * JVM forks per case ({@code forks=N}); more than one adds each fork's median to the case's line.
   */
  private static int forks = 1;

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("quick");
    for (String arg : args) {
      if (arg.startsWith("forks=")) {
        forks = Integer.parseInt(arg.substring("forks=".length()));
      }
    }
    List<String> parts =
        List.of(args).stream().filter(a -> !a.equals("quick") && !a.startsWith("forks=")).toList();
    List<String> lines = new ArrayList<>();
    if (parts.isEmpty() || parts.contains("matrix")) {
      lines.addAll(scans(options(quick).include(ScanBenchmark.class.getName()), quick));
    }
    String large = quick ? "1000000" : "10000000";
    if (parts.isEmpty() || parts.contains("kernels")) {
      lines.addAll(batchKernels(quick, large));
    }
    if (parts.contains("rounds") && !parts.contains("kernels")) {
      lines.addAll(kernelRounds(large)); // the alternating rounds of kernels alone (minutes)
    }
    if (parts.isEmpty() || parts.contains("threads")) {
      lines.addAll(threads(quick, large));
    }
    if (parts.isEmpty() || parts.contains("mih")) {
      lines.addAll(mih(quick));
    }
    if (parts.isEmpty() || parts.contains("concurrent")) {
      lines.addAll(concurrent(quick, large));
    }
    System.out.println();
    lines.forEach(System.out::println);
  }

  /**
   * Batched 64-bit scans of 32 and 64 queries, bit-sliced against the popcount bodies, side by
   * side.
   */
  private static List<String> batchKernels(boolean quick, String large) throws Exception {
    ChainedOptionsBuilder kernels =
        options(quick)
            .include(ScanBenchmark.class.getName() + ".batch$")
            .param("bits", "64")
            .param("batchKernel", "popcount", "bitsliced")
            .param("queries", "32", "64");
    if (quick) {
      kernels.param("n", large);
    }
    List<String> lines =
        sideBySide(scans(kernels, false, true), "batch-kernel=", "bitsliced", "popcount");
    lines.addAll(kernelRounds(quick ? "1000000" : "10000000"));
    return lines;
  }

  /**
   * Single-query scans against both batch bodies in alternating rounds of one JVM ({@link
   * dev.pipit.index.KernelRounds}), in at least three JVMs: JMH times one case after another, and
   * on a shared VM the host's speed moves between them; rounds side by side see the same minutes.
   * Ends with whether the chosen batch body was at least 2x the single-query scan (the medians of
   * every JVM).
   */
  private static List<String> kernelRounds(String n) throws Exception {
    List<String> lines = new ArrayList<>();
    Pattern ratio = Pattern.compile(" (popcount|bitsliced)_over_single=([0-9.]+)");
    Map<String, Double> worst = new LinkedHashMap<>();
    int jvms = Math.max(3, forks);
    for (int fork = 0; fork < jvms; fork++) {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "--add-modules",
                  "jdk.incubator.vector",
                  "-Xms1g",
                  "-Xmx1g",
                  "-XX:+UseParallelGC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.pipit.index.KernelRounds",
                  n,
                  "10",
                  "32",
                  "15")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !out.startsWith("kernel-rounds")) {
        throw new IllegalStateException("KernelRounds failed: " + out);
      }
      lines.add("index-bench " + out + " fork=" + (fork + 1));
      Matcher m = ratio.matcher(out);
      while (m.find()) {
        worst.merge(m.group(1), Double.parseDouble(m.group(2)), Math::min);
      }
    }
    String chosen = BatchKernelChoice.current().kernel();
    double least = worst.getOrDefault(chosen, 0.0);
    lines.add(
        String.format(
            Locale.ROOT,
            "index-bench batched-vs-single bits=64 n=%s k=10 queries=batch32 threads=1"
                + " batch-kernel=%s forks=%d worst_fork_median_ratio=%.2f holds_2x=%s",
            n,
            chosen,
            jvms,
            least,
            least >= 2.0));
    return lines;
  }

  /**
   * The single-query scan of a large gallery on one thread and split over every core, side by side.
   */
  private static List<String> threads(boolean quick, String large) throws Exception {
    String cores = Integer.toString(Runtime.getRuntime().availableProcessors());
    return sideBySide(
        scans(
            options(quick)
                .include(ScanBenchmark.class.getName() + ".single$")
                .param("bits", "64")
                .param("n", large)
                .param("k", "10")
                .param("threads", "1", cores),
            false),
        "threads=",
        cores,
        "1");
  }

  /**
   * Single searches from 1, 16 and 64 concurrent clients, each search alone against concurrent
   * searches sharing passes, side by side: total searches per second.
   */
  private static List<String> concurrent(boolean quick, String large) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int clients : new int[] {1, 16, 64}) {
      for (RunResult r :
          run(
              options(quick)
                  .include(ConcurrentSearchBenchmark.class.getName())
                  .param("n", large)
                  .threads(clients))) {
        var p = r.getParams();
        lines.add(
            String.format(
                Locale.ROOT,
                "index-bench concurrent bits=%s n=%s k=%s clients=%d coalesce=%s %.0f"
                    + " searches/s%s",
                p.getParam("bits"),
                p.getParam("n"),
                p.getParam("k"),
                clients,
                p.getParam("maxCoalesced"),
                median(r),
                perForkScores(r)));
      }
    }
    return sideBySide(lines, "coalesce=", "64", "1", " searches/s");
  }

  private static ChainedOptionsBuilder options(boolean quick) {
    ChainedOptionsBuilder options = new OptionsBuilder().shouldFailOnError(true).forks(forks);
    if (quick) {
      options
          .warmupIterations(2)
          .warmupTime(TimeValue.milliseconds(500))
          .measurementIterations(3)
          .measurementTime(TimeValue.milliseconds(500));
    }
    return options;
  }

  private static List<String> scans(ChainedOptionsBuilder options, boolean quick) throws Exception {
    return scans(options, quick, false);
  }

  private static List<String> scans(
      ChainedOptionsBuilder options, boolean quick, boolean labelKernel) throws Exception {
    if (quick) {
      options.param("n", "1000000").param("bits", "64", "256");
    }
    List<String> lines = new ArrayList<>();
    for (RunResult r : run(options)) {
      var p = r.getParams();
      int n = Integer.parseInt(p.getParam("n"));
      boolean batch = p.getBenchmark().endsWith(".batch");
      double micros = median(r);
      int queries = batch ? Integer.parseInt(p.getParam("queries")) : 1;
      double pairs = (double) n * queries;
      String kernel = labelKernel ? " batch-kernel=" + p.getParam("batchKernel") : "";
      lines.add(
          String.format(
              Locale.ROOT,
              "index-bench bits=%s n=%d k=%s queries=%s threads=%s%s %.2f Gcodes/s%s",
              p.getParam("bits"),
              n,
              p.getParam("k"),
              batch ? "batch" + queries : "single",
              p.getParam("threads"),
              kernel,
              pairs / micros / 1e3,
              perFork(r, pairs)));
    }
    return lines;
  }

  /**
   * The case lines, then for each pair of cases that differ only in {@code key<value>} a line with
   * the ratio of their throughputs, {@code numerator} over {@code denominator}.
   */
  private static List<String> sideBySide(
      List<String> cases, String key, String numerator, String denominator) {
    return sideBySide(cases, key, numerator, denominator, " Gcodes/s");
  }

  /** The same for case lines whose figure is in {@code unit}. */
  private static List<String> sideBySide(
      List<String> cases, String key, String numerator, String denominator, String unit) {
    Map<String, Map<String, Double>> byRest = new LinkedHashMap<>();
    Pattern varied = Pattern.compile(" " + Pattern.quote(key) + "(\\S+)");
    for (String withForks : cases) {
      String line = withForks.replaceFirst("  \\(forks:.*\\)$", "");
      Matcher m = varied.matcher(line);
      if (!m.find()) {
        continue;
      }
      String[] words = line.split(" ");
      String rest =
          (line.substring(0, m.start()) + line.substring(m.end()))
              .replaceFirst(" [0-9.]+" + Pattern.quote(unit) + "$", "");
      byRest
          .computeIfAbsent(rest, r -> new LinkedHashMap<>())
          .put(m.group(1), Double.parseDouble(words[words.length - 2]));
    }
    List<String> lines = new ArrayList<>(cases);
    byRest.forEach(
        (rest, values) -> {
          if (values.containsKey(numerator) && values.containsKey(denominator)) {
            lines.add(
                String.format(
                    Locale.ROOT,
                    "%s %s%s/%s%s=%.2fx (same run)",
                    rest.replace("index-bench", "index-bench side-by-side"),
                    key,
                    numerator,
                    key,
                    denominator,
                    values.get(numerator) / values.get(denominator)));
          }
        });
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
    return List.of(
        String.format(
            Locale.ROOT,
            "index-bench mih bits=64 n=%s k=10 data=clustered linear=%.1fus mih=%.1fus"
                + " speedup=%.1fx",
            n,
            linear,
            mih,
            linear / mih));
  }

  private static Collection<RunResult> run(ChainedOptionsBuilder options) throws Exception {
    return new Runner(options.build()).run();
  }

  /**
   * With several forks: " (forks: 4.21 4.18 …)", each fork's median in G pairs/s, to show whether
   * JVMs differ.
   */
  private static String perFork(RunResult r, double pairs) {
    return perFork(r, micros -> pairs / micros / 1e3, "%.2f");
  }

  /** With several forks: " (forks: 812 790 …)", each fork's median score as it is. */
  private static String perForkScores(RunResult r) {
    return perFork(r, score -> score, "%.0f");
  }

  private static String perFork(RunResult r, DoubleUnaryOperator figure, String format) {
    if (r.getBenchmarkResults().size() < 2) {
      return "";
    }
    StringBuilder out = new StringBuilder("  (forks:");
    for (var fork : r.getBenchmarkResults()) {
      double[] scores =
          fork.getIterationResults().stream()
              .mapToDouble(i -> i.getPrimaryResult().getScore())
              .sorted()
              .toArray();
      out.append(' ')
          .append(
              String.format(Locale.ROOT, format, figure.applyAsDouble(scores[scores.length / 2])));
    }
    return out.append(')').toString();
  }

  private static double median(RunResult r) {
    return r.getPrimaryResult().getStatistics().getPercentile(50);
  }
}
