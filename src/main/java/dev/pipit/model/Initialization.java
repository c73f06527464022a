package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How the layers new to a hashing network (everything but the ImageNet backbone) start.
 *
 * <ul>
 *   <li>{@link #HE_NORMAL}: every weight Gaussian with std √(2 / fan-in), biases 0 (pipit's
 *       original scheme; the CPU protocol keeps it, so that its measured tables stay valid).
 *   <li>{@link #OFFICIAL}: as the official AGMH code ({@code models/AGMH.py}): descriptor and SIEA
 *       convolutions Gaussian with std √(2 / fan-out) ({@code kaiming_normal_(mode='fan_out')} and
 *       SIEA's {@code normal_(0, √(2/n))}, n = kernel area × out channels), their biases and linear
 *       layers as PyTorch's defaults: {@code kaiming_uniform_(a=√5)}, i.e. uniform ±1/√fan-in
 *       (AGMH's {@code hash_map}, FCAENet's and ADSH-R50's {@code nn.Linear}).
 * </ul>
 *
 * BatchNorm starts as the identity in both. Draws come from a generator seeded by the run's seed.
 */
public enum Initialization {
  HE_NORMAL,
  OFFICIAL;

  /**
   * Re-draws the head parameters of an initialised network by this scheme ({@link #HE_NORMAL}: the
   * network's own initialisation already is it).
   */
  public void apply(HashingNetwork network, long seed) {
    if (this == HE_NORMAL) {
      return;
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    Map<String, Parameter> names = TorchParameterNames.of(network);
    for (Map.Entry<String, Parameter> e : names.entrySet()) {
      String name = e.getKey();
      if (name.startsWith("backbone.")) {
        continue; // the ImageNet weights replace whatever is drawn here
      }
      if (name.endsWith("running_mean") || name.endsWith("running_var") || isBatchNorm(name)) {
        continue;
      }
      NDArray array = e.getValue().getArray();
      Shape shape = array.getShape();
      float[] values = new float[Math.toIntExact(shape.size())];
      if (name.equals("hash_map") || name.equals("hash.weight")) {
        uniform(values, 1 / Math.sqrt(shape.get(1)), random);
      } else if (name.equals("hash.bias")) {
        // nn.Linear's bias: uniform ±1/√fan-in of its weight (2048 pooled features)
        uniform(values, 1 / Math.sqrt(ResNet50.FEATURES), random);
      } else if (shape.dimension() >= 2) {
        double fanOut = shape.get(0) * (shape.dimension() > 2 ? shape.slice(2).size() : 1);
        double std = Math.sqrt(2 / fanOut);
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * std);
        }
      } else if (name.endsWith(".bias")) {
        // a convolution's bias: PyTorch's default, uniform ±1/√fan-in of its weight
        String weight = name.substring(0, name.length() - "bias".length()) + "weight";
        Shape w = names.get(weight).getArray().getShape();
        uniform(values, 1 / Math.sqrt(w.get(1) * w.slice(2).size()), random);
      } else {
        continue;
      }
      array.set(FloatBuffer.wrap(values));
    }
  }

  /** A BatchNorm scale or shift: its name ends in a BN module's weight or bias. */
  private static boolean isBatchNorm(String name) {
    return name.matches(".*(conv_list\\.\\d+\\.1|conv2\\.1|\\.bn\\d?)\\.(weight|bias)");
  }

  private static void uniform(float[] values, double bound, SplittableRandom random) {
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
  }
}
