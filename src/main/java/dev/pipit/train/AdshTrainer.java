package dev.pipit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.pipit.model.Architecture;
import dev.pipit.model.AttentionDispersionLoss;
import dev.pipit.model.HashingNetwork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Asymmetric deep supervised hashing (ADSH, Jiang &amp; Li 2018) with AGMH's and FCAENet's
 * additions, on cached backbone feature maps (the backbone's output with the head trained, {@link
 * BackboneMode#FROZEN}, or stage 3's output with conv5_x trained beside the head, {@link
 * BackboneMode#LAST_STAGE}) or on images with the whole network trained ({@link
 * BackboneMode#FULL}); {@link TrainingBatches} supplies either. Each outer iteration:
 *
 * <ol>
 *   <li>sample Ω (m database items) and form the soft similarity S̃ (m × N);
 *   <li>train the network head for T_in epochs over Ω with V fixed, minimising {@link AdshLoss} (+
 *       0.5·ADL for AGMH; for FCAENet the same loss on a same-class positive and the SREM-erased
 *       copy, + ESRL);
 *   <li>record U, the outputs of Ω in the last epoch, and update V by {@link DatabaseCodeUpdate}.
 * </ol>
 *
 * Every random choice derives from the settings' seed and the outer iteration, so a run is
 * reproducible on the CPU and a resumed run samples what the uninterrupted one would have.
 */
public final class AdshTrainer {

  /**
   * What the trainer learns from.
   *
   * @param batches mini-batches of the N database (training) images, in the form the backbone mode
   *     takes
   * @param labels class of each database image
   * @param classes number of classes
   */
  public record Inputs(TrainingBatches batches, int[] labels, int classes) {

    /** Cached maps of the database images and (FCAENet) of their SREM-erased copies, else null. */
    public Inputs(FeatureMaps database, FeatureMaps erased, int[] labels, int classes) {
      this(new CachedBatches(database, erased), labels, classes);
    }
  }

  /** Called after every outer iteration with the current codes; returns mAP or NaN. */
  @FunctionalInterface
  public interface AfterIteration {
    double accept(int iteration, float[] databaseCodes) throws Exception;
  }

  private final TrainingSettings settings;
  private final HashingNetwork network;
  private final NDManager manager;
  private final NesterovSgd optimizer;
  private final Map<String, Parameter> trainable = new LinkedHashMap<>();
  private float currentLearningRate;

  /**
   * @param settings run settings
   * @param network initialised network; the parts of its backbone the mode does not train are
   *     frozen here ({@link BackboneMode#selectTrainable})
   * @param manager manager on the training device
   */
  public AdshTrainer(TrainingSettings settings, HashingNetwork network, NDManager manager) {
    this.settings = settings;
    this.network = network;
    this.manager = manager;
    settings.backbone().selectTrainable(network);
    network
        .getParameters()
        .forEach(
            pair -> {
              if (pair.getValue().requiresGradient()) {
                trainable.put(pair.getKey(), pair.getValue());
              }
            });
    this.currentLearningRate = settings.learningRate();
    this.optimizer =
        NesterovSgd.builder()
            .setLearningRate((id, step) -> currentLearningRate)
            .optMomentum(settings.momentum())
            .optNesterov(settings.nesterov())
            .optWeightDecays(settings.weightDecay())
            .build();
  }

  /**
   * Number of weights the trainer updates (conv5_x's in {@link BackboneMode#LAST_STAGE}, and the
   * head's).
   */
  public long trainedParameterCount() {
    return trainable.values().stream().mapToLong(p -> p.getArray().size()).sum();
  }

  /**
   * The optimiser's momentum buffers, for a checkpoint, keyed by the parameters' hierarchical names
   * (stable across processes, unlike their ids).
   */
  public Map<String, float[]> momentumState() {
    Map<String, float[]> state = new TreeMap<>();
    trainable.forEach(
        (name, p) -> {
          float[] buffer = optimizer.momentum(p.getId());
          if (buffer != null) {
            state.put(name, buffer);
          }
        });
    return state;
  }

  /**
   * Prepares to continue from a checkpoint whose parameters were just loaded into the network:
   * loaded arrays come without gradients, so they are attached again, and the momentum buffers are
   * restored.
   */
  public void resume(Map<String, float[]> state) {
    trainable.values().forEach(p -> p.getArray().setRequiresGradient(true));
    state.forEach(
        (name, values) -> {
          Parameter p = trainable.get(name);
          if (p == null) {
            throw new IllegalArgumentException(
                "checkpoint has momentum for unknown parameter " + name);
          }
          optimizer.restoreMomentum(p.getId(), values, p.getArray());
        });
  }

  /** Initial database codes: uniformly random ±1, from the seed. */
  public static float[] initialCodes(int n, int bits, long seed) {
    Random random = new Random(seed);
    float[] v = new float[n * bits];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextBoolean() ? 1f : -1f;
    }
    return v;
  }

  /**
   * Runs outer iterations {@code from .. T_out−1}, updating {@code v} in place.
   *
   * @param inputs features and labels
   * @param v database codes (N × c, ±1): {@link #initialCodes} for a fresh run, a checkpoint's to
   *     resume
   * @param from first outer iteration to run (0, or the checkpoint's next)
   * @param listener progress
   * @param cancelled polled between mini-batches
   * @param after checkpoint and evaluation hook
   */
  public void train(
      Inputs inputs,
      float[] v,
      int from,
      TrainingListener listener,
      BooleanSupplier cancelled,
      AfterIteration after)
      throws Exception {
    // PyTorch's grad mode is per thread and on by default in new threads (a job runner's, say): off
    // here,
    // so that only the gradient collector's scope records graphs and updates may write in place.
    JniUtils.setGradMode(false);
    int n = inputs.labels().length;
    int bits = settings.bits();
    List<List<Integer>> byClass = indicesByClass(inputs.labels(), inputs.classes());
    for (int t = from; t < settings.outerIterations(); t++) {
      long start = System.nanoTime();
      currentLearningRate = settings.learningRateAt(t);
      Random random = iterationRandom(settings.seed(), t);
      // Its own stream, so that augmenting images leaves Ω, the batch order and the positives
      // unchanged.
      Random augmentation = augmentationRandom(settings.seed(), t);
      int[] omega = sample(n, settings.samples(), random);
      int[] omegaLabels = new int[omega.length];
      for (int i = 0; i < omega.length; i++) {
        omegaLabels[i] = inputs.labels()[omega[i]];
      }
      SoftSimilarity similarity = SoftSimilarity.of(omegaLabels, inputs.labels(), inputs.classes());
      float[] u = new float[omega.length * bits];
      // Every mini-batch of the iteration is drawn up front, in the order the steps used to draw
      // them (each epoch's order, then its positives step by step), so the data source can
      // prepare images ahead of the steps.
      List<Batch> plan = plan(omega, inputs, byClass, random);
      inputs.batches().upcoming(itemsOf(plan), augmentation);
      TrainingListener.Losses losses;
      try (NDManager iteration = manager.newSubManager()) {
        NDArray vAll = iteration.create(v, new Shape(n, bits));
        NDArray dbLabels = iteration.create(inputs.labels());
        losses = null;
        int perEpoch = plan.size() / settings.innerEpochs();
        for (int epoch = 0; epoch < settings.innerEpochs(); epoch++) {
          boolean last = epoch == settings.innerEpochs() - 1;
          double[] sums = new double[3];
          int batches = 0;
          long done = 0;
          for (Batch batch : plan.subList(epoch * perEpoch, (epoch + 1) * perEpoch)) {
            if (cancelled.getAsBoolean()) {
              throw new TrainingCancelledException(t);
            }
            double[] terms =
                step(
                    inputs,
                    batch,
                    v,
                    vAll,
                    dbLabels,
                    similarity,
                    augmentation,
                    last ? u : null,
                    iteration);
            if (!Double.isFinite(terms[0] + terms[1] + terms[2])) {
              throw new TrainingDivergedException(t, batches + 1L, terms);
            }
            for (int k = 0; k < 3; k++) {
              sums[k] += terms[k];
            }
            batches++;
            done += batch.rows().length;
            listener.onStep(
                t,
                (long) epoch * omega.length + done,
                (long) settings.innerEpochs() * omega.length,
                terms[0] + terms[1] + terms[2]);
          }
          losses =
              new TrainingListener.Losses(sums[0] / batches, sums[1] / batches, sums[2] / batches);
        }
      }
      DatabaseCodeUpdate.sweep(v, u, omega, similarity, inputs.classes(), bits, settings.gamma());
      double map = after.accept(t, v);
      listener.onIteration(
          new TrainingListener.Iteration(
              t, settings.outerIterations(), losses, map, (System.nanoTime() - start) / 1e9));
    }
  }

  /**
   * One mini-batch: forward, loss, backward, update. Returns the [hash, quantisation, extra] terms.
   */
  private double[] step(
      Inputs inputs,
      Batch plan,
      float[] v,
      NDArray vAll,
      NDArray dbLabels,
      SoftSimilarity similarity,
      Random augmentation,
      float[] recordU,
      NDManager parent)
      throws IOException {
    int bits = settings.bits();
    int[] rows = plan.rows();
    int[] items = plan.items();
    int[] positives = plan.positives();
    int batch = rows.length;
    boolean fcaenet = settings.method() == Architecture.FCAENET;
    try (NDManager scope = parent.newSubManager()) {
      TrainingBatches source = inputs.batches();
      NDArray x = source.batch(items, augmentation, scope);
      if (fcaenet) {
        // x_e before the training forward: on images, SREM reads the network as it is at this step.
        NDArray erased = source.erased(items, x, scope);
        // One forward over [x; x⁺; x_e] so BatchNorm sees the whole triplet batch.
        x = NDArrays.concat(new NDList(x, source.batch(positives, augmentation, scope), erased));
      }
      NDArray sRows =
          similarityRows(items, inputs.labels(), dbLabels, similarity.dissimilar(), scope);
      NDArray vItems = rowsOf(v, items, bits, scope);
      NDArray vPositives = positives == null ? null : rowsOf(v, positives, bits, scope);
      NDArray u;
      double[] terms = new double[3];
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        ParameterStore ps = new ParameterStore(scope, false);
        NDList out = settings.backbone().forward(network, ps, x, true);
        NDArray uAll = out.get(0);
        u = fcaenet ? uAll.get("0:" + batch) : uAll;
        AdshLoss.Terms main = AdshLoss.compute(u, vAll, sRows, vItems, settings.gamma());
        NDArray hash = main.hash();
        NDArray quantisation = main.quantisation();
        NDArray extra = scope.create(0f);
        if (settings.method() == Architecture.AGMH && settings.adlWeight() > 0) {
          extra = AttentionDispersionLoss.compute(out.subNDList(1)).mul(settings.adlWeight());
        } else if (fcaenet) {
          NDArray uPositive = uAll.get(batch + ":" + 2 * batch);
          NDArray uErased = uAll.get(2 * batch + ":");
          AdshLoss.Terms positive =
              AdshLoss.compute(uPositive, vAll, sRows, vPositives, settings.gamma());
          AdshLoss.Terms erased = AdshLoss.compute(uErased, vAll, sRows, vItems, settings.gamma());
          hash = hash.add(positive.hash()).add(erased.hash());
          quantisation = quantisation.add(positive.quantisation()).add(erased.quantisation());
          extra =
              AdshLoss.spaceRelation(
                  u, uPositive, uErased, settings.esrlAlpha(), settings.esrlBeta());
        }
        collector.backward(hash.add(quantisation).add(extra));
        terms[0] = hash.getFloat();
        terms[1] = quantisation.getFloat();
        terms[2] = extra.getFloat();
      }
      if (!Double.isFinite(terms[0] + terms[1] + terms[2])) {
        return terms; // the caller stops the run before any weight takes this step's update
      }
      // Update outside the collector: in-place changes of leaves are not recorded.
      for (Parameter p : trainable.values()) {
        NDArray array = p.getArray();
        try (NDArray gradient = array.getGradient()) { // a handle on the weight's .grad, not a copy
          optimizer.update(p.getId(), array, gradient);
        }
        zeroGradient(array);
      }
      if (recordU != null) {
        float[] values = u.toFloatArray();
        for (int i = 0; i < batch; i++) {
          System.arraycopy(values, i * bits, recordU, rows[i] * bits, bits);
        }
      }
      return terms;
    }
  }

  /**
   * Zeroes a weight's accumulated gradient (PyTorch adds every backward into {@code .grad}). Takes
   * the weight: {@code JniUtils.zeroGrad} zeroes the {@code .grad} of the tensor it is given, so
   * handing it the gradient itself silently does nothing and the gradients of all earlier steps
   * pile up.
   */
  static void zeroGradient(NDArray weight) {
    if (weight instanceof PtNDArray pt) {
      JniUtils.zeroGrad(pt);
    } else {
      try (NDArray gradient = weight.getGradient()) {
        gradient.subi(gradient);
      }
    }
  }

  /** S̃ rows of the batch: 1 for the same class, the dissimilar value otherwise. (B, N) */
  private static NDArray similarityRows(
      int[] items, int[] labels, NDArray dbLabels, float dissimilar, NDManager scope) {
    int[] batchLabels = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      batchLabels[i] = labels[items[i]];
    }
    NDArray same = scope.create(batchLabels).reshape(items.length, 1).eq(dbLabels.reshape(1, -1));
    return same.toType(DataType.FLOAT32, false).mul(1f - dissimilar).add(dissimilar);
  }

  private static NDArray rowsOf(float[] v, int[] items, int bits, NDManager scope) {
    float[] out = new float[items.length * bits];
    for (int i = 0; i < items.length; i++) {
      System.arraycopy(v, items[i] * bits, out, i * bits, bits);
    }
    return scope.create(out, new Shape(items.length, bits));
  }

  /**
   * One mini-batch of an outer iteration.
   *
   * @param rows positions in Ω (where the batch's outputs go in U)
   * @param items their database indices
   * @param positives FCAENet: a random same-class database item per anchor, else null
   */
  record Batch(int[] rows, int[] items, int[] positives) {}

  /**
   * The iteration's mini-batches, every epoch's: for each epoch its order over Ω from {@code
   * random}, then (FCAENet) each batch's positives from {@code random}, batch by batch.
   */
  List<Batch> plan(int[] omega, Inputs inputs, List<List<Integer>> byClass, Random random) {
    boolean fcaenet = settings.method() == Architecture.FCAENET;
    List<Batch> plan = new ArrayList<>();
    for (int epoch = 0; epoch < settings.innerEpochs(); epoch++) {
      int[] order = permutation(omega.length, random);
      for (int b = 0; b < order.length; b += settings.batchSize()) {
        int[] rows = Arrays.copyOfRange(order, b, Math.min(order.length, b + settings.batchSize()));
        int[] items = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
          items[i] = omega[rows[i]];
        }
        int[] positives = null;
        if (fcaenet) {
          positives = new int[rows.length];
          for (int i = 0; i < rows.length; i++) {
            List<Integer> same = byClass.get(inputs.labels()[items[i]]);
            positives[i] = same.get(random.nextInt(same.size()));
          }
        }
        plan.add(new Batch(rows, items, positives));
      }
    }
    return plan;
  }

  /** The items of every {@link TrainingBatches#batch} call of a plan, in call order. */
  static List<int[]> itemsOf(List<Batch> plan) {
    List<int[]> calls = new ArrayList<>();
    for (Batch b : plan) {
      calls.add(b.items());
      if (b.positives() != null) {
        calls.add(b.positives());
      }
    }
    return calls;
  }

  /**
   * The random stream of outer iteration {@code t}: Ω, then the batch order of each epoch, then
   * positives.
   */
  static Random iterationRandom(long seed, int t) {
    return new Random(seed ^ (0x9E3779B97F4A7C15L * (t + 1)));
  }

  /** The random stream of train-time augmentation during outer iteration {@code t}. */
  static Random augmentationRandom(long seed, int t) {
    return new Random(~seed ^ (0xC2B2AE3D27D4EB4FL * (t + 1)));
  }

  static int[] sample(int n, int m, Random random) {
    int[] all = permutation(n, random);
    return m >= n ? all : Arrays.copyOf(all, m);
  }

  static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  private static List<List<Integer>> indicesByClass(int[] labels, int classes) {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    return byClass;
  }
}
