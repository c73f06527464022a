package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Normalization;
import dev.pipit.encode.Preprocessing;
import dev.pipit.encode.Resampling;
import dev.pipit.model.Architecture;
import dev.pipit.model.BackboneWeights;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.EngineDevice;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import dev.pipit.train.eval.CodeSet;
import dev.pipit.train.eval.EvalOptions;
import dev.pipit.train.eval.RetrievalEvaluator;
import dev.pipit.train.eval.RetrievalMetrics;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One training run from dataset to model artifact, shared by {@code pipit train} and the service's
 * train jobs: load the dataset, build the network on the ImageNet backbone, cache backbone features
 * (or, training end to end, decode image batches as the trainer asks), run {@link AdshTrainer} with
 * a checkpoint after every outer iteration, evaluate, and write {@code <out>/manifest.json} +
 * {@code weights.params} (+ {@code evaluation.json}).
 */
public final class TrainingRun {

  /**
   * What to train.
   *
   * @param name model name (the artifact directory's name by convention)
   * @param settings method, code length and schedule
   * @param datasetKind a {@link DatasetLoader#KINDS} name
   * @param datasetRoot where the dataset lies
   * @param trainPerClass database images per class (0 = all)
   * @param testPerClass query images per class (0 = all)
   * @param backboneWeights the ImageNet ResNet-50: the TF.js {@code model.json} of the Keras
   *     weights, or a torchvision state dict (safetensors) or TorchScript export
   * @param out artifact directory (its {@code checkpoint/} holds the resumable state)
   * @param resume continue from {@code out/checkpoint} instead of starting afresh
   * @param evaluateEvery evaluate mAP every this many outer iterations (the last is always
   *     evaluated)
   * @param gitRevision recorded in the manifest's provenance
   * @param featureCache directory of the {@link FeatureCache} for backbone features, or null for
   *     none
   * @param device where to train: {@code AUTO} takes the first GPU when the engine sees one (the
   *     paper configs' case), else the CPU; {@code CUDA} without a GPU falls back to the CPU with a
   *     warning
   * @param backboneLayout the layout of {@code backboneWeights}; it also picks the preprocessing
   *     ({@link #preprocessing(int, ResNet50.Style)})
   * @param data how {@link BackboneMode#FULL} decodes and augments its images (workers, prefetch);
   *     the same result whatever it is
   */
  public record Plan(
      String name,
      TrainingSettings settings,
      String datasetKind,
      Path datasetRoot,
      int trainPerClass,
      int testPerClass,
      Path backboneWeights,
      Path out,
      boolean resume,
      int evaluateEvery,
      String gitRevision,
      Path featureCache,
      DevicePreference device,
      ResNet50.Style backboneLayout,
      DataPipeline data) {

    /** The same plan decoding as {@code pipeline} says. */
    public Plan withData(DataPipeline pipeline) {
      return new Plan(
          name,
          settings,
          datasetKind,
          datasetRoot,
          trainPerClass,
          testPerClass,
          backboneWeights,
          out,
          resume,
          evaluateEvery,
          gitRevision,
          featureCache,
          device,
          backboneLayout,
          pipeline);
    }

    /**
     * A plan on the {@code AUTO} device, the shipped Keras backbone's layout and the default {@link
     * DataPipeline}.
     */
    public Plan(
        String name,
        TrainingSettings settings,
        String datasetKind,
        Path datasetRoot,
        int trainPerClass,
        int testPerClass,
        Path backboneWeights,
        Path out,
        boolean resume,
        int evaluateEvery,
        String gitRevision,
        Path featureCache) {
      this(
          name,
          settings,
          datasetKind,
          datasetRoot,
          trainPerClass,
          testPerClass,
          backboneWeights,
          out,
          resume,
          evaluateEvery,
          gitRevision,
          featureCache,
          DevicePreference.AUTO,
          ResNet50.Style.KERAS_V1,
          DataPipeline.defaults());
    }

    /** A plan without a feature cache. */
    public Plan(
        String name,
        TrainingSettings settings,
        String datasetKind,
        Path datasetRoot,
        int trainPerClass,
        int testPerClass,
        Path backboneWeights,
        Path out,
        boolean resume,
        int evaluateEvery,
        String gitRevision) {
      this(
          name,
          settings,
          datasetKind,
          datasetRoot,
          trainPerClass,
          testPerClass,
          backboneWeights,
          out,
          resume,
          evaluateEvery,
          gitRevision,
          null);
    }

    /** The backbone's starting weights in their layout. */
    public BackboneWeights backbone() {
      return new BackboneWeights(backboneWeights, backboneLayout);
    }

    /** Where its features come from, for the cache. */
    public DatasetFeatures.Source featureSource() throws IOException {
      return new DatasetFeatures.Source(
          datasetKind + ":" + datasetRoot.toAbsolutePath().normalize(),
          trainPerClass,
          testPerClass,
          settings.inputSize(),
          backbone().id());
    }
  }

  /**
   * @param artifact the written model
   * @param learned queries encoded by the network against the learned database codes V (the papers'
   *     protocol)
   * @param encoded queries against network-encoded database codes (what a gallery added later gets)
   * @param seconds wall time
   */
  public record Result(
      ModelArtifact artifact,
      RetrievalMetrics learned,
      RetrievalMetrics encoded,
      double seconds,
      Best best) {}

  /**
   * The best learned-database mAP among the evaluated outer iterations, as the official AGMH code
   * reports ({@code best_mAP}, kept beside the last). It selects on the query split, so it is an
   * optimistic figure: pipit's artifact keeps the last iteration's weights and reports both.
   *
   * @param iteration 1-based outer iteration of the best evaluation (0 when none was evaluated)
   * @param map its mAP (NaN when none)
   */
  public record Best(int iteration, double map) {

    /** No evaluation yet. */
    public static final Best NONE = new Best(0, Double.NaN);

    Best offer(int t, double candidate) {
      return Double.isNaN(candidate) || (!Double.isNaN(map) && candidate <= map)
          ? this
          : new Best(t, candidate);
    }

    void write(Path file) throws IOException {
      Files.writeString(file, iteration + " " + map + "\n");
    }

    static Best read(Path file) throws IOException {
      if (!Files.exists(file)) {
        return NONE;
      }
      String[] parts = Files.readString(file).strip().split(" ");
      return new Best(Integer.parseInt(parts[0]), Double.parseDouble(parts[1]));
    }
  }

  private static final String BEST_FILE = "best-map.txt";

  private TrainingRun() {}

  /**
   * The preprocessing of a run: whole image to {@code side×side}, Caffe BGR means (the backbone's).
   */
  public static Preprocessing preprocessing(int side) {
    return preprocessing(side, ResNet50.Style.KERAS_V1);
  }

  /**
   * The preprocessing a backbone layout was trained with, at an input of {@code side×side}: for the
   * Keras weights as {@link #preprocessing(int)}; for torchvision weights torchvision's evaluation
   * transform (shorter side to {@code 256/224·side}, i.e. {@code Resize(256)} at 224, centre crop
   * {@code side}, ImageNet mean/std on 0–1 RGB). Training augments from the same spec ({@link
   * TrainAugmentation}: random resized crop + flip, then the same normalisation).
   */
  public static Preprocessing preprocessing(int side, ResNet50.Style layout) {
    return switch (layout) {
      case KERAS_V1 ->
          new Preprocessing(
              Preprocessing.ResizeMode.SQUARE,
              side,
              side,
              Normalization.CAFFE_BGR,
              Resampling.AREA);
      case TORCHVISION_V15 ->
          new Preprocessing(
              Preprocessing.ResizeMode.SHORTER_SIDE,
              Math.round(side * 256f / 224f),
              side,
              Normalization.IMAGENET_RGB,
              Resampling.BILINEAR_ANTIALIAS);
    };
  }

  /**
   * Runs the plan.
   *
   * @param listener per-step and per-iteration progress
   * @param log one-line messages for phases (loading, features, writing)
   * @param cancelled polled between mini-batches
   */
  public static Result run(
      Plan plan, TrainingListener listener, Consumer<String> log, BooleanSupplier cancelled)
      throws Exception {
    return run(plan, EvalOptions.defaults(), listener, log, cancelled);
  }

  /**
   * Runs the plan, evaluating with {@code evaluation} (e.g. the official code's drop-last-ranked
   * item, {@link EvalOptions#dropLast()}) during training and at the end.
   */
  public static Result run(
      Plan plan,
      EvalOptions evaluation,
      TrainingListener listener,
      Consumer<String> log,
      BooleanSupplier cancelled)
      throws Exception {
    long start = System.nanoTime();
    EngineDevice engine =
        EngineDevice.resolve(plan.device()); // loads the native library before any JNI call
    JniUtils.setGradMode(
        false); // per thread, on by default in new ones: feature extraction records nothing
    TrainingSettings s = plan.settings();
    Dataset dataset =
        DatasetLoader.load(
            plan.datasetKind(),
            plan.datasetRoot(),
            LoadOptions.defaults().withSubset(plan.trainPerClass(), plan.testPerClass()));
    int n = dataset.train().size();
    log.accept(
        String.format(
            "dataset %s: %d database images, %d queries, %d classes",
            dataset.name(), n, dataset.test().size(), dataset.classCount()));
    Files.createDirectories(plan.out());
    // String hashes are stable across JVMs (an enum's hashCode is not): resume checks them.
    long settingsHash =
        (s.toString()
                + plan.datasetKind()
                + n
                + (plan.backboneLayout() == ResNet50.Style.KERAS_V1
                    ? ""
                    : plan.backboneLayout().id()))
            .hashCode();
    Preprocessing preprocessing = preprocessing(s.inputSize(), plan.backboneLayout());
    log.accept(
        "training on "
            + engine.device()
            + (engine.fallback() ? " (CUDA requested, no GPU visible)" : ""));
    try (NDManager manager = NDManager.newBaseManager(engine.device())) {
      HashingNetwork network = s.method().build(s.bits(), plan.backboneLayout(), s.agmh());
      network.initialize(manager, s.inputSize(), s.seed());
      s.initialization().apply(network, s.seed());
      plan.backbone().importInto(network.backbone());

      SelectiveRegionErasing erasing =
          s.method() == Architecture.FCAENET
              ? new SelectiveRegionErasing(s.sremRegions(), s.sremSize())
              : null;
      if (s.backbone() == BackboneMode.FULL) {
        log.accept("images: " + plan.data());
      }
      Sources sources =
          s.backbone() == BackboneMode.FULL
              ? images(dataset, network, preprocessing, erasing, plan.data(), manager)
              : cached(plan, dataset, network, preprocessing, erasing, manager, listener, log);
      // From here on the decode workers (if any) run: closed when the run ends, however it ends.
      try {
        int[] dbLabels = dataset.train().labels();
        int[] queryLabels = dataset.test().labels();

        Path checkpointDir = plan.out().resolve("checkpoint");
        float[] codes = AdshTrainer.initialCodes(n, s.bits(), s.seed());
        int from = 0;
        AdshTrainer trainer = new AdshTrainer(s, network, manager);
        Best[] best = {Best.NONE};
        if (plan.resume()) {
          Checkpoint.State state =
              Checkpoint.read(checkpointDir, network, manager, n, settingsHash);
          codes = state.codes();
          from = state.nextIteration();
          trainer.resume(state.momentum());
          best[0] = Best.read(checkpointDir.resolve(BEST_FILE));
          log.accept("resuming at outer iteration " + (from + 1) + " of " + s.outerIterations());
        }
        float[] v = codes;
        trainer.train(
            new AdshTrainer.Inputs(sources.batches(), dbLabels, dataset.classCount()),
            v,
            from,
            listener,
            cancelled,
            (t, current) -> {
              Checkpoint.write(
                  checkpointDir, network, current, trainer.momentumState(), t + 1, n, settingsHash);
              boolean evaluate =
                  (t + 1) % Math.max(1, plan.evaluateEvery()) == 0 || t == s.outerIterations() - 1;
              if (!evaluate) {
                return Double.NaN;
              }
              double map =
                  RetrievalEvaluator.evaluate(
                          sources.queries().encode(),
                          queryLabels,
                          CodeSet.fromSigns(s.bits(), current),
                          dbLabels,
                          evaluation)
                      .map();
              best[0] = best[0].offer(t + 1, map);
              best[0].write(checkpointDir.resolve(BEST_FILE));
              return map;
            });

        CodeSet queryCodes = sources.queries().encode();
        RetrievalMetrics learned =
            RetrievalEvaluator.evaluate(
                queryCodes, queryLabels, CodeSet.fromSigns(s.bits(), v), dbLabels, evaluation);
        RetrievalMetrics encoded =
            RetrievalEvaluator.evaluate(
                queryCodes, queryLabels, sources.database().encode(), dbLabels, evaluation);
        Best bestOverall = best[0];
        if (!Double.isNaN(bestOverall.map())) {
          log.accept(
              String.format(
                  "best mAP over the evaluated iterations %.4f (iteration %d), last %.4f",
                  bestOverall.map(), bestOverall.iteration(), learned.map()));
        }
        log.accept(
            String.format(
                "mAP %.4f (learned database codes), %.4f (network-encoded database)",
                learned.map(), encoded.map()));

        ModelArtifact artifact =
            writeArtifact(
                plan,
                network,
                dataset,
                preprocessing,
                learned,
                encoded,
                bestOverall,
                (System.nanoTime() - start) / 1e9);
        learned.writeJson(plan.out().resolve("evaluation.json"));
        encoded.writeJson(plan.out().resolve("evaluation-encoded-database.json"));
        return new Result(
            artifact, learned, encoded, (System.nanoTime() - start) / 1e9, bestOverall);
      } finally {
        if (sources.batches() instanceof AutoCloseable decodeWorkers) {
          decodeWorkers.close();
        }
      }
    }
  }

  /** Codes of one split through the network as it is now. */
  @FunctionalInterface
  interface SplitCodes {
    CodeSet encode() throws IOException;
  }

  /**
   * What a run trains on and evaluates with.
   *
   * @param batches the trainer's mini-batches
   * @param queries network codes of the queries
   * @param database network codes of the database images
   */
  record Sources(TrainingBatches batches, SplitCodes queries, SplitCodes database) {}

  /**
   * {@link BackboneMode#FULL}: images decoded per batch, augmented for training; nothing cached.
   */
  private static Sources images(
      Dataset dataset,
      HashingNetwork network,
      Preprocessing preprocessing,
      SelectiveRegionErasing erasing,
      DataPipeline data,
      NDManager manager) {
    ImagePreprocessor serving = new ImagePreprocessor(preprocessing);
    return new Sources(
        new ImageBatches(
            dataset.train(), new TrainAugmentation(preprocessing), network, erasing, data),
        () -> ImageCodes.of(network, dataset.test(), serving, manager),
        () -> ImageCodes.of(network, dataset.train(), serving, manager));
  }

  /**
   * {@link BackboneMode#FROZEN} and {@link BackboneMode#LAST_STAGE}: maps cached once at the mode's
   * cut.
   */
  private static Sources cached(
      Plan plan,
      Dataset dataset,
      HashingNetwork network,
      Preprocessing preprocessing,
      SelectiveRegionErasing erasing,
      NDManager manager,
      TrainingListener listener,
      Consumer<String> log)
      throws IOException {
    FeatureCut cut = plan.settings().backbone().featureCut();
    FeatureCache cache =
        plan.featureCache() == null
            ? FeatureCache.disabled()
            : new FeatureCache(plan.featureCache());
    DatasetFeatures features =
        DatasetFeatures.of(
            dataset,
            plan.featureSource(),
            cut,
            network.backbone(),
            preprocessing,
            erasing,
            cache,
            manager,
            listener);
    if (cache.enabled()) {
      log.accept(
          String.format("backbone features: %d cached, %d computed", cache.hits(), cache.misses()));
    }
    return new Sources(
        new CachedBatches(features.database(), features.erased()),
        () -> encode(network, features.queries(), cut, manager),
        () -> encode(network, features.database(), cut, manager));
  }

  /** Serving codes of cached backbone output maps, through the network head. */
  static CodeSet encode(HashingNetwork network, FeatureMaps maps, NDManager manager) {
    return encode(network, maps, FeatureCut.STAGE4, manager);
  }

  /**
   * Serving codes of cached maps taken at {@code cut}: through the head, or through stage 4 and the
   * head for stage-3 maps (BN in inference mode).
   */
  static CodeSet encode(
      HashingNetwork network, FeatureMaps maps, FeatureCut cut, NDManager manager) {
    int bits = network.bits();
    float[] all = new float[maps.count() * bits];
    int batch = 256;
    for (int start = 0; start < maps.count(); start += batch) {
      int end = Math.min(maps.count(), start + batch);
      try (NDManager scope = manager.newSubManager()) {
        ParameterStore ps = new ParameterStore(scope, false);
        NDArray x = maps.batch(range(start, end), scope);
        NDList out = cut.mode().forward(network, ps, x, false);
        float[] u = out.head().toFloatArray();
        System.arraycopy(u, 0, all, start * bits, u.length);
      }
    }
    return CodeSet.fromSigns(bits, all);
  }

  private static ModelArtifact writeArtifact(
      Plan plan,
      HashingNetwork network,
      Dataset dataset,
      Preprocessing preprocessing,
      RetrievalMetrics learned,
      RetrievalMetrics encoded,
      Best best,
      double seconds)
      throws Exception {
    TrainingSettings s = plan.settings();
    try (var out =
        new DataOutputStream(
            new BufferedOutputStream(
                Files.newOutputStream(plan.out().resolve("weights.params"))))) {
      network.saveParameters(out);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("map", learned.map());
    metrics.put("map_encoded_database", encoded.map());
    metrics.put("precision_at_100", learned.precisionAt(100));
    if (!Double.isNaN(best.map())) {
      metrics.put("map_best", best.map());
      metrics.put("map_best_iteration", (double) best.iteration());
    }
    metrics.put("train_seconds", seconds);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("method", s.method().id());
    settings.put("backbone", s.backbone().name().toLowerCase());
    // The ImageNet weights the backbone started from (unchanged when frozen): lets evaluation reuse
    // cached features.
    settings.put(BaselineRun.BACKBONE_SHA256, plan.backbone().id());
    // Read back by Architecture.load (ResNet50.Style.of) so the served network has this layout.
    settings.put(ResNet50.Style.SETTING, plan.backboneLayout().id());
    settings.put("outer_iterations", "" + s.outerIterations());
    settings.put("inner_epochs", "" + s.innerEpochs());
    settings.put("samples", "" + s.samples());
    settings.put("batch_size", "" + s.batchSize());
    settings.put("learning_rate", "" + s.learningRate());
    settings.put(
        "learning_rate_drops",
        s.learningRateDrops().stream().map(String::valueOf).collect(Collectors.joining(",")));
    settings.put("learning_rate_factor", "" + s.learningRateFactor());
    settings.put("momentum", "" + s.momentum());
    settings.put("nesterov", "" + s.nesterov());
    settings.put("weight_decay", "" + s.weightDecay());
    settings.put("gamma", "" + s.gamma());
    settings.put("initialization", s.initialization().name().toLowerCase(Locale.ROOT));
    switch (s.method()) {
      case AGMH -> {
        settings.put("adl_weight", "" + s.adlWeight());
        s.agmh().writeTo(settings);
      }
      case FCAENET -> {
        settings.put("esrl_alpha", "" + s.esrlAlpha());
        settings.put("esrl_beta", "" + s.esrlBeta());
        settings.put("srem_regions", "" + s.sremRegions());
        settings.put("srem_size", "" + s.sremSize());
      }
      case ADSH_R50 -> {}
    }
    settings.put("seed", "" + s.seed());
    settings.put("evaluation_drop_last", "" + learned.dropLast());
    settings.put("database_images", "" + dataset.train().size());
    settings.put("query_images", "" + dataset.test().size());
    return ModelArtifact.write(
        plan.out(),
        new ModelManifest(
            ModelManifest.FORMAT,
            plan.name(),
            s.method().id(),
            s.bits(),
            new ModelManifest.Input(3, s.inputSize(), s.inputSize()),
            preprocessing.toManifest(),
            dataset.classes(),
            "weights.params",
            Map.of("weights.params", ""),
            new ModelManifest.Provenance(
                dataset.name(), metrics, Instant.now().toString(), plan.gitRevision(), settings)));
  }

  static int[] range(int n) {
    return range(0, n);
  }

  static int[] range(int from, int to) {
    int[] r = new int[to - from];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }
}
