package dev.pipit.train;

import dev.pipit.model.AgmhShape;
import dev.pipit.model.Architecture;
import dev.pipit.model.Initialization;
import java.util.List;

/**
 * Every knob of an ADSH training run; {@link #paperDefaults} gives the published settings (the
 * table in {@code src/test/resources/paper-protocols.csv} names the source of each), and the {@code
 * with…} methods or {@link #toBuilder()} override them.
 *
 * @param method network and losses: AGMH (hash + quantisation + ADL), FCAENet (triplets with SREM
 *     and ESRL), ADSH-R50 (hash + quantisation)
 * @param bits code length c
 * @param inputSize square network input side in pixels
 * @param backbone which parameters are trained
 * @param outerIterations T_out: sample Ω, train, update V
 * @param innerEpochs T_in: epochs over Ω per outer iteration
 * @param samples m = |Ω|
 * @param batchSize mini-batch size
 * @param learningRate initial learning rate
 * @param learningRateDrops outer iterations (0-based) from which the learning rate is multiplied by
 *     {@code learningRateFactor} once more, as PyTorch's {@code MultiStepLR} stepped once per outer
 *     iteration
 * @param momentum SGD momentum
 * @param nesterov Nesterov acceleration
 * @param weightDecay L2 weight decay
 * @param gamma γ, weight of the quantisation term
 * @param adlWeight weight of AGMH's attention dispersion loss (0.5)
 * @param esrlAlpha FCAENet ESRL weight of the positive pair
 * @param esrlBeta FCAENet ESRL weight of the erased copy
 * @param sremRegions FCAENet SREM number of erased squares N
 * @param sremSize FCAENet SREM square side S in pixels
 * @param seed seed of every random choice (V init, Ω, order, positives, initial weights)
 * @param learningRateFactor what each drop multiplies the learning rate by (0.1: ÷10)
 * @param agmh AGMH's head: descriptor count, channels, SIEA memory and steps (ignored by the other
 *     methods)
 * @param initialization how the layers after the backbone start (the official code's scheme in the
 *     paper protocols)
 */
public record TrainingSettings(
    Architecture method,
    int bits,
    int inputSize,
    BackboneMode backbone,
    int outerIterations,
    int innerEpochs,
    int samples,
    int batchSize,
    float learningRate,
    List<Integer> learningRateDrops,
    float momentum,
    boolean nesterov,
    float weightDecay,
    float gamma,
    float adlWeight,
    float esrlAlpha,
    float esrlBeta,
    int sremRegions,
    int sremSize,
    long seed,
    float learningRateFactor,
    AgmhShape agmh,
    Initialization initialization) {

  public TrainingSettings {
    learningRateDrops = learningRateDrops.stream().sorted().toList();
    if (bits < 1 || bits > 1024) {
      throw new IllegalArgumentException("bits must be 1..1024, got " + bits);
    }
    if (outerIterations < 1 || innerEpochs < 1 || samples < 1 || batchSize < 1 || inputSize < 32) {
      throw new IllegalArgumentException(
          "iterations, epochs, samples and batch size must be positive and the input at least 32"
              + " px");
    }
    if (!(learningRateFactor > 0 && learningRateFactor <= 1)) {
      throw new IllegalArgumentException(
          "the learning-rate factor must be in (0, 1], got " + learningRateFactor);
    }
    if (learningRateDrops.stream().anyMatch(t -> t < 1)) {
      throw new IllegalArgumentException(
          "learning-rate drops are outer iterations >= 1, got " + learningRateDrops);
    }
    if (adlWeight < 0 || esrlAlpha < 0 || esrlBeta < 0 || sremRegions < 0 || sremSize < 1) {
      throw new IllegalArgumentException(
          "loss weights and SREM regions must be >= 0 and the SREM size >= 1");
    }
  }

  /**
   * The published settings: AGMH from the official AGMH code (SGD Nesterov, lr 1e-3, wd 1e-4, batch
   * 32, T_in 30, T_out 40, MultiStepLR milestone 40 ×0.1, γ 200, m 2000, seed 68, 6 descriptors,
   * SIEA memory 128 and 4 steps, ADL weight 0.5); FCAENet and its ADSH-R50 baseline ("the same
   * settings for baseline and FCAENet", FCAENet §4.2) from the FCAENet paper (SGD momentum 0.9, wd
   * 1e-5, lr 1e-3, batch 64, T_in 20; 12/24 bits: T_out 40, ÷10 at 20 and 30; 32/48 bits: T_out 60,
   * ÷10 at 30, 45 and 55; SREM N 50, S 32). Input 224, full fine-tuning. Per-dataset values (T_out
   * 50 and the drop at 40 for AGMH on Food-101/NABirds/VegFru, m 4000 on NABirds/VegFru) live in
   * the shipped configs.
   */
  public static TrainingSettings paperDefaults(Architecture method, int bits) {
    return switch (method) {
      case AGMH -> agmhOfficial(method, bits);
      case FCAENET, ADSH_R50 ->
          new TrainingSettings(
              method,
              bits,
              224,
              BackboneMode.FULL,
              bits <= 24 ? 40 : 60,
              20,
              2000,
              64,
              1e-3f,
              bits <= 24 ? List.of(20, 30) : List.of(30, 45, 55),
              0.9f,
              false,
              1e-5f,
              200f,
              0f,
              method == Architecture.FCAENET ? 1f : 0f,
              method == Architecture.FCAENET ? 1f : 0f,
              50,
              32,
              68,
              0.1f,
              AgmhShape.PAPER,
              Initialization.OFFICIAL);
    };
  }

  /** The official AGMH code's settings ({@code run.py}, {@code AGMH_train.py}) for any method. */
  private static TrainingSettings agmhOfficial(Architecture method, int bits) {
    return new TrainingSettings(
        method,
        bits,
        224,
        BackboneMode.FULL,
        40,
        30,
        2000,
        32,
        1e-3f,
        List.of(40),
        0.9f,
        true,
        1e-4f,
        200f,
        method == Architecture.AGMH ? 0.5f : 0f,
        0f,
        0f,
        50,
        32,
        68,
        0.1f,
        AgmhShape.PAPER,
        Initialization.OFFICIAL);
  }

  /**
   * The CPU protocol: the published settings at 64-pixel input with the ImageNet backbone frozen up
   * to stage 3 (its maps cached) and conv5_x fine-tuned with the head ({@link
   * BackboneMode#LAST_STAGE}), a short schedule (T_out 10, T_in 1, m 1000, batch 64) and a higher
   * learning rate for the freshly initialised head (0.01, ÷10 from outer iteration 7). ADSH-R50
   * keeps the AGMH code's optimiser here (Nesterov, wd 1e-4), as the CPU tables were measured with.
   * docs/results.md records what it gives.
   */
  public static TrainingSettings cpuProtocol(Architecture method, int bits) {
    TrainingSettings published =
        method == Architecture.ADSH_R50 ? agmhOfficial(method, bits) : paperDefaults(method, bits);
    Builder b =
        published
            .withInput(64, BackboneMode.LAST_STAGE)
            .withSchedule(10, 1, 1000, 64)
            .withLearningRate(0.01f, List.of(7))
            .toBuilder();
    b.initialization = Initialization.HE_NORMAL; // as the CPU tables were measured
    return b.build();
  }

  /** Learning rate during outer iteration {@code t} (0-based), after the scheduled drops. */
  public float learningRateAt(int t) {
    float lr = learningRate;
    for (int drop : learningRateDrops) {
      if (t >= drop) {
        lr *= learningRateFactor;
      }
    }
    return lr;
  }

  /** A builder holding these settings, to change several at once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public TrainingSettings withSchedule(int outer, int inner, int m, int batch) {
    Builder b = toBuilder();
    b.outerIterations = outer;
    b.innerEpochs = inner;
    b.samples = m;
    b.batchSize = batch;
    return b.build();
  }

  public TrainingSettings withInput(int side, BackboneMode mode) {
    Builder b = toBuilder();
    b.inputSize = side;
    b.backbone = mode;
    b.sremSize = Math.min(sremSize, side / 4);
    return b.build();
  }

  public TrainingSettings withLearningRate(float lr, List<Integer> drops) {
    Builder b = toBuilder();
    b.learningRate = lr;
    b.learningRateDrops = drops;
    return b.build();
  }

  public TrainingSettings withSeed(long newSeed) {
    Builder b = toBuilder();
    b.seed = newSeed;
    return b.build();
  }

  /** Mutable copy of every setting; {@link #build()} validates. */
  public static final class Builder {
    public Architecture method;
    public int bits;
    public int inputSize;
    public BackboneMode backbone;
    public int outerIterations;
    public int innerEpochs;
    public int samples;
    public int batchSize;
    public float learningRate;
    public List<Integer> learningRateDrops;
    public float momentum;
    public boolean nesterov;
    public float weightDecay;
    public float gamma;
    public float adlWeight;
    public float esrlAlpha;
    public float esrlBeta;
    public int sremRegions;
    public int sremSize;
    public long seed;
    public float learningRateFactor;
    public AgmhShape agmh;
    public Initialization initialization;

    private Builder(TrainingSettings s) {
      method = s.method;
      bits = s.bits;
      inputSize = s.inputSize;
      backbone = s.backbone;
      outerIterations = s.outerIterations;
      innerEpochs = s.innerEpochs;
      samples = s.samples;
      batchSize = s.batchSize;
      learningRate = s.learningRate;
      learningRateDrops = s.learningRateDrops;
      momentum = s.momentum;
      nesterov = s.nesterov;
      weightDecay = s.weightDecay;
      gamma = s.gamma;
      adlWeight = s.adlWeight;
      esrlAlpha = s.esrlAlpha;
      esrlBeta = s.esrlBeta;
      sremRegions = s.sremRegions;
      sremSize = s.sremSize;
      seed = s.seed;
      learningRateFactor = s.learningRateFactor;
      agmh = s.agmh;
      initialization = s.initialization;
    }

    /** The validated settings. */
    public TrainingSettings build() {
      return new TrainingSettings(
          method,
          bits,
          inputSize,
          backbone,
          outerIterations,
          innerEpochs,
          samples,
          batchSize,
          learningRate,
          learningRateDrops,
          momentum,
          nesterov,
          weightDecay,
          gamma,
          adlWeight,
          esrlAlpha,
          esrlBeta,
          sremRegions,
          sremSize,
          seed,
          learningRateFactor,
          agmh,
          initialization);
    }
  }
}
