package dev.pipit.encode.jpeg;

/**
 * libjpeg's YCbCr → RGB conversion ({@code jdcolor.c}): 16-bit fixed-point tables of the JFIF
 * (ITU-R BT.601 full-range) equations, with the rounding constant folded into the Cb→G table.
 */
final class ColorConverter {

  private static final int SCALE_BITS = 16;
  private static final long ONE_HALF = 1L << (SCALE_BITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final long[] CR_G = new long[256];
  private static final long[] CB_G = new long[256];

  static {
    for (int i = 0; i < 256; i++) {
      long x = i - 128;
      CR_R[i] = (int) ((fix(1.40200) * x + ONE_HALF) >> SCALE_BITS);
      CB_B[i] = (int) ((fix(1.77200) * x + ONE_HALF) >> SCALE_BITS);
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private ColorConverter() {}

  private static long fix(double x) {
    return (long) (x * (1L << SCALE_BITS) + 0.5);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  static int red(int y, int cr) {
    return clamp(y + CR_R[cr]);
  }

  static int green(int y, int cb, int cr) {
    return clamp(y + (int) ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
  }

  static int blue(int y, int cb) {
    return clamp(y + CB_B[cb]);
  }

  /** Converts a row of YCbCr to interleaved RGB bytes at {@code o}. */
  static void yccToRgb(int[] y, int[] cb, int[] cr, int width, byte[] out, int o) {
    for (int x = 0; x < width; x++, o += 3) {
      int l = y[x];
      out[o] = (byte) red(l, cr[x]);
      out[o + 1] = (byte) green(l, cb[x], cr[x]);
      out[o + 2] = (byte) blue(l, cb[x]);
    }
  }

  /** YCCK → CMYK as libjpeg: the YCbCr → RGB result inverted, K passed through. */
  static void ycckToCmyk(int[] y, int[] cb, int[] cr, int[] k, int width, byte[] out, int o) {
    for (int x = 0; x < width; x++, o += 4) {
      int l = y[x];
      out[o] = (byte) clamp(255 - (l + CR_R[cr[x]]));
      out[o + 1] = (byte) clamp(255 - (l + (int) ((CB_G[cb[x]] + CR_G[cr[x]]) >> SCALE_BITS)));
      out[o + 2] = (byte) clamp(255 - (l + CB_B[cb[x]]));
      out[o + 3] = (byte) k[x];
    }
  }
}
