package dev.pipit.train.baseline;

import dev.pipit.model.LinearHasher;
import java.util.Random;

/**
 * Locality-sensitive hashing by random hyperplanes (Charikar 2002): each bit is the side of a
 * random Gaussian hyperplane through the feature mean. Data-independent apart from centring.
 */
public final class Lsh {

  private Lsh() {}

  /**
   * @param features n feature vectors of equal dimension (used only for the mean)
   * @param bits code length
   * @param seed random seed: the same seed gives the same hyperplanes
   */
  public static LinearHasher fit(float[][] features, int bits, long seed) {
    int d = features[0].length;
    Random random = new Random(seed);
    float[] projection = new float[d * bits];
    for (int i = 0; i < projection.length; i++) {
      projection[i] = (float) random.nextGaussian();
    }
    return new LinearHasher(LinearHasher.meanOf(features), projection, d, bits);
  }
}
