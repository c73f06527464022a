package dev.pipit.cli;

import dev.pipit.model.EngineDefaults;
import dev.pipit.train.TrainThroughput;
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
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code pipit bench-train}: training throughput per method in pipit (DJL on PyTorch) and, in the same
 * run, in PyTorch eager from Python on the same head, batch and feature size; prints a Markdown table for
 * docs/benchmarks.md.
 */
@Command(
    name = "bench-train",
    mixinStandardHelpOptions = true,
    description = "Time training steps (frozen-backbone protocol: head on cached features) in pipit and in"
        + " PyTorch eager (Python), side by side.")
final class BenchTrainCommand implements Callable<Integer> {

  @Option(names = "--methods", split = ",", defaultValue = "agmh,fcaenet,adsh-r50", description = "methods")
  List<String> methods;

  @Option(names = "--bits", defaultValue = "48", description = "code length")
  int bits;

  @Option(names = "--batch", defaultValue = "64", description = "mini-batch size")
  int batch;

  @Option(names = "--input-size", defaultValue = "64", description = "input side the cached maps stand for (64 → 2×2)")
  int inputSize;

  @Option(names = "--database", defaultValue = "2000", description = "N, database codes in the loss")
  int database;

  @Option(names = "--warmup", defaultValue = "3", description = "untimed steps")
  int warmup;

  @Option(names = "--steps", defaultValue = "20", description = "timed steps")
  int steps;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch ('none' to skip)")
  String python;

  @Option(names = "--script", defaultValue = "src/test/python/train_throughput.py", description = "the Python harness")
  Path script;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    String loadBefore = loadAverage();
    Map<String, TrainThroughput.Result> java = new LinkedHashMap<>();
    for (String method : methods) {
      java.put(method, TrainThroughput.measure(method, bits, batch, inputSize, database, warmup, steps));
      System.err.printf(Locale.ROOT, "pipit %s: %.1f ms/step%n", method, java.get(method).msPerStep());
    }
    JsonNode py = python.equals("none") ? null : runPython();
    String loadAfter = loadAverage();
    System.out.println(table(java, py, loadBefore, loadAfter));
    return 0;
  }

  private JsonNode runPython() throws IOException, InterruptedException {
    int side = (int) dev.pipit.model.ResNet50.outSize(inputSize);
    List<String> command = new ArrayList<>(List.of(python, script.toString(), "--methods", String.join(",", methods),
        "--bits", "" + bits, "--batch", "" + batch, "--side", "" + side, "--database", "" + database,
        "--warmup", "" + warmup, "--steps", "" + steps, "--threads",
        "" + Runtime.getRuntime().availableProcessors()));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("the Python harness failed: " + String.join(" ", command));
    }
    return JsonMapper.builder().build().readTree(out);
  }

  private String table(Map<String, TrainThroughput.Result> java, JsonNode py, String before, String after) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT,
        "Batch %d, %d bits, cached %d×%d maps (input %d), N = %d database codes, %d timed steps after %d warm-up;"
            + " load average before %s, after %s.%n%n",
        batch, bits, dev.pipit.model.ResNet50.outSize(inputSize), dev.pipit.model.ResNet50.outSize(inputSize),
        inputSize, database, steps, warmup, before, after));
    md.append("| method | pipit (DJL 0.25, PyTorch 2.0.1) ms/step | images/s | PyTorch eager")
        .append(py == null ? "" : " " + py.get("torch").asText()).append(" ms/step | images/s | pipit / eager |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (TrainThroughput.Result r : java.values()) {
      JsonNode p = py == null ? null : py.get("results").get(r.method());
      md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s | %s |%n", r.method(), r.msPerStep(),
          r.imagesPerSecond(),
          p == null ? "–" : String.format(Locale.ROOT, "%.1f", p.get("ms_per_step").asDouble()),
          p == null ? "–" : String.format(Locale.ROOT, "%.1f", p.get("images_per_s").asDouble()),
          p == null ? "–" : String.format(Locale.ROOT, "%.2f×", r.imagesPerSecond() / p.get("images_per_s").asDouble())));
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
