package dev.pipit.cli;

import dev.pipit.cli.bench.RetrievalBench;
import dev.pipit.model.Architecture;
import dev.pipit.model.EngineDefaults;
import dev.pipit.train.TrainingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code pipit bench-retrieval}: the results table in one process ({@link RetrievalBench}); the
 * defaults are the full table of docs/results.md ({@code make bench-retrieval}): 1,000 database and
 * 500 query images per class, and the CPU protocol for the deep methods (input 64, conv5_x + head
 * trained, T_out 10, T_in 1, m 1000, batch 64, seed 68). The shared options ({@link
 * DatasetOptions}, {@link StepOptions}, {@link ScheduleOptions}) override them.
 */
@Command(
    name = "bench-retrieval",
    mixinStandardHelpOptions = true,
    description =
        "Train and evaluate LSH, ITQ, ADSH-R50, FCAENet and AGMH at several code lengths on one"
            + " dataset (cached backbone features; conv5_x and the heads trained) and write"
            + " docs/results.md, results.json and plots.")
final class BenchRetrievalCommand implements Callable<Integer> {

  /** The results table's sizes, used where --train-per-class / --test-per-class are not given. */
  static final int TABLE_TRAIN_PER_CLASS = 1000;

  static final int TABLE_TEST_PER_CLASS = 500;

  @Mixin DatasetOptions data = new DatasetOptions();

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "lsh,itq,adsh-r50,fcaenet,agmh",
      description = "methods")
  List<String> methods;

  @Option(names = "--bits", split = ",", defaultValue = "12,24,32,48", description = "code lengths")
  List<Integer> bits;

  @Mixin StepOptions step = new StepOptions();

  @Mixin ScheduleOptions schedule = new ScheduleOptions();

  @Option(
      names = "--models-dir",
      defaultValue = "models/bench",
      description = "where the artifacts go")
  Path modelsDir;

  @Option(
      names = "--docs",
      defaultValue = "docs",
      description = "where results.md, results.json and plots/ go")
  Path docs;

  @Mixin BackboneFilesOptions backboneFiles = new BackboneFilesOptions();

  // Described as in `pipit train` (SharedOptionsTests). A head trained alone on frozen 224-px
  // features needs 0.001: at the protocol's 0.01 ADSH-R50's tanh saturates in the first iteration.
  @Option(names = "--lr", description = "learning rate (default: the protocol's)")
  Float learningRate;

  @Spec CommandSpec spec;

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
          "--lr",
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
    ParseResult parsed = spec.commandLine().getParseResult();
    return PROTOCOL_OPTIONS.stream().anyMatch(parsed::hasMatchedOption);
  }

  RetrievalBench.Config config() {
    if (spec != null) {
      step.requireCachedBackbone(spec.commandLine());
    }
    // The bench's protocol is the CPU protocol; the options given override its input and schedule.
    TrainingSettings protocol =
        schedule.applyTo(step.applyTo(TrainingSettings.cpuProtocol(Architecture.AGMH, 48)));
    return new RetrievalBench.Config(
        data.dataset,
        data.root(),
        methods,
        bits,
        data.trainPerClass(TABLE_TRAIN_PER_CLASS),
        data.testPerClass(TABLE_TEST_PER_CLASS),
        protocol.inputSize(),
        protocol.backbone(),
        protocol.outerIterations(),
        protocol.innerEpochs(),
        protocol.samples(),
        protocol.batchSize(),
        protocol.seed(),
        learningRate,
        backboneFiles.backboneWeights,
        modelsDir,
        backboneFiles.featureCache(),
        docs,
        ("pipit bench-retrieval " + String.join(" ", arguments())).strip(),
        GitRevision.current(),
        reduced());
  }
}
