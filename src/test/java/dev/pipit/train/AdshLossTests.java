package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class AdshLossTests {

  @Test
  void matchesTheFormulaComputedByHand() {
    int b = 3;
    int n = 5;
    int c = 4;
    float gamma = 200f;
    Random random = new Random(9);
    float[] u = new float[b * c];
    float[] v = new float[n * c];
    float[] s = new float[b * n];
    int[] omega = {4, 0, 2};
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) Math.tanh(random.nextGaussian());
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextBoolean() ? 1 : -1;
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = random.nextBoolean() ? 1 : -0.25f;
    }
    float[] vOfBatch = new float[b * c];
    for (int i = 0; i < b; i++) {
      System.arraycopy(v, omega[i] * c, vOfBatch, i * c, c);
    }
    double hash = 0;
    double quan = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int k = 0; k < c; k++) {
          dot += u[i * c + k] * v[j * c + k];
        }
        hash += Math.pow(c * s[i * n + j] - dot, 2);
      }
      for (int k = 0; k < c; k++) {
        quan += Math.pow(u[i * c + k] - vOfBatch[i * c + k], 2);
      }
    }
    double scale = 12.0 / c / (b * n);

    try (NDManager m = NDManager.newBaseManager()) {
      AdshLoss.Terms terms =
          AdshLoss.compute(
              m.create(u, new Shape(b, c)),
              m.create(v, new Shape(n, c)),
              m.create(s, new Shape(b, n)),
              m.create(vOfBatch, new Shape(b, c)),
              gamma);

      assertThat((double) terms.hash().getFloat()).isCloseTo(hash * scale, Offset.offset(1e-4));
      assertThat((double) terms.quantisation().getFloat())
          .isCloseTo(gamma * quan * scale, Offset.offset(1e-3));
      assertThat((double) terms.total().getFloat())
          .isCloseTo(hash * scale + gamma * quan * scale, Offset.offset(1e-3));
    }
  }

  @Test
  void spaceRelationIsZeroForIdenticalCodesAndWeighsItsTerms() {
    try (NDManager m = NDManager.newBaseManager()) {
      var u = m.create(new float[] {1, -1, 1, 1}, new Shape(2, 2));
      var positive =
          m.create(new float[] {1, 1, 1, 1}, new Shape(2, 2)); // row 0 differs by 2 in one bit
      var erased = m.create(new float[] {1, -1, 1, 1}, new Shape(2, 2));

      assertThat(AdshLoss.spaceRelation(u, u, u, 1f, 1f).getFloat()).isZero();
      // mean over rows of ‖u − u⁺‖² = (4 + 0) / 2 = 2; times α / c = 0.5 / 2
      assertThat(AdshLoss.spaceRelation(u, positive, erased, 0.5f, 3f).getFloat())
          .isCloseTo(0.5f, Offset.offset(1e-6f));
    }
  }
}
