package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class NesterovSgdTests {

  /** PyTorch's SGD on one scalar, in doubles, for gradients g_t. */
  static double[] reference(
      double w, double[] grads, double lr, double mu, double wd, boolean nesterov) {
    double[] trajectory = new double[grads.length];
    Double buf = null;
    for (int t = 0; t < grads.length; t++) {
      double d = grads[t] + wd * w;
      buf = buf == null ? d : mu * buf + d;
      d = nesterov ? d + mu * buf : buf;
      w -= lr * d;
      trajectory[t] = w;
    }
    return trajectory;
  }

  @Test
  void followsPyTorchSemanticsWithAndWithoutNesterov() {
    double[] grads = {0.5, -1.0, 2.0, 0.25};
    for (boolean nesterov : new boolean[] {true, false}) {
      NesterovSgd sgd =
          NesterovSgd.builder()
              .setLearningRate((id, step) -> 0.1f)
              .optMomentum(0.9f)
              .optNesterov(nesterov)
              .optWeightDecays(0.01f)
              .build();
      double[] expected = reference(1.0, grads, 0.1, 0.9, 0.01, nesterov);
      try (NDManager manager = NDManager.newBaseManager()) {
        NDArray w = manager.create(new float[] {1f, 1f});
        for (int t = 0; t < grads.length; t++) {
          try (NDManager step = manager.newSubManager()) {
            sgd.update("w", w, step.create(new float[] {(float) grads[t], (float) grads[t]}));
          }
          assertThat((double) w.getFloat(0))
              .as("step %d nesterov=%s", t, nesterov)
              .isCloseTo(expected[t], Offset.offset(1e-5));
        }
      }
    }
  }

  @Test
  void learningRateComesFromTheTrackerPerParameter() {
    NesterovSgd sgd =
        NesterovSgd.builder().setLearningRate((id, step) -> id.equals("slow") ? 0.01f : 1f).build();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray slow = manager.create(new float[] {1f});
      NDArray fast = manager.create(new float[] {1f});
      sgd.update("slow", slow, manager.create(new float[] {1f}));
      sgd.update("fast", fast, manager.create(new float[] {1f}));

      assertThat(slow.getFloat(0)).isCloseTo(0.99f, Offset.offset(1e-6f));
      assertThat(fast.getFloat(0)).isCloseTo(0f, Offset.offset(1e-6f));
    }
  }

  @Test
  void nesterovWithoutMomentumIsRefused() {
    assertThatThrownBy(
            () -> NesterovSgd.builder().setLearningRate((id, s) -> 1f).optNesterov(true).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
