package dev.pipit.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.pipit.cli.CpuMonitor;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.BlockBackend;
import dev.pipit.encode.Encoded;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.EngineDefaults;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.Safetensors;
import dev.pipit.model.TorchScriptModule;
import dev.pipit.model.compile.CompiledNetwork;
import dev.pipit.model.compile.ServingCompiler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code make bench-encode}: images/s of AGMH at 224² through pipit's serving path, the same
 * network as TorchScript through DJL, and PyTorch eager in Python, interleaved in one run.
 *
 * <p>Paths:
 *
 * <ul>
 *   <li>{@code pipit}: the service's path: the network compiled by {@link ServingCompiler} (BN
 *       folded, TorchScript on oneDNN with prepacked kernels) in a {@link BlockBackend} behind a
 *       {@link BatchingEncoder} (one worker thread); B images are submitted at once and the time
 *       runs until the last code is back.
 *   <li>{@code torchscript}: {@code torch.jit.trace} of the reference AGMH (same weights) loaded
 *       with {@link TorchScriptModule}, in a {@link BlockBackend} called directly.
 *   <li>{@code pytorch}: the reference AGMH in {@code src/test/python/bench_encode.py}, eager,
 *       under {@code torch.inference_mode()}.
 * </ul>
 *
 * With {@code --explain}, also: {@code pipit-forward} (the compiled backend called directly, no
 * batching encoder), {@code pipit-eager} (the BN-folded DJL blocks, as served with {@code
 * pipit.serving.compile=off}, called directly), {@code pipit-unfolded} (BN not folded) and {@code
 * pipit-grad} (unfolded, autograd recording on: what a worker thread ran before {@link
 * dev.pipit.model.InferenceScope}).
 *
 * <p>Every case is warmed up, then each repeat runs every (batch, path) pair once, in turn, each
 * over at least {@code --images} images; the printed rate is the median over repeats. All paths use
 * the same inputs and intra-op thread count ({@code --threads}, default: cores). The machine may be
 * shared: before each sample the benchmark waits (up to {@code --max-wait} s) until other processes
 * use less than {@code --quiet-cores} cores, measures what they used during the sample ({@link
 * CpuMonitor}), and takes the median over the quiet samples only (over all, with a warning, when
 * most were contended).
 */
public final class EncodeBenchmark {

  private static final int SIDE = 224;
  private static final long SEED = 68;
  private static final long PAUSE_MILLIS =
      300; // lets OpenMP workers of the last case stop spinning

  /** One way of encoding: runs {@code n} batches of {@code batch} images, returns seconds. */
  private interface Case {
    double run(int batch, int n) throws Exception;
  }

  private EncodeBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args {@code [--batches 1,8,32] [--repeats 5] [--images 32] [--warmup 3] [--bits 48]
   *     [--threads N] [--work target/bench-encode] [--explain] [--quiet-cores 0.15] [--max-wait
   *     120]}
   */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    EngineDefaults.applyOfflineDefaults();
    EngineDefaults.applyThreads(1, o.threads);
    System.out.println(Machine.describe());
    try (NDManager manager = NDManager.newBaseManager()) {
      int maxBatch = Arrays.stream(o.batches).max().orElseThrow();
      HashingNetwork net = BenchNetwork.agmh(manager, o.bits, SIDE, SEED);
      float[][] images = BenchNetwork.inputs(Math.max(8, maxBatch), SIDE, SEED);
      BenchNetwork.export(o.work, net, images, SIDE);
      System.out.printf(
          Locale.ROOT,
          "settings djl intra-op=%d inter-op=%d grad(main)=%b; network agmh bits=%d %dx%d%n",
          JniUtils.getNumThreads(),
          JniUtils.getNumInteropThreads(),
          JniUtils.isGradMode(),
          o.bits,
          SIDE,
          SIDE);
      try (PythonEager python = new PythonEager(o.work, o.threads);
          TorchScriptModule script =
              TorchScriptModule.load(o.work.resolve("agmh.pt"), Device.cpu())) {
        System.out.println("settings python " + python.banner());
        int folded = BatchNormFolding.fold(net);
        CompiledNetwork compiled = ServingCompiler.compile(net, Device.cpu(), SIDE);
        BlockBackend eager = backend(net, o.bits);
        BlockBackend pipit = backend(compiled.block(), o.bits);
        BlockBackend torchscript = backend(script.block(), o.bits);
        checkSameFunction(o.work, pipit, torchscript, images);
        System.out.printf(
            "settings pipit: %d BN units folded into their convolutions; %s%n",
            folded, compiled.description());

        Map<Integer, float[]> flat = new LinkedHashMap<>();
        for (int b : o.batches) {
          flat.put(b, concat(images, b));
        }
        Map<Integer, BatchingEncoder> encoders = new LinkedHashMap<>();
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("pipit", (b, n) -> viaEncoder(encoders, compiled.block(), o.bits, images, b, n));
        cases.put("torchscript", (b, n) -> direct(torchscript, flat.get(b), b, n));
        cases.put("pytorch", python::run);
        if (o.explain) {
          cases.put("pipit-forward", (b, n) -> direct(pipit, flat.get(b), b, n));
          cases.put("pipit-eager", (b, n) -> direct(eager, flat.get(b), b, n));
          cases.put("pipit-unfolded", (b, n) -> unfolded(net, eager, flat.get(b), b, n));
          cases.put("pipit-grad", (b, n) -> withGrad(net, manager, flat.get(b), b, n));
        }
        try {
          measure(o, cases, new CpuMonitor(List.of(python.pid())));
        } finally {
          encoders.values().forEach(BatchingEncoder::close);
          compiled.close();
        }
        System.out.printf(
            "rss bench JVM peak %s (pipit, torchscript and the network import in one process);"
                + " python peak %s%n",
            Machine.mib(Machine.statusKib("VmHWM")), Machine.mib(python.peakRssKib()));
      }
    }
    System.out.println(Machine.describe().replace("machine ", "machine-after "));
  }

  private static void measure(Options o, Map<String, Case> cases, CpuMonitor cpu) throws Exception {
    for (int b : o.batches) {
      for (Map.Entry<String, Case> c : cases.entrySet()) {
        c.getValue().run(b, o.warmup);
      }
    }
    Map<String, List<double[]>> samples = new LinkedHashMap<>(); // {img/s, cores others used}
    double waited = 0;
    for (int r = 0; r < o.repeats; r++) {
      for (int b : o.batches) {
        int n = Math.max(1, (o.images + b - 1) / b);
        for (Map.Entry<String, Case> c : cases.entrySet()) {
          Thread.sleep(PAUSE_MILLIS);
          waited += Math.max(0, cpu.awaitQuiet(o.quietCores, o.maxWait));
          CpuMonitor.Sample before = cpu.sample();
          double seconds = c.getValue().run(b, n);
          double foreign = CpuMonitor.foreignCores(before, cpu.sample());
          samples
              .computeIfAbsent(c.getKey() + " " + b, k -> new ArrayList<>())
              .add(new double[] {b * n / seconds, foreign});
        }
      }
      System.out.printf(
          Locale.ROOT,
          "repeat %d/%d done, load %s, waited %.0f s for quiet so far%n",
          r + 1,
          o.repeats,
          Machine.load(),
          waited);
    }
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    samples.forEach(
        (key, list) -> {
          List<Double> clean =
              list.stream().filter(s -> s[1] < o.quietCores).map(s -> s[0]).toList();
          double maxForeign = list.stream().mapToDouble(s -> s[1]).max().orElse(0);
          if (clean.size() * 2 > list.size()) {
            rates.put(key, clean);
          } else {
            rates.put(key, list.stream().map(s -> s[0]).toList());
            notes.add(key);
          }
          System.out.printf(
              Locale.ROOT,
              "samples %s: %d of %d quiet (others used < %.2f cores), max others %.2f cores%n",
              key,
              clean.size(),
              list.size(),
              o.quietCores,
              maxForeign);
        });
    if (!notes.isEmpty()) {
      System.out.println("CONTENDED: medians over all samples, most were not quiet: " + notes);
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    for (int b : o.batches) {
      for (String path : cases.keySet()) {
        List<Double> v = rates.get(path + " " + b);
        double median = median(v);
        medians.put(path + " " + b, median);
        System.out.printf(
            Locale.ROOT,
            "encode-bench path=%s batch=%d %.1f img/s   (median of %d %s samples; min %.1f max"
                + " %.1f)%n",
            path,
            b,
            median,
            v.size(),
            notes.contains(path + " " + b) ? "contended" : "quiet",
            v.stream().mapToDouble(d -> d).min().orElse(0),
            v.stream().mapToDouble(d -> d).max().orElse(0));
      }
    }
    for (int b : o.batches) {
      System.out.printf(
          Locale.ROOT,
          "encode-bench ratio batch=%d pipit/pytorch=%.2f torchscript/pytorch=%.2f"
              + " pipit/torchscript=%.2f%n",
          b,
          medians.get("pipit " + b) / medians.get("pytorch " + b),
          medians.get("torchscript " + b) / medians.get("pytorch " + b),
          medians.get("pipit " + b) / medians.get("torchscript " + b));
    }
  }

  static BlockBackend backend(Block block, int bits) {
    return new BlockBackend(block, Device.cpu(), bits, 3, SIDE, SIDE);
  }

  /** The service's path: B requests into a batching encoder whose batches hold up to B images. */
  private static double viaEncoder(
      Map<Integer, BatchingEncoder> encoders, Block block, int bits, float[][] images, int b, int n)
      throws Exception {
    BatchingEncoder encoder =
        encoders.computeIfAbsent(
            b,
            k ->
                new BatchingEncoder(
                    List.of(backend(block, bits)),
                    new EncoderOptions(k, Duration.ofMillis(20), 4 * k)));
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      List<CompletableFuture<Encoded>> pending = new ArrayList<>(b);
      for (int j = 0; j < b; j++) {
        pending.add(encoder.submit(images[j]));
      }
      for (CompletableFuture<Encoded> f : pending) {
        f.join();
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static double direct(BlockBackend backend, float[] input, int b, int n) {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      backend.forward(input, b);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static double unfolded(
      HashingNetwork net, BlockBackend backend, float[] input, int b, int n) {
    BatchNormFolding.unfold(net);
    try {
      return direct(backend, input, b, n);
    } finally {
      BatchNormFolding.fold(net);
    }
  }

  /** The serving forward as it ran on worker threads before: BN unfolded, autograd recording on. */
  private static double withGrad(
      HashingNetwork net, NDManager manager, float[] input, int b, int n) {
    BatchNormFolding.unfold(net);
    JniUtils.setGradMode(true);
    try {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray x = scope.create(input, new Shape(b, 3, SIDE, SIDE));
          net.forward(new ParameterStore(scope, false), new NDList(x), false).head().toFloatArray();
        }
      }
      return (System.nanoTime() - start) / 1e9;
    } finally {
      JniUtils.setGradMode(false);
      BatchNormFolding.fold(net);
    }
  }

  /** All three paths must compute the same function: compares them on the first 8 images. */
  private static void checkSameFunction(
      Path work, BlockBackend pipit, BlockBackend torchscript, float[][] images) throws Exception {
    Map<String, Safetensors.Tensor> ref = Safetensors.read(work.resolve("reference.safetensors"));
    float[] eager = ref.get("eager").data();
    float[] traced = ref.get("traced").data();
    float[] java = flatten(pipit.forward(concat(images, 8), 8));
    float[] script = flatten(torchscript.forward(concat(images, 8), 8));
    System.out.printf(
        Locale.ROOT,
        "check same function on 8 images: max|u| diff pipit-pytorch %.2g, torchscript-pytorch %.2g,"
            + " traced-in-python-pytorch %.2g%n",
        maxAbsDiff(java, eager),
        maxAbsDiff(script, eager),
        maxAbsDiff(traced, eager));
    if (maxAbsDiff(java, eager) > 1e-3 || maxAbsDiff(script, eager) > 1e-3) {
      throw new IllegalStateException("the paths do not compute the same network");
    }
  }

  private static float[] concat(float[][] images, int n) {
    int length = images[0].length;
    float[] out = new float[n * length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(images[i], 0, out, i * length, length);
    }
    return out;
  }

  private static float[] flatten(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
    }
    return out;
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return a.length == b.length ? max : Float.POSITIVE_INFINITY;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Command-line options. */
  private record Options(
      int[] batches,
      int repeats,
      int images,
      int warmup,
      int bits,
      int threads,
      Path work,
      boolean explain,
      double quietCores,
      double maxWait) {

    static Options parse(String[] args) {
      Map<String, String> m = new LinkedHashMap<>();
      boolean explain = false;
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--explain")) {
          explain = true;
        } else if (args[i].startsWith("--") && i + 1 < args.length) {
          m.put(args[i].substring(2), args[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      int[] batches =
          Arrays.stream(m.getOrDefault("batches", "1,8,32").split(","))
              .mapToInt(Integer::parseInt)
              .toArray();
      return new Options(
          batches,
          Integer.parseInt(m.getOrDefault("repeats", "5")),
          Integer.parseInt(m.getOrDefault("images", "32")),
          Integer.parseInt(m.getOrDefault("warmup", "3")),
          Integer.parseInt(m.getOrDefault("bits", "48")),
          Integer.parseInt(
              m.getOrDefault("threads", "" + Runtime.getRuntime().availableProcessors())),
          Path.of(m.getOrDefault("work", "target/bench-encode")),
          explain,
          Double.parseDouble(m.getOrDefault("quiet-cores", "0.15")),
          Double.parseDouble(m.getOrDefault("max-wait", "120")));
    }
  }
}
