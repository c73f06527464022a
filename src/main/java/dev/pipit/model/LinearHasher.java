package dev.pipit.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A linear hash function on feature vectors: {@code code = sign((x − μ) · P)} with μ the feature
 * mean (d) and P a d × c projection, as fitted by the LSH and ITQ baselines ({@code
 * dev.pipit.train.baseline}).
 *
 * <p>Stored form ({@link #write}): big-endian {@code int magic "PLH1", int d, int c, float μ[d],
 * float P[d·c]} (P row-major).
 */
public record LinearHasher(float[] mean, float[] projection, int dimensions, int bits) {

  private static final int MAGIC = 0x504C4831; // "PLH1"

  public LinearHasher {
    if (mean.length != dimensions || projection.length != dimensions * bits) {
      throw new IllegalArgumentException("mean must be d and projection d × c");
    }
  }

  /** The real-valued projection {@code (x − μ)·P} of one feature vector. */
  public float[] project(float[] x) {
    if (x.length != dimensions) {
      throw new IllegalArgumentException(
          "feature has " + x.length + " dimensions, expected " + dimensions);
    }
    float[] out = new float[bits];
    for (int i = 0; i < dimensions; i++) {
      float centred = x[i] - mean[i];
      int row = i * bits;
      for (int k = 0; k < bits; k++) {
        out[k] += centred * projection[row + k];
      }
    }
    return out;
  }

  /** Writes the stored form. */
  public void write(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    data.writeInt(dimensions);
    data.writeInt(bits);
    for (float v : mean) {
      data.writeFloat(v);
    }
    for (float v : projection) {
      data.writeFloat(v);
    }
    data.flush();
  }

  /** Reads the stored form. */
  public static LinearHasher read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != MAGIC) {
      throw new IOException("not a linear hasher file (bad magic)");
    }
    int d = data.readInt();
    int c = data.readInt();
    if (d < 1 || c < 1 || c > Architecture.MAX_BITS || (long) d * c > 64L << 20) {
      throw new IOException("implausible linear hasher shape " + d + " × " + c);
    }
    float[] mean = new float[d];
    for (int i = 0; i < d; i++) {
      mean[i] = data.readFloat();
    }
    float[] projection = new float[d * c];
    for (int i = 0; i < projection.length; i++) {
      projection[i] = data.readFloat();
    }
    return new LinearHasher(mean, projection, d, c);
  }

  /** The mean of n feature vectors of equal dimension. */
  public static float[] meanOf(float[][] features) {
    int d = features[0].length;
    double[] sum = new double[d];
    for (float[] x : features) {
      for (int i = 0; i < d; i++) {
        sum[i] += x[i];
      }
    }
    float[] mean = new float[d];
    for (int i = 0; i < d; i++) {
      mean[i] = (float) (sum[i] / features.length);
    }
    return mean;
  }
}
