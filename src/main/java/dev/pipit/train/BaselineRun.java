package dev.pipit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.Architecture;
import dev.pipit.model.BackboneReference;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import dev.pipit.train.baseline.Itq;
import dev.pipit.train.baseline.Lsh;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import dev.pipit.train.eval.CodeSet;
import dev.pipit.train.eval.RetrievalEvaluator;
import dev.pipit.train.eval.RetrievalMetrics;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fits a classical baseline, LSH or ITQ, on the frozen ImageNet ResNet-50's globally pooled layer-4
 * features of the database, and writes it as a model artifact like the deep methods'.
 *
 * <p>Artifact layout: {@code manifest.json} with architecture {@code lsh} or {@code itq}, and
 * {@code hasher.plh} (a {@link LinearHasher}) as its weights. The backbone is not copied into the
 * artifact: it is referenced by the sha256 identity of its weights ({@link
 * FeatureCache#backboneId}) in the provenance settings ({@value #BACKBONE_SHA256}), and whoever
 * encodes with the artifact must supply those weights (checked): {@code
 * dev.pipit.encode.LoadedModel} serves them with a {@code LinearHashBackend}, {@code pipit eval}
 * evaluates them.
 */
public final class BaselineRun {

  /** Provenance setting naming the backbone weights' identity. */
  public static final String BACKBONE_SHA256 = BackboneReference.SETTING;

  /** Name of the hasher file inside the artifact. */
  public static final String HASHER_FILE = "hasher.plh";

  /** ITQ alternation steps (the paper's 50). */
  static final int ITQ_ITERATIONS = 50;

  private BaselineRun() {}

  /** Whether {@code method} names a classical baseline. */
  public static boolean isBaseline(String method) {
    return method.equals("lsh") || method.equals("itq");
  }

  /**
   * Fits, evaluates and writes one baseline.
   *
   * @param method {@code lsh} or {@code itq}
   * @param bits code length
   * @param inputSize network input side
   * @param seed seed of the random hyperplanes (LSH) or the initial rotation (ITQ)
   * @param plan dataset, subset, backbone, output directory and feature cache (its settings are
   *     ignored)
   */
  public static TrainingRun.Result run(
      String method,
      int bits,
      int inputSize,
      long seed,
      TrainingRun.Plan plan,
      TrainingListener listener,
      Consumer<String> log)
      throws Exception {
    if (!isBaseline(method)) {
      throw new IllegalArgumentException("not a baseline: " + method + " (lsh or itq)");
    }
    if (plan.backboneLayout() != ResNet50.Style.KERAS_V1) {
      // Their artifacts name the backbone by its TF.js digest and re-extract features from it.
      throw new IllegalArgumentException(
          "lsh and itq hash features of the shipped Keras backbone; a "
              + plan.backboneLayout().id()
              + " backbone trains agmh, fcaenet or adsh-r50");
    }
    long start = System.nanoTime();
    Dataset dataset =
        DatasetLoader.load(
            plan.datasetKind(),
            plan.datasetRoot(),
            LoadOptions.defaults().withSubset(plan.trainPerClass(), plan.testPerClass()));
    Preprocessing preprocessing = TrainingRun.preprocessing(inputSize);
    DatasetFeatures.Source source =
        new DatasetFeatures.Source(
            plan.datasetKind() + ":" + plan.datasetRoot().toAbsolutePath().normalize(),
            plan.trainPerClass(),
            plan.testPerClass(),
            inputSize,
            FeatureCache.backboneId(plan.backboneWeights()));
    FeatureCache cache =
        plan.featureCache() == null
            ? FeatureCache.disabled()
            : new FeatureCache(plan.featureCache());
    DatasetFeatures features =
        features(dataset, source, plan.backboneWeights(), preprocessing, cache, listener);
    float[][] database = DatasetFeatures.pooled(features.database());
    float[][] queries = DatasetFeatures.pooled(features.queries());
    LinearHasher hasher =
        method.equals("lsh")
            ? Lsh.fit(database, bits, seed)
            : Itq.fit(database, bits, ITQ_ITERATIONS, seed);
    int[] dbLabels = dataset.train().labels();
    int[] queryLabels = dataset.test().labels();
    CodeSet dbCodes = codes(hasher, database);
    RetrievalMetrics metrics =
        RetrievalEvaluator.evaluate(codes(hasher, queries), queryLabels, dbCodes, dbLabels);
    log.accept(String.format("%s %d bits: mAP %.4f", method, bits, metrics.map()));

    Files.createDirectories(plan.out());
    try (OutputStream out =
        new BufferedOutputStream(Files.newOutputStream(plan.out().resolve(HASHER_FILE)))) {
      hasher.write(out);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Double> metricMap = new LinkedHashMap<>();
    metricMap.put("map", metrics.map());
    metricMap.put("map_encoded_database", metrics.map());
    metricMap.put("precision_at_100", metrics.precisionAt(100));
    metricMap.put("train_seconds", seconds);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("method", method);
    settings.put(
        "features", "resnet50-imagenet layer4, global average pool (" + hasher.dimensions() + ")");
    settings.put(BACKBONE_SHA256, source.backboneId());
    settings.put("seed", "" + seed);
    if (method.equals("itq")) {
      settings.put("itq_iterations", "" + ITQ_ITERATIONS);
    }
    settings.put("database_images", "" + dataset.train().size());
    settings.put("query_images", "" + dataset.test().size());
    ModelArtifact artifact =
        ModelArtifact.write(
            plan.out(),
            new ModelManifest(
                ModelManifest.FORMAT,
                plan.name(),
                method,
                bits,
                new ModelManifest.Input(3, inputSize, inputSize),
                preprocessing.toManifest(),
                dataset.classes(),
                HASHER_FILE,
                Map.of(HASHER_FILE, ""),
                new ModelManifest.Provenance(
                    dataset.name(),
                    metricMap,
                    Instant.now().toString(),
                    plan.gitRevision(),
                    settings)));
    metrics.writeJson(plan.out().resolve("evaluation.json"));
    return new TrainingRun.Result(artifact, metrics, metrics, seconds, TrainingRun.Best.NONE);
  }

  /**
   * Features from the cache, or through the ImageNet backbone loaded from {@code backboneWeights}.
   */
  static DatasetFeatures features(
      Dataset dataset,
      DatasetFeatures.Source source,
      Path backboneWeights,
      Preprocessing preprocessing,
      FeatureCache cache,
      TrainingListener listener)
      throws Exception {
    FeatureMaps database = cache.get(source.key("train", "plain"));
    FeatureMaps queries = database == null ? null : cache.get(source.key("test", "plain"));
    if (queries != null) {
      return new DatasetFeatures(database, null, queries);
    }
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      HashingNetwork network = Architecture.ADSH_R50.build(16);
      network.allocate(manager, source.inputSize());
      KerasResNet50Importer.importBackbone(backboneWeights, network.backbone());
      return DatasetFeatures.of(
          dataset, source, network.backbone(), preprocessing, null, cache, manager, listener);
    }
  }

  /** Codes of pooled feature vectors. */
  public static CodeSet codes(LinearHasher hasher, float[][] features) {
    float[] all = new float[features.length * hasher.bits()];
    for (int i = 0; i < features.length; i++) {
      System.arraycopy(hasher.project(features[i]), 0, all, i * hasher.bits(), hasher.bits());
    }
    return CodeSet.fromSigns(hasher.bits(), all);
  }
}
