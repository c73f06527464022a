package dev.pipit.cli.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.train.AdshTrainer;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.FeatureCut;
import dev.pipit.train.FeatureMaps;
import dev.pipit.train.TrainingCancelledException;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training-step throughput of {@link AdshTrainer} on synthetic cached maps: the real step (forward
 * of what the backbone mode trains — conv5_x and the head on stage-3 maps for {@link
 * BackboneMode#LAST_STAGE}, the head on layer-4 maps for {@link BackboneMode#FROZEN} —, ADSH loss
 * against all N database codes, ADL or triplets + ESRL, backward, SGD update) timed from the
 * trainer's own per-step callbacks, after a warm-up. The work does not depend on the values of the
 * maps or weights, so random ones stand in for ImageNet's. The counterpart in PyTorch eager is
 * {@code src/test/python/train_throughput.py}.
 */
public final class TrainThroughput {

  /**
   * @param method method id
   * @param batch images per step (anchors for FCAENet, whose step runs 3·batch through the head)
   * @param steps timed steps
   * @param msPerStep mean wall time of a step
   * @param imagesPerSecond batch / msPerStep
   * @param trainedParameters number of trained weights (conv5_x's and the head's, or the head's)
   */
  public record Result(
      String method,
      int batch,
      int steps,
      double msPerStep,
      double imagesPerSecond,
      long trainedParameters) {}

  private TrainThroughput() {}

  /**
   * Times {@code steps} training steps after {@code warmup} untimed ones.
   *
   * @param method agmh, fcaenet or adsh-r50
   * @param bits code length
   * @param batch mini-batch size
   * @param inputSize input side the cached maps correspond to (64 → 4×4 stage-3 or 2×2 layer-4
   *     maps)
   * @param mode what is trained: {@link BackboneMode#LAST_STAGE} or {@link BackboneMode#FROZEN}
   * @param database N, the number of database codes the loss runs against
   */
  public static Result measure(
      String method,
      int bits,
      int batch,
      int inputSize,
      BackboneMode mode,
      int database,
      int warmup,
      int steps)
      throws Exception {
    if (warmup < 1 || steps < 1) {
      throw new IllegalArgumentException("need at least one warm-up and one timed step");
    }
    FeatureCut cut = mode.featureCut();
    if (cut == null) {
      throw new IllegalArgumentException(
          "the throughput harness trains on cached maps: FROZEN or LAST_STAGE");
    }
    Architecture architecture = Architecture.fromId(method);
    int total = warmup + steps;
    int perEpoch = Math.max(1, database / batch);
    int epochs = (total + perEpoch - 1) / perEpoch;
    TrainingSettings settings =
        TrainingSettings.cpuProtocol(architecture, bits)
            .withInput(inputSize, mode)
            .withSchedule(1, epochs, perEpoch * batch, batch);
    int side = cut.side(inputSize);
    Random random = new Random(68);
    FeatureMaps maps = randomMaps(database, cut.channels(), side, random);
    FeatureMaps erased =
        architecture == Architecture.FCAENET
            ? randomMaps(database, cut.channels(), side, random)
            : null;
    int[] labels = new int[database];
    for (int i = 0; i < database; i++) {
      labels[i] = i % 10;
    }
    List<Long> stamps = new ArrayList<>();
    TrainingListener clock =
        new TrainingListener() {
          @Override
          public void onStep(int iteration, long step, long of, double loss) {
            stamps.add(System.nanoTime());
          }
        };
    long trained;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      HashingNetwork network = architecture.build(bits);
      network.initialize(manager, inputSize, 68);
      AdshTrainer trainer = new AdshTrainer(settings, network, manager);
      trained = trainer.trainedParameterCount();
      try {
        trainer.train(
            new AdshTrainer.Inputs(maps, erased, labels, 10),
            AdshTrainer.initialCodes(database, bits, 68),
            0,
            clock,
            () -> stamps.size() >= total,
            (t, v) -> Double.NaN);
      } catch (TrainingCancelledException e) {
        // stopped after the last timed step
      }
    }
    if (stamps.size() < total) {
      throw new IllegalStateException("only " + stamps.size() + " steps ran, wanted " + total);
    }
    double ms = (stamps.get(total - 1) - stamps.get(warmup - 1)) / 1e6 / steps;
    return new Result(method, batch, steps, ms, batch / (ms / 1000), trained);
  }

  private static FeatureMaps randomMaps(int n, int channels, int side, Random random) {
    float[] data = new float[n * channels * side * side];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) Math.max(0, random.nextGaussian());
    }
    return new FeatureMaps(data, n, channels, side, side);
  }
}
