package dev.pipit.train;

/**
 * The "soft" pairwise similarity of AGMH/SEMICON for single-label data: {@code S̃_ij = 1} when
 * sample {@code i} of Ω and database item {@code j} share a class, else {@code −r} with {@code r =
 * n_sim / n_dis} counted over the whole {@code m × N} block. This is {@code S(1+r) − r} applied to
 * the 0/1 similarity (and equally to the ±1 form), which balances the few similar pairs against the
 * many dissimilar ones.
 *
 * <p>Because it takes only two values, the matrix is never materialised; {@link #value} gives an
 * entry and {@link #dissimilar} the negative value.
 */
public final class SoftSimilarity {

  private final int[] sampleLabels;
  private final int[] databaseLabels;
  private final float dissimilar;

  private SoftSimilarity(int[] sampleLabels, int[] databaseLabels, float dissimilar) {
    this.sampleLabels = sampleLabels;
    this.databaseLabels = databaseLabels;
    this.dissimilar = dissimilar;
  }

  /**
   * @param sampleLabels labels of the sampled set Ω (m entries)
   * @param databaseLabels labels of the whole database (N entries)
   * @param classes number of classes (labels are 0..classes−1)
   */
  public static SoftSimilarity of(int[] sampleLabels, int[] databaseLabels, int classes) {
    long[] databasePerClass = new long[classes];
    for (int label : databaseLabels) {
      databasePerClass[label]++;
    }
    long similar = 0;
    for (int label : sampleLabels) {
      similar += databasePerClass[label];
    }
    long total = (long) sampleLabels.length * databaseLabels.length;
    long dissimilarPairs = total - similar;
    // With no dissimilar pair the matrix is all ones and r is undefined; nothing needs balancing.
    float r = dissimilarPairs == 0 ? 0f : (float) ((double) similar / dissimilarPairs);
    return new SoftSimilarity(sampleLabels, databaseLabels, -r);
  }

  /** {@code S̃_ij}. */
  public float value(int i, int j) {
    return sampleLabels[i] == databaseLabels[j] ? 1f : dissimilar;
  }

  /** The value of a dissimilar pair, {@code −n_sim / n_dis}. */
  public float dissimilar() {
    return dissimilar;
  }

  /** Rows of S̃ (m). */
  public int samples() {
    return sampleLabels.length;
  }

  /** Columns of S̃ (N). */
  public int database() {
    return databaseLabels.length;
  }

  int sampleLabel(int i) {
    return sampleLabels[i];
  }

  int databaseLabel(int j) {
    return databaseLabels[j];
  }

  /** Row {@code i} of S̃ restricted to the given database items (for a mini-batch loss). */
  public float[] row(int i) {
    float[] row = new float[databaseLabels.length];
    for (int j = 0; j < row.length; j++) {
      row[j] = value(i, j);
    }
    return row;
  }
}
