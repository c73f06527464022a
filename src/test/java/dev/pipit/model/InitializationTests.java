package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The official code's initialisation of the layers after the backbone, by their statistics. */
class InitializationTests {

  @Test
  void agmhHeadStartsAsTheOfficialCodeDoes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.AGMH.build(48);
      net.initialize(manager, 32, 5);
      float[] heBefore = names(net).get("hash_map").getArray().toFloatArray();
      Initialization.OFFICIAL.apply(net, 5);
      Map<String, Parameter> n = names(net);

      // hash_map (48, 3072): kaiming_uniform(a=√5) = uniform ±1/√3072, std 1/√(3·3072)
      float[] hash = n.get("hash_map").getArray().toFloatArray();
      double bound = 1 / Math.sqrt(3072);
      assertThat(max(hash))
          .isLessThanOrEqualTo((float) bound)
          .isGreaterThan((float) (0.99 * bound));
      assertThat(std(hash)).isCloseTo(bound / Math.sqrt(3), within(0.02 * bound));
      assertThat(std(heBefore)).isCloseTo(Math.sqrt(2.0 / 3072), within(0.001)); // He-normal before
      // descriptor conv (512, 2048, 1, 1): fan-out normal, std √(2/512)
      float[] conv = n.get("refine.conv_list.0.0.weight").getArray().toFloatArray();
      assertThat(std(conv)).isCloseTo(Math.sqrt(2.0 / 512), within(0.001));
      // its bias: uniform ±1/√2048 (PyTorch's Conv2d default), not zero
      float[] bias = n.get("refine.conv_list.0.0.bias").getArray().toFloatArray();
      assertThat(max(bias)).isLessThanOrEqualTo((float) (1 / Math.sqrt(2048)));
      assertThat(std(bias)).isGreaterThan(0.5 / Math.sqrt(3 * 2048));
      // SIEA's memory (128, 512, 1): normal std √(2/128)
      float[] query = n.get("refine.attn_list.0.qry_conv.0.weight").getArray().toFloatArray();
      assertThat(std(query)).isCloseTo(Math.sqrt(2.0 / 128), within(0.003));
      // BatchNorm stays the identity
      assertThat(n.get("refine.conv_list.0.1.weight").getArray().toFloatArray()).containsOnly(1f);
      assertThat(n.get("refine.conv_list.0.1.bias").getArray().toFloatArray()).containsOnly(0f);
    }
  }

  @Test
  void pooledHashLayerTakesPyTorchsLinearDefault() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.FCAENET.build(32);
      net.initialize(manager, 32, 5);
      Initialization.OFFICIAL.apply(net, 5);
      float[] w = names(net).get("hash.weight").getArray().toFloatArray();
      double bound = 1 / Math.sqrt(2048);
      assertThat(max(w)).isLessThanOrEqualTo((float) bound);
      assertThat(std(w)).isCloseTo(bound / Math.sqrt(3), within(0.03 * bound));
    }
  }

  private static Map<String, Parameter> names(HashingNetwork net) {
    return TorchParameterNames.of(net);
  }

  private static float max(float[] v) {
    float m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static double std(float[] v) {
    double sum = 0;
    double sq = 0;
    for (float x : v) {
      sum += x;
      sq += (double) x * x;
    }
    double mean = sum / v.length;
    return Math.sqrt(sq / v.length - mean * mean);
  }
}
