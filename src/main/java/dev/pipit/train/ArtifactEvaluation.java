package dev.pipit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import dev.pipit.train.eval.CodeSet;
import dev.pipit.train.eval.EvalOptions;
import dev.pipit.train.eval.HammingRanking;
import dev.pipit.train.eval.MarkdownReport;
import dev.pipit.train.eval.Plots;
import dev.pipit.train.eval.RetrievalEvaluator;
import dev.pipit.train.eval.RetrievalGrid;
import dev.pipit.train.eval.RetrievalMetrics;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluates a model artifact on a dataset ({@code pipit eval}): queries (test split) and database
 * (training split) are both encoded with the artifact, ranked by Hamming distance, and the result
 * is written as {@code evaluation.json}, {@code report.md}, {@code pr.png} and a top-k retrieval
 * grid {@code grid.png} (correct results framed green, wrong red).
 *
 * <p>The learned database codes V of a training run are not part of an artifact; {@code pipit
 * train} and the bench report mAP against V as well.
 */
public final class ArtifactEvaluation {

  /**
   * What to evaluate.
   *
   * @param model the artifact directory
   * @param datasetKind a {@link DatasetLoader#KINDS} name
   * @param dataRoot the dataset directory
   * @param trainPerClass database images per class (0 = all)
   * @param testPerClass query images per class (0 = all)
   * @param backboneWeights the ImageNet ResNet-50 ({@code model.json}) LSH and ITQ artifacts
   *     reference
   * @param featureCache feature cache directory, or null
   * @param out where the outputs go
   * @param gridQueries rows of the retrieval grid (0 = no grid)
   * @param gridTop results per row
   */
  public record Request(
      Path model,
      String datasetKind,
      Path dataRoot,
      int trainPerClass,
      int testPerClass,
      Path backboneWeights,
      Path featureCache,
      Path out,
      int gridQueries,
      int gridTop) {}

  /**
   * @param metrics the evaluation
   * @param queries query codes
   * @param database database codes
   */
  public record Outcome(RetrievalMetrics metrics, CodeSet queries, CodeSet database) {}

  private ArtifactEvaluation() {}

  /** Runs the evaluation with {@link EvalOptions#defaults()} and writes its outputs. */
  public static Outcome run(Request request, TrainingListener listener, Consumer<String> log)
      throws Exception {
    return run(request, EvalOptions.defaults(), listener, log);
  }

  /** Runs the evaluation with {@code options} (e.g. drop-last) and writes its outputs. */
  public static Outcome run(
      Request request, EvalOptions options, TrainingListener listener, Consumer<String> log)
      throws Exception {
    ModelArtifact artifact = ModelArtifact.open(request.model());
    ModelManifest m = artifact.manifest();
    Dataset dataset =
        DatasetLoader.load(
            request.datasetKind(),
            request.dataRoot(),
            LoadOptions.defaults().withSubset(request.trainPerClass(), request.testPerClass()));
    Preprocessing preprocessing = Preprocessing.fromManifest(m.preprocessing());
    FeatureCache cache =
        request.featureCache() == null
            ? FeatureCache.disabled()
            : new FeatureCache(request.featureCache());
    String dataKey = request.datasetKind() + ":" + request.dataRoot().toAbsolutePath().normalize();
    int side = m.input().height();
    CodeSet queries;
    CodeSet database;
    if (BaselineRun.isBaseline(m.architecture())) {
      String id = FeatureCache.backboneId(request.backboneWeights());
      String expected = settings(m).get(BaselineRun.BACKBONE_SHA256);
      if (!id.equals(expected)) {
        throw new IllegalArgumentException(
            "model "
                + m.name()
                + " was fitted on backbone "
                + expected
                + " but "
                + request.backboneWeights()
                + " is "
                + id);
      }
      DatasetFeatures.Source source =
          new DatasetFeatures.Source(
              dataKey, request.trainPerClass(), request.testPerClass(), side, id);
      DatasetFeatures features =
          BaselineRun.features(
              dataset, source, request.backboneWeights(), preprocessing, cache, listener);
      LinearHasher hasher;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(artifact.weightsFile()))) {
        hasher = LinearHasher.read(in);
      }
      queries = BaselineRun.codes(hasher, DatasetFeatures.pooled(features.queries()));
      database = BaselineRun.codes(hasher, DatasetFeatures.pooled(features.database()));
    } else {
      try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
        HashingNetwork network = Architecture.build(m);
        network.allocate(manager, side);
        try (var in =
            new DataInputStream(
                new BufferedInputStream(Files.newInputStream(artifact.weightsFile())))) {
          network.loadParameters(manager, in);
        }
        DatasetFeatures.Source source =
            new DatasetFeatures.Source(
                dataKey,
                request.trainPerClass(),
                request.testPerClass(),
                side,
                backboneIdentity(m));
        FeatureCut cut = cachedCut(m);
        DatasetFeatures features =
            DatasetFeatures.of(
                dataset,
                source,
                cut,
                network.backbone(),
                preprocessing,
                null,
                cache,
                manager,
                listener);
        queries = TrainingRun.encode(network, features.queries(), cut, manager);
        database = TrainingRun.encode(network, features.database(), cut, manager);
      }
    }
    int[] queryLabels = dataset.test().labels();
    int[] dbLabels = dataset.train().labels();
    RetrievalMetrics metrics =
        RetrievalEvaluator.evaluate(queries, queryLabels, database, dbLabels, options);
    log.accept(
        String.format(
            Locale.ROOT,
            "%s on %s: mAP %.4f over %d queries and %d database images",
            m.name(),
            dataset.name(),
            metrics.map(),
            metrics.queries(),
            metrics.database()));
    write(request, m, dataset, metrics, queries, database);
    return new Outcome(metrics, queries, database);
  }

  /**
   * The cache identity of a network artifact's backbone: the ImageNet backbone's when it was
   * trained frozen or only its last stage was (the cached part is then the ImageNet one,
   * unchanged), else the artifact's weights.
   */
  static String backboneIdentity(ModelManifest m) {
    Map<String, String> s = settings(m);
    boolean imageNetPart = cachedCut(m) == FeatureCut.STAGE3 || "frozen".equals(s.get("backbone"));
    if (imageNetPart && s.get(BaselineRun.BACKBONE_SHA256) != null) {
      return s.get(BaselineRun.BACKBONE_SHA256);
    }
    return "artifact-" + m.files().get(m.weights());
  }

  /**
   * Where cached features of an artifact's backbone may be cut: after stage 3 when only conv5_x was
   * trained (stem to stage 3 are still the ImageNet ones), else the backbone's output.
   */
  static FeatureCut cachedCut(ModelManifest m) {
    Map<String, String> s = settings(m);
    boolean lastStage = BackboneMode.LAST_STAGE.name().toLowerCase().equals(s.get("backbone"));
    return lastStage && s.get(BaselineRun.BACKBONE_SHA256) != null
        ? FeatureCut.STAGE3
        : FeatureCut.STAGE4;
  }

  private static Map<String, String> settings(ModelManifest m) {
    return m.provenance() == null || m.provenance().settings() == null
        ? Map.of()
        : m.provenance().settings();
  }

  private static void write(
      Request request,
      ModelManifest m,
      Dataset dataset,
      RetrievalMetrics metrics,
      CodeSet queries,
      CodeSet database)
      throws IOException {
    Path out = request.out();
    Files.createDirectories(out);
    metrics.writeJson(out.resolve("evaluation.json"));
    String label = m.name() + " (" + m.architecture() + ", " + m.bits() + " bits)";
    String md =
        "# Evaluation of "
            + m.name()
            + "\n\n"
            + "Dataset "
            + dataset.name()
            + ": "
            + metrics.queries()
            + " queries (test split), "
            + metrics.database()
            + " database images (training split, encoded with the model). mAP over the whole"
            + " database, Hamming ranking, ties by database index.\n\n"
            + MarkdownReport.summary(List.of(new MarkdownReport.Row(label, metrics)))
            + "\n"
            + "## Precision–recall over Hamming radii\n\n![PR curve](pr.png)\n\n"
            + MarkdownReport.prCurve(metrics)
            + (request.gridQueries() > 0
                ? "\n## Top-" + request.gridTop() + " retrievals\n\n![grid](grid.png)\n"
                : "");
    Files.writeString(out.resolve("report.md"), md);
    Plots.prCurves(
        Map.of(label, metrics.prCurve()),
        "PR curve, " + m.bits() + " bits",
        out.resolve("pr.png"),
        800,
        600);
    if (request.gridQueries() > 0) {
      grid(
          dataset,
          queries,
          database,
          request.gridQueries(),
          request.gridTop(),
          out.resolve("grid.png"));
    }
  }

  /**
   * Writes a top-{@code top} retrieval grid for {@code rows} queries spread evenly over the test
   * split (first column: the query; green frame: same class, red: different).
   */
  public static void grid(
      Dataset dataset, CodeSet queries, CodeSet database, int rows, int top, Path png)
      throws IOException {
    int q = queries.size();
    int count = Math.min(rows, q);
    List<BufferedImage> images = new ArrayList<>();
    int[] labels = new int[count];
    int[][] ranked = new int[count][];
    for (int r = 0; r < count; r++) {
      int query = (int) ((long) r * q / count);
      images.add(dataset.test().image(query));
      labels[r] = dataset.test().label(query);
      ranked[r] = HammingRanking.topK(queries, query, database, top);
    }
    RetrievalGrid.write(
        images,
        labels,
        ranked,
        dataset.train().labels(),
        dataset.train()::image,
        RetrievalGrid.Layout.defaults(),
        png);
  }
}
