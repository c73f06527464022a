package dev.pipit.train;

import ai.djl.ndarray.NDArray;

/**
 * The asymmetric hashing loss of ADSH with the AGMH/SEMICON normalisation, for a mini-batch Φ of
 * the sampled set Ω against all N database codes V:
 *
 * <pre>
 *   L_hash = (12/c) · Σ_{i∈Φ} Σ_j (c·S̃_ij − u_iᵀv_j)² / (|Φ|·N)
 *   L_quan = (12/c) · γ · Σ_{i∈Φ} ‖u_i − v_Ω(i)‖² / (|Φ|·N)
 * </pre>
 *
 * Shapes: B = |Φ|, N = database size, c = bits.
 */
public final class AdshLoss {

  private AdshLoss() {}

  /** The two terms of the loss, each a scalar NDArray. */
  public record Terms(NDArray hash, NDArray quantisation) {

    /** L_hash + L_quan. */
    public NDArray total() {
      return hash.add(quantisation);
    }
  }

  /**
   * @param u network outputs tanh(F(x)) of the batch, (B, c)
   * @param v database codes, (N, c), entries ±1, no gradient
   * @param similarity rows of S̃ for the batch, (B, N)
   * @param vOfBatch the database codes of the batch's own images, (B, c)
   * @param gamma weight γ of the quantisation term
   */
  public static Terms compute(
      NDArray u, NDArray v, NDArray similarity, NDArray vOfBatch, float gamma) {
    long batch = u.getShape().get(0);
    long bits = u.getShape().get(1);
    long database = v.getShape().get(0);
    float scale = 12f / bits / (batch * database);
    NDArray residual = similarity.mul(bits).sub(u.matMul(v.transpose())); // (B, N)
    NDArray hash = residual.square().sum().mul(scale);
    NDArray quantisation = u.sub(vOfBatch).square().sum().mul(scale * gamma);
    return new Terms(hash, quantisation);
  }

  /**
   * FCAENet's enhancing space relation loss, reconstructed (the paper's equations were lost): pulls
   * the codes of an image, a same-class positive and its SREM-erased copy together, {@code α·mean‖u
   * − u⁺‖²/c + β·mean‖u − u_e‖²/c}.
   *
   * @param u outputs of the images, (B, c)
   * @param positive outputs of same-class positives, (B, c)
   * @param erased outputs of the erased images, (B, c)
   */
  public static NDArray spaceRelation(
      NDArray u, NDArray positive, NDArray erased, float alpha, float beta) {
    long bits = u.getShape().get(1);
    NDArray toPositive = u.sub(positive).square().sum(new int[] {1}).mean();
    NDArray toErased = u.sub(erased).square().sum(new int[] {1}).mean();
    return toPositive.mul(alpha / bits).add(toErased.mul(beta / bits));
  }
}
