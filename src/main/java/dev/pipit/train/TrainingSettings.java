package dev.pipit.train;

import dev.pipit.model.Architecture;
import java.util.List;

/**
 * Every knob of an ADSH training run; {@link #paperDefaults} gives the published settings (shared
 * METHOD.md), and the {@code with…} methods override one at a time.
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
 * @param learningRateDrops outer iterations at which the learning rate is divided by 10
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
    long seed) {

  public TrainingSettings {
    learningRateDrops = List.copyOf(learningRateDrops);
    if (bits < 1 || bits > 1024) {
      throw new IllegalArgumentException("bits must be 1..1024, got " + bits);
    }
    if (outerIterations < 1 || innerEpochs < 1 || samples < 1 || batchSize < 1 || inputSize < 32) {
      throw new IllegalArgumentException(
          "iterations, epochs, samples and batch size must be positive and the input at least 32"
              + " px");
    }
  }

  /**
   * The published settings: AGMH and ADSH-R50 from the official AGMH code (SGD Nesterov, lr 1e-3,
   * wd 1e-4, batch 32, T_in 30, T_out 40, γ 200, m 2000, seed 68); FCAENet from its paper (wd 1e-5,
   * batch 64, T_in 20, T_out 40 for 12/24 bits and 60 for 32/48, lr ÷10 at 20 and 30). Input 224,
   * full fine-tuning.
   */
  public static TrainingSettings paperDefaults(Architecture method, int bits) {
    return switch (method) {
      case AGMH, ADSH_R50 ->
          new TrainingSettings(
              method,
              bits,
              224,
              BackboneMode.FULL,
              40,
              30,
              2000,
              32,
              1e-3f,
              List.of(),
              0.9f,
              true,
              1e-4f,
              200f,
              method == Architecture.AGMH ? 0.5f : 0f,
              0f,
              0f,
              50,
              32,
              68);
      case FCAENET ->
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
              List.of(20, 30),
              0.9f,
              false,
              1e-5f,
              200f,
              0f,
              1f,
              1f,
              50,
              32,
              68);
    };
  }

  /**
   * The CPU protocol: the published settings at 64-pixel input with the ImageNet backbone frozen up
   * to stage 3 (its maps cached) and conv5_x fine-tuned with the head ({@link
   * BackboneMode#LAST_STAGE}), a short schedule (T_out 10, T_in 1, m 1000, batch 64) and a higher
   * learning rate for the freshly initialised head (0.01, ÷10 from outer iteration 7).
   * docs/results.md records what it gives.
   */
  public static TrainingSettings cpuProtocol(Architecture method, int bits) {
    return paperDefaults(method, bits)
        .withInput(64, BackboneMode.LAST_STAGE)
        .withSchedule(10, 1, 1000, 64)
        .withLearningRate(0.01f, List.of(7));
  }

  /** Learning rate during outer iteration {@code t} (0-based), after the scheduled drops. */
  public float learningRateAt(int t) {
    float lr = learningRate;
    for (int drop : learningRateDrops) {
      if (t >= drop) {
        lr /= 10f;
      }
    }
    return lr;
  }

  public TrainingSettings withSchedule(int outer, int inner, int m, int batch) {
    return new TrainingSettings(
        method,
        bits,
        inputSize,
        backbone,
        outer,
        inner,
        m,
        batch,
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
        seed);
  }

  public TrainingSettings withInput(int side, BackboneMode mode) {
    return new TrainingSettings(
        method,
        bits,
        side,
        mode,
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
        Math.min(sremSize, side / 4),
        seed);
  }

  public TrainingSettings withLearningRate(float lr, List<Integer> drops) {
    return new TrainingSettings(
        method,
        bits,
        inputSize,
        backbone,
        outerIterations,
        innerEpochs,
        samples,
        batchSize,
        lr,
        drops,
        momentum,
        nesterov,
        weightDecay,
        gamma,
        adlWeight,
        esrlAlpha,
        esrlBeta,
        sremRegions,
        sremSize,
        seed);
  }

  public TrainingSettings withSeed(long newSeed) {
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
        newSeed);
  }
}
