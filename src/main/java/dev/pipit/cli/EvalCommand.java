package dev.pipit.cli;

import dev.pipit.model.EngineDefaults;
import dev.pipit.train.ArtifactEvaluation;
import dev.pipit.train.eval.EvalOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin DatasetOptions data = new DatasetOptions();

  @Option(names = "--out", description = "output directory (default: <model>/eval)")
  Path out;

  @Option(
      names = "--grid-queries",
      defaultValue = "5",
      description = "rows of the retrieval grid (0 = none)")
  int gridQueries;

  @Option(names = "--grid-top", defaultValue = "10", description = "results per grid row")
  int gridTop;

  @Option(
      names = "--drop-last",
      description =
          "drop every query's last-ranked database item before AP, as the official AGMH code's"
              + " evaluation does ([:-1]); only to compare with its logs")
  boolean dropLast;

  @Mixin BackboneFilesOptions backboneFiles = new BackboneFilesOptions();

  @Override
  public Integer call() throws Exception {
    EngineDefaults.applyOfflineDefaults();
    Path target = out != null ? out : model.resolve("eval");
    ArtifactEvaluation.Outcome outcome =
        ArtifactEvaluation.run(
            new ArtifactEvaluation.Request(
                model,
                data.dataset,
                data.root(),
                data.trainPerClass(0),
                data.testPerClass(0),
                backboneFiles.backboneWeights,
                backboneFiles.featureCache(),
                target,
                gridQueries,
                gridTop),
            EvalOptions.defaults().withDropLast(dropLast),
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
}
