package dev.pipit.train;

/**
 * The discrete cyclic coordinate descent step of ADSH (Jiang &amp; Li, AAAI 2018) that learns the
 * database codes V with the network fixed. With U the tanh outputs of the sampled set Ω (m × c) and
 * V the database codes (N × c, entries ±1), one sweep over the bits is
 *
 * <pre>
 *   Ū = 0 (N × c); Ū[Ω] = U
 *   Q = −2c · S̃ᵀU − 2γ · Ū
 *   for k in 0..c−1:  V[:,k] = −sign(2 · V̂_k (Û_kᵀ U[:,k]) + Q[:,k])
 * </pre>
 *
 * where V̂_k and Û_k drop column k. The update is in place: later bits see the already-updated
 * earlier ones. sign(0) is taken as +1 (after the minus: an exact 0 gives +1), so V stays strictly
 * ±1.
 *
 * <p>Matrices are row-major {@code float[]}. For single-label data S̃ takes two values, so {@code
 * S̃ᵀU} is computed from per-class sums of U in O((m + N)·c) rather than O(m·N·c).
 */
public final class DatabaseCodeUpdate {

  private DatabaseCodeUpdate() {}

  /**
   * Runs one sweep over all bits, updating {@code v} in place.
   *
   * @param v database codes, N × c, entries ±1 (updated)
   * @param u tanh outputs of Ω, m × c
   * @param omega database index of each row of u (m entries)
   * @param similarity S̃ between Ω and the database
   * @param classes number of classes
   * @param bits code length c
   * @param gamma weight γ of the quantisation term
   */
  public static void sweep(
      float[] v,
      float[] u,
      int[] omega,
      SoftSimilarity similarity,
      int classes,
      int bits,
      float gamma) {
    int n = similarity.database();
    int m = similarity.samples();
    float[] q = linearTerm(u, omega, similarity, classes, bits, gamma, n, m);
    sweepWithLinearTerm(v, u, q, n, m, bits);
  }

  /** Q = −2c · S̃ᵀU − 2γ · Ū, using the two-valued structure of S̃. */
  static float[] linearTerm(
      float[] u,
      int[] omega,
      SoftSimilarity similarity,
      int classes,
      int bits,
      float gamma,
      int n,
      int m) {
    double[] classSums = new double[classes * bits];
    double[] totalSum = new double[bits];
    for (int i = 0; i < m; i++) {
      int label = similarity.sampleLabel(i);
      for (int k = 0; k < bits; k++) {
        float value = u[i * bits + k];
        classSums[label * bits + k] += value;
        totalSum[k] += value;
      }
    }
    // (S̃ᵀU)_j = Σ_{i same class} U_i + d · Σ_{i other class} U_i = (1 − d)·classSum + d·total
    double d = similarity.dissimilar();
    float[] q = new float[n * bits];
    for (int j = 0; j < n; j++) {
      int label = similarity.databaseLabel(j);
      for (int k = 0; k < bits; k++) {
        double stu = (1 - d) * classSums[label * bits + k] + d * totalSum[k];
        q[j * bits + k] = (float) (-2.0 * bits * stu);
      }
    }
    for (int i = 0; i < m; i++) {
      int j = omega[i];
      for (int k = 0; k < bits; k++) {
        q[j * bits + k] -= 2f * gamma * u[i * bits + k];
      }
    }
    return q;
  }

  /** The bit-by-bit sweep given Q. Package-private so tests can feed a Q built from a dense S̃. */
  static void sweepWithLinearTerm(float[] v, float[] u, float[] q, int n, int m, int bits) {
    double[] uu = new double[bits * bits]; // UᵀU: entry (l, k) = Σ_i U_il U_ik
    for (int i = 0; i < m; i++) {
      for (int l = 0; l < bits; l++) {
        float ul = u[i * bits + l];
        for (int k = 0; k < bits; k++) {
          uu[l * bits + k] += ul * u[i * bits + k];
        }
      }
    }
    for (int k = 0; k < bits; k++) {
      for (int j = 0; j < n; j++) {
        double x = q[j * bits + k];
        for (int l = 0; l < bits; l++) {
          if (l != k) {
            x += 2.0 * v[j * bits + l] * uu[l * bits + k];
          }
        }
        v[j * bits + k] = x > 0 ? -1f : 1f;
      }
    }
  }
}
