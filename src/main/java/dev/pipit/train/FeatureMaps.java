package dev.pipit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Backbone feature maps of a set of images, kept in one flat array: image {@code i} occupies {@code
 * [i·C·h·w, (i+1)·C·h·w)}, channel-major.
 *
 * @param data the maps, row-major (N, C, h, w)
 * @param count N
 * @param channels C
 * @param height h
 * @param width w
 */
public record FeatureMaps(float[] data, int count, int channels, int height, int width) {

  public FeatureMaps {
    if ((long) count * channels * height * width != data.length) {
      throw new IllegalArgumentException(
          "data does not hold " + count + " maps of " + channels + "×" + height + "×" + width);
    }
  }

  /** Floats per image. */
  public int length() {
    return channels * height * width;
  }

  /** Gathers the maps of {@code rows} into a (B, C, h, w) array of {@code manager}. */
  public NDArray batch(int[] rows, NDManager manager) {
    int n = length();
    float[] out = new float[rows.length * n];
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(data, rows[b] * n, out, b * n, n);
    }
    return manager.create(out, new Shape(rows.length, channels, height, width));
  }
}
