package dev.pipit.encode;

/**
 * Separable resampling of float planes, evaluated only inside an output window (so resize-then-crop
 * never computes the pixels the crop throws away).
 *
 * <p>Coefficients follow Pillow's {@code ImagingResample}: output pixel {@code i} is centred at
 * source coordinate {@code c = (i + 0.5)·scale}; with filter scale {@code fs = max(scale, 1)} when
 * anti-aliasing (1 otherwise) and the triangle filter {@code t(x) = max(0, 1 − |x|)}, source pixel
 * {@code j} gets weight {@code t((j + 0.5 − c)/fs)}, normalised to sum 1 over the pixels inside the
 * image (which clamps at the edges). Without anti-aliasing this is exactly half-pixel bilinear
 * interpolation. {@link Resampling#AREA} uses box weights (overlap of each source pixel with the
 * output pixel's footprint) when shrinking. Arithmetic is in float with no intermediate rounding.
 */
final class Resizer {

  private Resizer() {}

  /** Coefficients for one axis: for output index k, source pixels start[k] .. start[k]+len-1. */
  record Taps(int[] start, int width, float[] weights) {}

  static Taps taps(int inSize, int outSize, int from, int count, Resampling resampling) {
    double scale = (double) inSize / outSize;
    if (resampling == Resampling.AREA && scale > 1) {
      return areaTaps(inSize, scale, from, count);
    }
    boolean antialias = resampling == Resampling.BILINEAR_ANTIALIAS;
    double filterScale = antialias ? Math.max(scale, 1.0) : 1.0;
    double support = filterScale; // triangle support is 1, widened by the filter scale
    int width = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[count];
    float[] weights = new float[count * width];
    for (int k = 0; k < count; k++) {
      int i = from + k;
      double centre = (i + 0.5) * scale;
      int lo = Math.max((int) Math.floor(centre - support + 0.5), 0);
      int hi = Math.min((int) Math.ceil(centre + support + 0.5), inSize);
      double sum = 0;
      double[] w = new double[width];
      for (int j = lo; j < hi && j - lo < width; j++) {
        double t = 1.0 - Math.abs((j + 0.5 - centre) / filterScale);
        w[j - lo] = t > 0 ? t : 0;
        sum += w[j - lo];
      }
      start[k] = lo;
      for (int t = 0; t < width; t++) {
        weights[k * width + t] = sum > 0 ? (float) (w[t] / sum) : 0f;
      }
    }
    return new Taps(start, width, weights);
  }

  /** Box taps: output pixel i covers source interval [i·scale, (i+1)·scale). */
  private static Taps areaTaps(int inSize, double scale, int from, int count) {
    int width = (int) Math.ceil(scale) + 1;
    int[] start = new int[count];
    float[] weights = new float[count * width];
    for (int k = 0; k < count; k++) {
      int i = from + k;
      double lo = i * scale;
      double hi = Math.min((i + 1) * scale, inSize);
      int first = (int) Math.floor(lo);
      start[k] = first;
      for (int j = first; j < hi && j - first < width; j++) {
        double overlap = Math.min(j + 1, hi) - Math.max(j, lo);
        weights[k * width + j - first] = (float) (overlap / (hi - lo));
      }
    }
    return new Taps(start, width, weights);
  }

  /**
   * Resamples packed RGB pixels ({@code 0xRRGGBB}, row-major {@code inW×inH}) to a virtual {@code
   * outW×outH} image and returns the {@code cropW×cropH} window at ({@code x0}, {@code y0}) of it
   * as R, G and B float planes back to back, samples in [0, 255]. Works row-window by row-window
   * from the packed pixels, so memory beyond the source is only {@code O(rows·cropW)}.
   */
  static float[] resample(
      int[] rgb,
      int inW,
      int inH,
      int outW,
      int outH,
      int x0,
      int y0,
      int cropW,
      int cropH,
      Resampling resampling) {
    Taps tx = taps(inW, outW, x0, cropW, resampling);
    Taps ty = taps(inH, outH, y0, cropH, resampling);
    // Source rows the vertical pass needs.
    int rowLo = ty.start()[0];
    int rowHi = Math.min(inH, ty.start()[cropH - 1] + ty.width());
    int rows = rowHi - rowLo;
    float[] horizontal = new float[rows * cropW];
    float[] out = new float[3 * cropW * cropH];
    for (int c = 0; c < 3; c++) {
      int shift = 16 - 8 * c;
      // Horizontal pass: rows × cropW.
      for (int r = 0; r < rows; r++) {
        int src = (rowLo + r) * inW;
        for (int k = 0; k < cropW; k++) {
          int s = tx.start()[k];
          int wBase = k * tx.width();
          int n = Math.min(tx.width(), inW - s);
          float acc = 0f;
          for (int t = 0; t < n; t++) {
            acc += tx.weights()[wBase + t] * ((rgb[src + s + t] >>> shift) & 0xff);
          }
          horizontal[r * cropW + k] = acc;
        }
      }
      // Vertical pass: cropH × cropW.
      int dst = c * cropW * cropH;
      for (int k = 0; k < cropH; k++) {
        int s = ty.start()[k] - rowLo;
        int wBase = k * ty.width();
        int n = Math.min(ty.width(), rows - s);
        int row = dst + k * cropW;
        for (int t = 0; t < n; t++) {
          float w = ty.weights()[wBase + t];
          if (w == 0f) {
            continue;
          }
          int from = (s + t) * cropW;
          for (int x = 0; x < cropW; x++) {
            out[row + x] += w * horizontal[from + x];
          }
        }
      }
    }
    return out;
  }
}
