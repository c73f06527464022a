package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A seed fixes a network's initial parameters even while other threads draw from the engine's
 * global generator (a model loading, another run initialising): reproducible training depends on
 * it.
 */
class SeededInitializationTests {

  @Test
  void theSameSeedGivesTheSameParametersWhileAnotherThreadDrawsFromTheEngine() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread drawing =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (NDManager manager = NDManager.newBaseManager()) {
                    while (!stop.get()) {
                      manager.randomNormal(new Shape(64, 64)).close();
                    }
                  }
                });
    try {
      Map<String, float[]> first = parameters(7);
      Map<String, float[]> second = parameters(7);
      Map<String, float[]> otherSeed = parameters(8);

      assertThat(second.keySet()).isEqualTo(first.keySet());
      first.forEach((name, values) -> assertThat(second.get(name)).as(name).isEqualTo(values));
      String hashWeight =
          first.keySet().stream()
              .filter(n -> n.startsWith("hash") && n.endsWith("weight"))
              .findFirst()
              .orElseThrow();
      assertThat(otherSeed.get(hashWeight)).isNotEqualTo(first.get(hashWeight));
    } finally {
      stop.set(true);
      drawing.join();
    }
  }

  @Test
  void weightsAreHeNormalAndBatchNormStartsAsIdentity() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.ADSH_R50.build(16);
      net.initialize(manager, 32, 3);
      Map<String, Parameter> names = TorchParameterNames.of(net);
      // conv1 of the first bottleneck: 64 inputs × 1×1 kernels → std √(2/64).
      float[] conv = names.get("backbone.layer1.0.conv1.weight").getArray().toFloatArray();
      assertThat(mean(conv)).isCloseTo(0, within(0.01));
      assertThat(Math.sqrt(variance(conv))).isCloseTo(Math.sqrt(2.0 / 64), within(0.01));
      assertThat(names.get("backbone.bn1.weight").getArray().toFloatArray()).containsOnly(1f);
      assertThat(names.get("backbone.bn1.bias").getArray().toFloatArray()).containsOnly(0f);
    }
  }

  @Test
  void allocatedWeightsAreZeroForValuesLoadedNext() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.ADSH_R50.build(16);
      net.allocate(manager, 32);
      assertThat(TorchParameterNames.of(net).get("hash.weight").getArray().toFloatArray())
          .containsOnly(0f);
    }
  }

  private static Map<String, float[]> parameters(long seed) {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.FCAENET.build(16);
      net.initialize(manager, 32, seed);
      Map<String, float[]> values = new LinkedHashMap<>();
      TorchParameterNames.of(net)
          .forEach((name, p) -> values.put(name, p.getArray().toFloatArray()));
      return values;
    }
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private static double variance(float[] values) {
    double mean = mean(values);
    double sum = 0;
    for (float v : values) {
      sum += (v - mean) * (v - mean);
    }
    return sum / values.length;
  }
}
