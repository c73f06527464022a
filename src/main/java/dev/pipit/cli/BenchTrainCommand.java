package dev.pipit.cli;

import dev.pipit.cli.bench.TrainThroughput;
import dev.pipit.model.Architecture;
import dev.pipit.model.EngineDefaults;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.TrainingSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code pipit bench-train}: training-step throughput per method in pipit (DJL on PyTorch) and in
 * PyTorch eager from Python on the same trained modules, batch, map size and thread count, method
 * by method in one run (pipit, then Python, so both see the same machine load); prints a Markdown
 * table for docs/benchmarks.md. Both sides report how many weights they train, and the run fails if
 * the counts differ (a sign the two sides do different work). The machine is shared and a step is
 * hundreds of small multi-threaded ops, each waiting for its slowest thread, so a competing process
 * slows it out of all proportion: the table gives, per side, the cores other processes kept busy
 * while it was timed.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description =
        "Time training steps (CPU protocol: conv5_x + head on cached stage-3 maps) in pipit and in"
            + " PyTorch eager (Python), side by side.")
final class BenchTrainCommand implements Callable<Integer> {

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "agmh,fcaenet,adsh-r50",
      description = "methods")
  List<String> methods;

  @Option(names = "--bits", defaultValue = "48", description = "code length")
  int bits;

  @Mixin StepOptions step = new StepOptions();

  @Spec CommandSpec spec;

  @Option(
      names = "--database",
      defaultValue = "2000",
      description = "N, database codes in the loss")
  int database;

  @Option(names = "--warmup", defaultValue = "3", description = "untimed steps")
  int warmup;

  @Option(names = "--steps", defaultValue = "20", description = "timed steps")
  int steps;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "intra-op threads on both sides (inter-op: 1)")
  int threads;

  @Option(
      names = "--quiet-cores",
      defaultValue = "0.5",
      description = "before each side, wait until other processes use fewer cores than this")
  double quietCores;

  @Option(
      names = "--max-wait",
      defaultValue = "120",
      description = "seconds to wait for that, then time anyway")
  double maxWait;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "Python with torch ('none' to skip)")
  String python;

  @Option(
      names = "--script",
      defaultValue = "src/test/python/train_throughput.py",
      description = "the Python harness")
  Path script;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    EngineDefaults.applyThreads(1, threads);
    step.requireCachedBackbone(spec.commandLine());
    // The CPU protocol's step (64 px, conv5_x + head, batch 64) unless the options say otherwise.
    TrainingSettings protocol = step.applyTo(TrainingSettings.cpuProtocol(Architecture.AGMH, bits));
    BackboneMode mode = protocol.backbone();
    String loadBefore = loadAverage();
    Map<String, TrainThroughput.Result> java = new LinkedHashMap<>();
    Map<String, JsonNode> py = new LinkedHashMap<>();
    Map<String, double[]> foreign = new LinkedHashMap<>();
    CpuMonitor cpu = new CpuMonitor(List.of());
    String torchVersion = null;
    for (String method : methods) {
      awaitQuiet(cpu);
      CpuMonitor.Sample start = cpu.sample();
      TrainThroughput.Result r =
          TrainThroughput.measure(
              method,
              bits,
              protocol.batchSize(),
              protocol.inputSize(),
              mode,
              database,
              warmup,
              steps);
      CpuMonitor.Sample javaDone = cpu.sample();
      java.put(method, r);
      foreign.put(method, new double[] {CpuMonitor.foreignCores(start, javaDone), Double.NaN});
      System.err.printf(
          Locale.ROOT,
          "pipit %s: %.1f ms/step, %d trained weights, others used %.1f cores%n",
          method,
          r.msPerStep(),
          r.trainedParameters(),
          foreign.get(method)[0]);
      if (!python.equals("none")) {
        awaitQuiet(cpu);
        CpuMonitor.Sample pythonStart = cpu.sample();
        JsonNode out = runPython(method, protocol);
        foreign.get(method)[1] = CpuMonitor.foreignCores(pythonStart, cpu.sample());
        torchVersion = out.get("torch").asText();
        JsonNode p = out.get("results").get(method);
        py.put(method, p);
        System.err.printf(
            Locale.ROOT,
            "pytorch %s: %.1f ms/step, %d trained weights, others used %.1f cores%n",
            method,
            p.get("ms_per_step").asDouble(),
            p.get("trained_parameters").asLong(),
            foreign.get(method)[1]);
        if (p.get("trained_parameters").asLong() != r.trainedParameters()) {
          throw new IllegalStateException(
              method
                  + ": pipit trains "
                  + r.trainedParameters()
                  + " weights, the Python"
                  + " harness "
                  + p.get("trained_parameters").asLong()
                  + ": they do not run the same step");
        }
      }
    }
    String loadAfter = loadAverage();
    System.out.println(table(protocol, java, py, foreign, torchVersion, loadBefore, loadAfter));
    return 0;
  }

  private void awaitQuiet(CpuMonitor cpu) throws InterruptedException {
    double waited = cpu.awaitQuiet(quietCores, maxWait);
    if (waited < 0) {
      System.err.printf(
          Locale.ROOT,
          "others kept more than %.1f cores busy for %.0f s: timing anyway%n",
          quietCores,
          maxWait);
    }
  }

  private JsonNode runPython(String method, TrainingSettings protocol)
      throws IOException, InterruptedException {
    BackboneMode mode = protocol.backbone();
    List<String> command =
        new ArrayList<>(
            List.of(
                python,
                script.toString(),
                "--methods",
                method,
                "--bits",
                "" + bits,
                "--batch",
                "" + protocol.batchSize(),
                "--backbone",
                mode == BackboneMode.FROZEN ? "frozen" : "last-stage",
                "--side",
                "" + mode.featureCut().side(protocol.inputSize()),
                "--database",
                "" + database,
                "--warmup",
                "" + warmup,
                "--steps",
                "" + steps,
                "--threads",
                "" + threads));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("the Python harness failed: " + String.join(" ", command));
    }
    return JsonMapper.builder().build().readTree(out);
  }

  private String table(
      TrainingSettings protocol,
      Map<String, TrainThroughput.Result> java,
      Map<String, JsonNode> py,
      Map<String, double[]> foreign,
      String torchVersion,
      String before,
      String after) {
    BackboneMode mode = protocol.backbone();
    int inputSize = protocol.inputSize();
    int side = mode.featureCut().side(inputSize);
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "%s: batch %d, %d bits, cached %d×%d×%d maps (input %d), N = %d database codes, %d"
                + " timed steps after %d warm-up, %d intra-op threads; load average before %s,"
                + " after %s.%n%n",
            mode == BackboneMode.FROZEN
                ? "FROZEN (head trained)"
                : "LAST_STAGE (conv5_x + head trained)",
            protocol.batchSize(),
            bits,
            mode.featureCut().channels(),
            side,
            side,
            inputSize,
            database,
            steps,
            warmup,
            threads,
            before,
            after));
    md.append(
            "| method | trained weights | pipit (DJL 0.25, libtorch 2.0.1) ms/step | images/s |"
                + " PyTorch eager")
        .append(torchVersion == null ? "" : " " + torchVersion)
        .append(" ms/step | images/s | pipit / eager | others' cores during pipit / eager |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (TrainThroughput.Result r : java.values()) {
      JsonNode p = py.get(r.method());
      double[] others = foreign.get(r.method());
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.1f | %.1f | %s | %s | %s | %s |%n",
              r.method(),
              r.trainedParameters(),
              r.msPerStep(),
              r.imagesPerSecond(),
              p == null ? "–" : String.format(Locale.ROOT, "%.1f", p.get("ms_per_step").asDouble()),
              p == null
                  ? "–"
                  : String.format(Locale.ROOT, "%.1f", p.get("images_per_s").asDouble()),
              p == null
                  ? "–"
                  : String.format(
                      Locale.ROOT, "%.2f×", r.imagesPerSecond() / p.get("images_per_s").asDouble()),
              p == null
                  ? String.format(Locale.ROOT, "%.1f / –", others[0])
                  : String.format(Locale.ROOT, "%.1f / %.1f", others[0], others[1])));
    }
    return md.toString();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+", 4)[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
