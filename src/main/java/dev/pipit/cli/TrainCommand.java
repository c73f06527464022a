package dev.pipit.cli;

import dev.pipit.model.Architecture;
import dev.pipit.model.EngineDefaults;
import dev.pipit.model.ResNet50;
import dev.pipit.train.DataPipeline;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingRun;
import dev.pipit.train.TrainingSettings;
import dev.pipit.train.eval.EvalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

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

  @Mixin DatasetOptions data = new DatasetOptions();

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

  @Mixin StepOptions step = new StepOptions();

  @Mixin ScheduleOptions schedule = new ScheduleOptions();

  @Mixin AblationOptions ablation = new AblationOptions();

  @Option(names = "--lr", description = "learning rate (default: the protocol's)")
  Float learningRate;

  @Option(
      names = "--eval-every",
      defaultValue = "1",
      description = "evaluate mAP every N outer iterations")
  int evaluateEvery;

  @Option(
      names = "--eval-drop-last",
      description =
          "evaluate as the official AGMH code does, dropping every query's last-ranked database"
              + " item ([:-1]); only to compare with its logs")
  boolean evalDropLast;

  @Mixin BackboneFilesOptions backboneFiles = new BackboneFilesOptions();

  @Option(
      names = "--backbone-layout",
      defaultValue = "keras",
      description =
          "layout of --backbone-weights: keras (the shipped TF.js ResNet-50; Caffe BGR input) or"
              + " torchvision (a torchvision resnet50 state dict as .safetensors, or its"
              + " TorchScript export; v1.5 strides, ImageNet mean/std, Resize 256/224·side + centre"
              + " crop); recorded in the model manifest; default: ${DEFAULT-VALUE}")
  String backboneLayout;

  @Mixin DeviceOptions device = new DeviceOptions();

  @Option(
      names = "--data-workers",
      description =
          "threads that decode and augment images for end-to-end training (--backbone full, the"
              + " paper protocol), ahead of the training step; 0 = on the training thread; the"
              + " trained model is the same for any value (default: available processors - 1,"
              + " 1..8)")
  Integer dataWorkers;

  @Option(
      names = "--data-prefetch",
      description =
          "batches the data workers prepare ahead of the training step (default: "
              + DataPipeline.DEFAULT_PREFETCH
              + ")")
  Integer dataPrefetch;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    applyConfig();
    ResNet50.Style layout = layout();
    TrainingSettings settings = settings();
    Path root = data.root();
    String name = out.getFileName().toString();
    ConsoleProgress progress = ConsoleProgress.onStderr();
    TrainingRun.Plan plan =
        new TrainingRun.Plan(
            name,
            settings,
            data.dataset,
            root,
            data.trainPerClass(0),
            data.testPerClass(0),
            backboneFiles.backboneWeights,
            out,
            resume,
            evaluateEvery,
            GitRevision.current(),
            backboneFiles.featureCache(),
            device.device,
            layout,
            dataPipeline());
    System.err.println("pipit train: " + settings);
    TrainingRun.Result result =
        TrainingRun.run(
            plan,
            EvalOptions.defaults().withDropLast(evalDropLast),
            new ConsoleTrainingListener(progress),
            System.err::println,
            () -> false);
    System.out.printf(
        Locale.ROOT,
        "model %s written to %s: mAP %.4f (learned database), %.4f (encoded database), best %.4f"
            + " at iteration %d, %.0f s%n",
        name,
        out,
        result.learned().map(),
        result.encoded().map(),
        result.best().map(),
        result.best().iteration(),
        result.seconds());
    return 0;
  }

  /**
   * Fills the options not given on the command line from {@code --config}: the file's keys become
   * {@code --key value} arguments placed before the command line's own, and everything is parsed
   * again.
   */
  void applyConfig() throws IOException {
    if (config != null) {
      Properties properties = new Properties();
      try (var in = Files.newBufferedReader(config)) {
        properties.load(in);
      }
      ParseResult given = spec.commandLine().getParseResult();
      List<String> merged = new ArrayList<>();
      for (String key : new TreeSet<>(properties.stringPropertyNames())) {
        if (key.equals("config") || spec.findOption("--" + key) == null) {
          throw new IllegalArgumentException(config + ": unknown option " + key);
        }
        if (!given.hasMatchedOption("--" + key)) {
          merged.add("--" + key);
          merged.add(properties.getProperty(key).strip());
        }
      }
      merged.addAll(given.originalArgs());
      new CommandLine(this).parseArgs(merged.toArray(String[]::new));
    }
    for (String[] required :
        new String[][] {
          {"--method", method},
          {"--out", out == null ? null : out.toString()},
          {"--bits", bits == null ? null : bits.toString()}
        }) {
      if (required[1] == null) {
        throw new ParameterException(
            spec.commandLine(),
            "missing option " + required[0] + " (on the command line or in --config)");
      }
    }
  }

  /** The {@code --backbone-layout}, checked against the weights file it describes. */
  ResNet50.Style layout() {
    ResNet50.Style layout;
    try {
      layout = ResNet50.Style.ofId(backboneLayout);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--backbone-layout: " + e.getMessage());
    }
    boolean tfjs = backboneFiles.backboneWeights.getFileName().toString().endsWith(".json");
    if (layout == ResNet50.Style.TORCHVISION_V15 && tfjs) {
      throw new ParameterException(
          spec.commandLine(),
          "--backbone-layout torchvision needs --backbone-weights pointing at a torchvision"
              + " ResNet-50 (.safetensors state dict or TorchScript .pt), not "
              + backboneFiles.backboneWeights);
    }
    if (layout == ResNet50.Style.KERAS_V1 && !tfjs) {
      throw new ParameterException(
          spec.commandLine(),
          "--backbone-weights "
              + backboneFiles.backboneWeights
              + " is not a TF.js model.json; for a torchvision ResNet-50 add --backbone-layout"
              + " torchvision");
    }
    return layout;
  }

  /** The {@code --data-workers} and {@code --data-prefetch}, checked. */
  DataPipeline dataPipeline() {
    try {
      return DataPipeline.of(dataWorkers, dataPrefetch);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
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
    s = schedule.applyTo(step.applyTo(s));
    if (learningRate != null) {
      s = s.withLearningRate(learningRate, s.learningRateDrops());
    }
    return ablation.applyTo(s);
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
