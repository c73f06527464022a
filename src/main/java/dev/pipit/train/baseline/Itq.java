package dev.pipit.train.baseline;

import dev.pipit.model.LinearHasher;
import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Iterative quantisation (Gong &amp; Lazebnik, CVPR 2011): project centred features onto their
 * top-c principal components, then find the rotation R that minimises the quantisation loss ‖B −
 * VR‖² by alternating B = sign(VR) and the orthogonal Procrustes solution R = U Wᵀ of VᵀB = U Σ Wᵀ.
 */
public final class Itq {

  private Itq() {}

  /**
   * @param features n × d feature vectors
   * @param bits code length c ≤ d
   * @param iterations alternation steps (50 in the paper)
   * @param seed seed of the initial random rotation
   */
  public static LinearHasher fit(float[][] features, int bits, int iterations, long seed) {
    int n = features.length;
    int d = features[0].length;
    if (bits > d) {
      throw new IllegalArgumentException(
          "ITQ needs bits <= feature dimension, got " + bits + " > " + d);
    }
    float[] mean = LinearHasher.meanOf(features);
    DMatrixRMaj x = new DMatrixRMaj(n, d);
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < d; i++) {
        x.unsafe_set(r, i, features[r][i] - mean[i]);
      }
    }
    DMatrixRMaj pca = topPrincipalComponents(x, bits); // d × c
    DMatrixRMaj v = new DMatrixRMaj(n, bits);
    CommonOps_DDRM.mult(x, pca, v);

    DMatrixRMaj rotation = randomRotation(bits, seed);
    DMatrixRMaj projected = new DMatrixRMaj(n, bits);
    DMatrixRMaj b = new DMatrixRMaj(n, bits);
    DMatrixRMaj vtb = new DMatrixRMaj(bits, bits);
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(bits, bits, true, true, false);
    for (int it = 0; it < iterations; it++) {
      CommonOps_DDRM.mult(v, rotation, projected);
      for (int i = 0; i < b.data.length; i++) {
        b.data[i] = projected.data[i] >= 0 ? 1 : -1;
      }
      CommonOps_DDRM.multTransA(v, b, vtb);
      if (!svd.decompose(vtb)) {
        throw new IllegalStateException("SVD failed in ITQ iteration " + it);
      }
      DMatrixRMaj u = svd.getU(null, false);
      DMatrixRMaj w = svd.getV(null, false);
      CommonOps_DDRM.multTransB(u, w, rotation);
    }
    DMatrixRMaj full = new DMatrixRMaj(d, bits);
    CommonOps_DDRM.mult(pca, rotation, full);
    float[] projection = new float[d * bits];
    for (int i = 0; i < projection.length; i++) {
      projection[i] = (float) full.data[i];
    }
    return new LinearHasher(mean, projection, d, bits);
  }

  /**
   * Quantisation loss ‖sign(VR) − VR‖² / n of a fitted hasher on features (for tests and reports).
   */
  public static double quantisationLoss(LinearHasher hasher, float[][] features) {
    double loss = 0;
    for (float[] x : features) {
      for (float p : hasher.project(x)) {
        double e = (p >= 0 ? 1 : -1) - p;
        loss += e * e;
      }
    }
    return loss / features.length;
  }

  /**
   * Eigenvectors of XᵀX with the c largest eigenvalues, as columns of a d × c matrix. With fewer
   * rows than columns (n &lt; d) the n × n Gram matrix XXᵀ is decomposed instead: its eigenvector w
   * with eigenvalue λ gives XᵀX's eigenvector Xᵀw / √λ, at a fraction of the cost.
   */
  static DMatrixRMaj topPrincipalComponents(DMatrixRMaj x, int c) {
    return x.numRows < x.numCols
        ? topPrincipalComponentsByGram(x, c)
        : topPrincipalComponentsByCovariance(x, c);
  }

  /** Eigen-decomposition of the d × d XᵀX. */
  static DMatrixRMaj topPrincipalComponentsByCovariance(DMatrixRMaj x, int c) {
    int d = x.numCols;
    DMatrixRMaj covariance = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransA(x, x, covariance);
    EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eigen.decompose(covariance)) {
      throw new IllegalStateException("eigendecomposition of the feature covariance failed");
    }
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order, (a, b) -> Double.compare(eigen.getEigenvalue(b).real, eigen.getEigenvalue(a).real));
    DMatrixRMaj components = new DMatrixRMaj(d, c);
    for (int k = 0; k < c; k++) {
      DMatrixRMaj vector = eigen.getEigenVector(order[k]);
      for (int i = 0; i < d; i++) {
        components.unsafe_set(i, k, vector.get(i, 0));
      }
    }
    return components;
  }

  /** Eigen-decomposition of the n × n XXᵀ, mapped back. */
  static DMatrixRMaj topPrincipalComponentsByGram(DMatrixRMaj x, int c) {
    int n = x.numRows;
    int d = x.numCols;
    if (c > n) {
      throw new IllegalArgumentException(
          "ITQ needs bits <= number of features, got " + c + " > " + n);
    }
    DMatrixRMaj gram = new DMatrixRMaj(n, n);
    CommonOps_DDRM.multTransB(x, x, gram);
    EigenDecomposition_F64<DMatrixRMaj> eigen = DecompositionFactory_DDRM.eig(n, true, true);
    if (!eigen.decompose(gram)) {
      throw new IllegalStateException("eigendecomposition of the feature Gram matrix failed");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order, (a, b) -> Double.compare(eigen.getEigenvalue(b).real, eigen.getEigenvalue(a).real));
    DMatrixRMaj components = new DMatrixRMaj(d, c);
    DMatrixRMaj column = new DMatrixRMaj(d, 1);
    for (int k = 0; k < c; k++) {
      DMatrixRMaj w = eigen.getEigenVector(order[k]);
      CommonOps_DDRM.multTransA(x, w, column);
      double norm = NormOps_DDRM.normF(column);
      if (!(norm > 0)) {
        throw new IllegalStateException("features span fewer than " + c + " dimensions");
      }
      for (int i = 0; i < d; i++) {
        components.unsafe_set(i, k, column.get(i, 0) / norm);
      }
    }
    return components;
  }

  private static DMatrixRMaj randomRotation(int c, long seed) {
    Random random = new Random(seed);
    DMatrixRMaj gaussian = new DMatrixRMaj(c, c);
    for (int i = 0; i < gaussian.data.length; i++) {
      gaussian.data[i] = random.nextGaussian();
    }
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(c, c, true, true, false);
    if (!svd.decompose(gaussian)) {
      throw new IllegalStateException("SVD of the initial rotation failed");
    }
    DMatrixRMaj rotation = new DMatrixRMaj(c, c);
    CommonOps_DDRM.multTransB(svd.getU(null, false), svd.getV(null, false), rotation);
    return rotation;
  }
}
