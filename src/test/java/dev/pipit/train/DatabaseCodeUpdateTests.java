package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class DatabaseCodeUpdateTests {

  /** The ADSH objective restricted to V: Σ_i Σ_j (u_iᵀv_j − c·S̃_ij)² + γ Σ_i ‖v_Ω(i) − u_i‖². */
  static double objective(
      float[] v, float[] u, int[] omega, SoftSimilarity s, int bits, float gamma) {
    double total = 0;
    for (int i = 0; i < s.samples(); i++) {
      for (int j = 0; j < s.database(); j++) {
        double dot = 0;
        for (int k = 0; k < bits; k++) {
          dot += u[i * bits + k] * v[j * bits + k];
        }
        double e = dot - bits * s.value(i, j);
        total += e * e;
      }
      for (int k = 0; k < bits; k++) {
        double e = v[omega[i] * bits + k] - u[i * bits + k];
        total += gamma * e * e;
      }
    }
    return total;
  }

  record Problem(
      float[] v, float[] u, int[] omega, SoftSimilarity s, int classes, int bits, float gamma) {}

  static Problem random(long seed, int n, int m, int bits, int classes) {
    Random random = new Random(seed);
    int[] labels = new int[n];
    for (int j = 0; j < n; j++) {
      labels[j] = random.nextInt(classes);
    }
    int[] omega = random.ints(0, n).distinct().limit(m).toArray();
    int[] sampleLabels = new int[m];
    float[] u = new float[m * bits];
    for (int i = 0; i < m; i++) {
      sampleLabels[i] = labels[omega[i]];
      for (int k = 0; k < bits; k++) {
        u[i * bits + k] = (float) Math.tanh(random.nextGaussian());
      }
    }
    float[] v = new float[n * bits];
    for (int x = 0; x < v.length; x++) {
      v[x] = random.nextBoolean() ? 1f : -1f;
    }
    return new Problem(
        v, u, omega, SoftSimilarity.of(sampleLabels, labels, classes), classes, bits, 200f);
  }

  @RepeatedTest(20)
  void eachBitIsTheExactMinimiserGivenTheOthers(RepetitionInfo repetition) {
    int n = 7;
    Problem p = random(repetition.getCurrentRepetition(), n, 4, 5, 3);
    float[] brute = p.v().clone();
    // Brute force, bit by bit in place: try all 2^n columns, keep the one with the lowest
    // objective.
    for (int k = 0; k < p.bits(); k++) {
      double best = Double.MAX_VALUE;
      int bestMask = 0;
      for (int mask = 0; mask < (1 << n); mask++) {
        for (int j = 0; j < n; j++) {
          brute[j * p.bits() + k] = (mask >> j & 1) == 1 ? 1f : -1f;
        }
        double value = objective(brute, p.u(), p.omega(), p.s(), p.bits(), p.gamma());
        if (value < best) {
          best = value;
          bestMask = mask;
        }
      }
      for (int j = 0; j < n; j++) {
        brute[j * p.bits() + k] = (bestMask >> j & 1) == 1 ? 1f : -1f;
      }
    }

    float[] v = p.v().clone();
    DatabaseCodeUpdate.sweep(v, p.u(), p.omega(), p.s(), p.classes(), p.bits(), p.gamma());

    assertThat(v).containsExactly(brute);
  }

  @Test
  void aSweepNeverIncreasesTheObjective() {
    Problem p = random(42, 200, 40, 24, 10);
    float[] v = p.v().clone();
    double before = objective(v, p.u(), p.omega(), p.s(), p.bits(), p.gamma());
    for (int sweep = 0; sweep < 3; sweep++) {
      DatabaseCodeUpdate.sweep(v, p.u(), p.omega(), p.s(), p.classes(), p.bits(), p.gamma());
      double after = objective(v, p.u(), p.omega(), p.s(), p.bits(), p.gamma());
      assertThat(after).isLessThanOrEqualTo(before + 1e-3);
      before = after;
    }
    for (float x : v) {
      assertThat(Math.abs(x)).isEqualTo(1f);
    }
  }

  @Test
  void theClassSumShortcutEqualsTheDenseProduct() {
    Problem p = random(3, 50, 12, 12, 4);
    int n = p.s().database();
    int m = p.s().samples();
    float[] fast =
        DatabaseCodeUpdate.linearTerm(
            p.u(), p.omega(), p.s(), p.classes(), p.bits(), p.gamma(), n, m);
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < p.bits(); k++) {
        double dense = 0;
        for (int i = 0; i < m; i++) {
          dense += p.s().value(i, j) * p.u()[i * p.bits() + k];
        }
        dense *= -2.0 * p.bits();
        for (int i = 0; i < m; i++) {
          if (p.omega()[i] == j) {
            dense -= 2.0 * p.gamma() * p.u()[i * p.bits() + k];
          }
        }
        assertThat((double) fast[j * p.bits() + k]).isCloseTo(dense, Offset.offset(1e-3));
      }
    }
  }
}
