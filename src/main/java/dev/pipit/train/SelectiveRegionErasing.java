package dev.pipit.train;

import java.util.Arrays;

/**
 * FCAENet's selective region erasing module (SREM): erases the regions the network attends to most,
 * so that it learns from the rest of the object too. For one image:
 *
 * <ol>
 *   <li>A = channel mean of the last conv feature map (h × w), bilinearly upsampled to the input
 *       size (PyTorch {@code interpolate(mode="bilinear", align_corners=False)} semantics);
 *   <li>normalised to [0, 1] with (A − min) / (max − min + ε);
 *   <li>pixels ranked by A, descending (ties by row-major position, so the mask is deterministic);
 *   <li>for each of the top {@code regions} pixels, the {@code size × size} square whose top-left
 *       corner is that pixel is erased.
 * </ol>
 *
 * The paper pads A with zeros on the right and bottom to a multiple of the grid size before
 * ranking; the padded zeros never outrank a real pixel of a normalised map, so padding only lets
 * squares run past the image edge, which clipping the squares does identically. The hottest pixels
 * are usually adjacent, so the squares overlap, as the paper observes.
 *
 * @param regions number of squares N (paper default 50)
 * @param size square side S in pixels (paper default 32)
 */
public record SelectiveRegionErasing(int regions, int size) {

  private static final float EPSILON = 1e-8f;

  public SelectiveRegionErasing {
    if (regions < 0 || size < 1) {
      throw new IllegalArgumentException("regions must be >= 0 and size >= 1");
    }
  }

  /**
   * Computes the erase mask of one image.
   *
   * @param features feature map, channels × h × w, row-major
   * @param height input image height
   * @param width input image width
   * @return height × width mask: 1 keeps a pixel, 0 erases it
   */
  public float[] mask(float[] features, int channels, int h, int w, int height, int width) {
    return mask(features, 0, channels, h, w, height, width);
  }

  /** As {@link #mask(float[], int, int, int, int, int)}, for the map starting at {@code offset}. */
  public float[] mask(
      float[] features, int offset, int channels, int h, int w, int height, int width) {
    float[] attention =
        normalise(
            upsampleBilinear(channelMean(features, offset, channels, h, w), h, w, height, width));
    Integer[] order = new Integer[attention.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        (a, b) -> Float.compare(attention[b], attention[a])); // stable: ties keep position order
    float[] mask = new float[height * width];
    Arrays.fill(mask, 1f);
    for (int r = 0; r < Math.min(regions, order.length); r++) {
      int top = order[r] / width;
      int left = order[r] % width;
      for (int y = top; y < Math.min(height, top + size); y++) {
        Arrays.fill(mask, y * width + left, y * width + Math.min(width, left + size), 0f);
      }
    }
    return mask;
  }

  /** Multiplies every channel of a CHW image by the mask, in place. */
  public static void apply(float[] image, int channels, float[] mask) {
    int plane = mask.length;
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < plane; p++) {
        image[c * plane + p] *= mask[p];
      }
    }
  }

  static float[] channelMean(float[] features, int offset, int channels, int h, int w) {
    float[] mean = new float[h * w];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < mean.length; p++) {
        mean[p] += features[offset + c * h * w + p];
      }
    }
    for (int p = 0; p < mean.length; p++) {
      mean[p] /= channels;
    }
    return mean;
  }

  /**
   * Bilinear resize with half-pixel centres and edge clamping, as PyTorch with align_corners=False.
   */
  static float[] upsampleBilinear(float[] src, int h, int w, int outH, int outW) {
    float[] out = new float[outH * outW];
    float scaleY = (float) h / outH;
    float scaleX = (float) w / outW;
    for (int y = 0; y < outH; y++) {
      float sy = Math.max(0f, (y + 0.5f) * scaleY - 0.5f);
      int y0 = Math.min((int) sy, h - 1);
      int y1 = Math.min(y0 + 1, h - 1);
      float fy = sy - y0;
      for (int x = 0; x < outW; x++) {
        float sx = Math.max(0f, (x + 0.5f) * scaleX - 0.5f);
        int x0 = Math.min((int) sx, w - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        float fx = sx - x0;
        float topRow = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
        float bottomRow = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
        out[y * outW + x] = topRow * (1 - fy) + bottomRow * fy;
      }
    }
    return out;
  }

  static float[] normalise(float[] a) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (a[i] - min) / (max - min + EPSILON);
    }
    return out;
  }
}
