package dev.pipit.encode.jpeg;

/**
 * Brings one component's row to full resolution as libjpeg-turbo does with its default fancy
 * upsampling ({@code jdsample.c}): a triangle filter for 2:1 horizontal (h2v1), 2:1 vertical (h1v2)
 * and both (h2v2), with libjpeg's alternating rounding biases; replication for other integral
 * ratios and for components at most 2 samples wide. Beyond its last sample row and column a
 * component repeats its edge, as libjpeg's context rows do.
 */
final class Upsampler {

  private enum Method {
    FULL,
    H2V1_FANCY,
    H1V2_FANCY,
    H2V2_FANCY,
    REPLICATE
  }

  private final Component c;
  private final Method method;
  private final int hExpand;
  private final int vExpand;
  private final int[] columnSums;

  Upsampler(Component c, Frame frame) {
    this.c = c;
    if (frame.maxH % c.h != 0 || frame.maxV % c.v != 0) {
      throw JpegException.unsupported(
          "non-integral sampling ratio " + frame.maxH + "/" + c.h + " × " + frame.maxV + "/" + c.v);
    }
    hExpand = frame.maxH / c.h;
    vExpand = frame.maxV / c.v;
    boolean wide = c.width > 2;
    if (hExpand == 1 && vExpand == 1) {
      method = Method.FULL;
    } else if (hExpand == 2 && vExpand == 1 && wide) {
      method = Method.H2V1_FANCY;
    } else if (hExpand == 1 && vExpand == 2) {
      method = Method.H1V2_FANCY;
    } else if (hExpand == 2 && vExpand == 2 && wide) {
      method = Method.H2V2_FANCY;
    } else {
      method = Method.REPLICATE;
    }
    columnSums = new int[c.width];
  }

  /**
   * Writes output row {@code y} (samples 0–255) into {@code out}, which must hold {@code hExpand ·
   * c.width} samples (at least the image width).
   */
  void row(int y, int[] out) {
    byte[] p = c.plane;
    int stride = c.stride();
    int n = c.width;
    switch (method) {
      case FULL -> {
        int base = y * stride;
        for (int x = 0; x < n; x++) {
          out[x] = p[base + x] & 0xff;
        }
      }
      case H2V1_FANCY -> {
        int base = y * stride;
        int last = n - 1;
        for (int i = 0; i < n; i++) {
          int a = 3 * (p[base + i] & 0xff);
          int left = p[base + Math.max(i - 1, 0)] & 0xff;
          int right = p[base + Math.min(i + 1, last)] & 0xff;
          out[2 * i] = (a + left + 1) >> 2;
          out[2 * i + 1] = (a + right + 2) >> 2;
        }
      }
      case H1V2_FANCY -> {
        int near = (y >> 1) * stride;
        int far = neighbourRow(y) * stride;
        int bias = (y & 1) == 0 ? 1 : 2;
        for (int x = 0; x < n; x++) {
          out[x] = (3 * (p[near + x] & 0xff) + (p[far + x] & 0xff) + bias) >> 2;
        }
      }
      case H2V2_FANCY -> {
        int near = (y >> 1) * stride;
        int far = neighbourRow(y) * stride;
        int[] sums = columnSums;
        for (int x = 0; x < n; x++) {
          sums[x] = 3 * (p[near + x] & 0xff) + (p[far + x] & 0xff);
        }
        int last = n - 1;
        for (int i = 0; i < n; i++) {
          int a = 3 * sums[i];
          out[2 * i] = (a + sums[Math.max(i - 1, 0)] + 8) >> 4;
          out[2 * i + 1] = (a + sums[Math.min(i + 1, last)] + 7) >> 4;
        }
      }
      case REPLICATE -> {
        int base = Math.min(y / vExpand, c.height - 1) * stride;
        int w = n * hExpand;
        for (int x = 0; x < w; x++) {
          out[x] = p[base + x / hExpand] & 0xff;
        }
      }
      default -> throw new IllegalStateException(method.name());
    }
  }

  /**
   * The next-nearest input row of output row {@code y} of a 2:1 vertical component, edge-clamped.
   */
  private int neighbourRow(int y) {
    int row = y >> 1;
    return (y & 1) == 0 ? Math.max(row - 1, 0) : Math.min(row + 1, c.height - 1);
  }

  /** Samples {@link #row} may write: the component width times its horizontal expansion. */
  int rowLength() {
    return c.width * hExpand;
  }
}
