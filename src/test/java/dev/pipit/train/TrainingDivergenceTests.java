package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.pipit.model.AgmhNetwork;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A step whose loss is not finite stops the run with a message that says so, before its update: the
 * weights never take a NaN (before this guard the run went on and failed later, taking the sign of
 * a NaN code).
 */
class TrainingDivergenceTests {

  private static final int N = 24;
  private static final int CLASSES = 3;
  private static final int BITS = 12;

  @Test
  void aNonFiniteLossStopsTheRunBeforeItsUpdate() throws Exception {
    TrainingSettings settings =
        TrainingSettings.paperDefaults(Architecture.AGMH, BITS)
            .withInput(64, BackboneMode.FROZEN)
            .withSchedule(2, 1, 12, 4);
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) {
      labels[i] = i % CLASSES;
    }
    int per = 2048 * 2 * 2;
    float[] data = new float[N * per];
    Random random = new Random(3);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) Math.abs(random.nextGaussian());
    }
    for (int n = 0; n < N; n++) {
      data[n * per] = Float.NaN; // every image: the first step's loss is NaN
    }
    FeatureMaps maps = new FeatureMaps(data, N, 2048, 2, 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork network =
          AgmhNetwork.builder().setBits(BITS).optDescriptors(3).optDescriptorChannels(64).build();
      network.initialize(manager, 64, 68);
      AdshTrainer trainer = new AdshTrainer(settings, network, manager);
      List<Double> losses = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  trainer.train(
                      new AdshTrainer.Inputs(maps, null, labels, CLASSES),
                      AdshTrainer.initialCodes(N, BITS, settings.seed()),
                      0,
                      new TrainingListener() {
                        @Override
                        public void onStep(int iteration, long step, long steps, double loss) {
                          losses.add(loss);
                        }
                      },
                      () -> false,
                      (t, codes) -> Double.NaN))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("outer iteration 1, step 1")
          .hasMessageContaining("not finite")
          .hasMessageContaining("--lr");
      assertThat(losses).as("no step was reported").isEmpty();
      for (Parameter p : network.getParameters().values()) {
        // BatchNorm's running statistics take the forward's values; the trained weights must not
        if (p.isInitialized() && p.requiresGradient()) {
          for (float w : p.getArray().toFloatArray()) {
            assertThat(Float.isFinite(w)).as(p.getName()).isTrue();
          }
        }
      }
    }
  }
}
