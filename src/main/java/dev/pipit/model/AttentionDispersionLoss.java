package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * AGMH's Attention Dispersion Loss: pushes the K attribute descriptors to attend to different
 * places.
 *
 * <p>For each SIEA output {@code A^(i)} (B, C, h, w): {@code m_i[b, p] = max_c A^(i)[b, c, p]},
 * {@code a_i = softmax_p(m_i)} over the N = h·w positions; {@code L = Σ_b Σ_{i<j} Σ_p a_i[b,
 * p]·a_j[b, p] / (B · K(K−1)/2)}.
 *
 * <p>As a DJL {@link Loss} it reads AGMH's training outputs {@code [u, A^(1), …, A^(K)]} and
 * ignores the labels.
 */
public final class AttentionDispersionLoss extends Loss {

  /** Creates the loss under the name {@code ADL}. */
  public AttentionDispersionLoss() {
    super("ADL");
  }

  /** {@inheritDoc} */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return compute(predictions.subNDList(1));
  }

  /**
   * The loss over K ≥ 2 maps of equal shape (B, C, h, w) or (B, C, N).
   *
   * @return a scalar
   */
  public static NDArray compute(NDList maps) {
    int k = maps.size();
    if (k < 2) {
      throw new IllegalArgumentException("ADL needs at least two attention maps, got " + k);
    }
    long batch = maps.get(0).getShape().get(0);
    NDArray[] a = new NDArray[k];
    for (int i = 0; i < k; i++) {
      NDArray m = maps.get(i).max(new int[] {1}); // (B, h, w) or (B, N)
      a[i] = m.reshape(batch, -1).softmax(1); // (B, N)
    }
    NDArray total = null;
    for (int i = 0; i < k; i++) {
      for (int j = i + 1; j < k; j++) {
        NDArray overlap = a[i].mul(a[j]).sum();
        total = total == null ? overlap : total.add(overlap);
      }
    }
    return total.div(batch * (k * (k - 1) / 2.0f));
  }
}
