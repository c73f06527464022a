package dev.pipit.encode.jpeg;

/**
 * The AA&amp;N fast integer inverse DCT as libjpeg-turbo runs it on x86-64 for {@code JDCT_IFAST}
 * (TensorFlow's default {@code INTEGER_FAST}; {@code djpeg -dct fast}): the arithmetic of IJG's
 * {@code jidctfst.c} with 8 fraction bits, evaluated in 16-bit lanes as its SSE2 version does.
 *
 * <p>The quantisation table is pre-scaled by the AA&amp;N factors ({@link #multipliers}). Products
 * are taken as {@code pmulhw((x << 2), c << 6)}, which equals {@code (x * c) >> 8} while {@code x
 * << 2} fits 16 bits; sums wrap at 16 bits; the result is shifted by 5, saturated to a signed byte
 * and re-centred on 128. For coefficients of any real photo this is exactly the C code; for
 * pathological ones it is what the SIMD decoder (and so TensorFlow) produces.
 */
final class FastIdct {

  /** AA&amp;N scale factors × 2^14: 16384 · cos(kπ/16)·√2 per row and column (k = 0 → 1). */
  private static final int[] AAN_SCALES = {
    16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520,
    22725, 31521, 29692, 26722, 22725, 17855, 12299, 6270,
    21407, 29692, 27969, 25172, 21407, 16819, 11585, 5906,
    19266, 26722, 25172, 22654, 19266, 15137, 10426, 5315,
    16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520,
    12873, 17855, 16819, 15137, 12873, 10114, 6967, 3552,
    8867, 12299, 11585, 10426, 8867, 6967, 4799, 2446,
    4520, 6270, 5906, 5315, 4520, 3552, 2446, 1247
  };

  // FIX(x) = round(x * 256), shifted left by 6 for the 16-bit high multiply.
  private static final int F_1_414 = 362 << 6;
  private static final int F_1_847 = 473 << 6;
  private static final int F_1_082 = 277 << 6;

  /** −(FIX(2.613125930) − FIX(1)): 2.613 does not fit, so the multiply is split as −1.613x − x. */
  private static final int MF_1_613 = -(669 - 256) << 6;

  /** Ints of workspace {@link #transform} needs: the 8×8 first pass and one row of the second. */
  static final int WORKSPACE = 72;

  private FastIdct() {}

  /**
   * The dequantisation multipliers of a quantisation table (natural order): {@code q · aan / 2^12}
   * rounded, kept to 16 bits as libjpeg's {@code IFAST_MULT_TYPE}.
   */
  static int[] multipliers(int[] quant) {
    int[] m = new int[64];
    for (int i = 0; i < 64; i++) {
      m[i] = (short) ((quant[i] * AAN_SCALES[i] + (1 << 11)) >> 12);
    }
    return m;
  }

  /** High half of a 16×16-bit product after pre-scaling {@code x} by 4, both wrapped to 16 bits. */
  private static int mul(int x, int c) {
    return ((short) (x << 2) * c) >> 16;
  }

  /**
   * Transforms one block.
   *
   * @param coef 64 coefficients in natural (row-major) order, starting at {@code co}
   * @param mult multipliers from {@link #multipliers}
   * @param ws a workspace of {@link #WORKSPACE} ints
   * @param out samples, written 8 rows of 8 at {@code oo} with row stride {@code stride}
   */
  static void transform(
      short[] coef, int co, int[] mult, int[] ws, byte[] out, int oo, int stride) {
    // Pass 1: columns, into the workspace.
    for (int c = 0; c < 8; c++) {
      int i0 = (short) (coef[co + c] * mult[c]);
      int i1 = (short) (coef[co + 8 + c] * mult[8 + c]);
      int i2 = (short) (coef[co + 16 + c] * mult[16 + c]);
      int i3 = (short) (coef[co + 24 + c] * mult[24 + c]);
      int i4 = (short) (coef[co + 32 + c] * mult[32 + c]);
      int i5 = (short) (coef[co + 40 + c] * mult[40 + c]);
      int i6 = (short) (coef[co + 48 + c] * mult[48 + c]);
      int i7 = (short) (coef[co + 56 + c] * mult[56 + c]);
      butterfly(i0, i1, i2, i3, i4, i5, i6, i7, ws, c, 8);
    }
    // Pass 2: rows, descaled by 2^(2+3), saturated and centred.
    for (int r = 0; r < 8; r++) {
      int w = r * 8;
      butterfly(
          ws[w], ws[w + 1], ws[w + 2], ws[w + 3], ws[w + 4], ws[w + 5], ws[w + 6], ws[w + 7], ws,
          64, 1);
      int o = oo + r * stride;
      for (int k = 0; k < 8; k++) {
        out[o + k] = sample(ws[64 + k]);
      }
    }
  }

  /** One 8-point pass, the same in both directions; outputs at {@code at + k·step}. */
  private static void butterfly(
      int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7, int[] ws, int at, int step) {
    int tmp10 = i0 + i4;
    int tmp11 = i0 - i4;
    int tmp13 = i2 + i6;
    int tmp12 = mul(i2 - i6, F_1_414) - tmp13;
    int tmp0 = tmp10 + tmp13;
    int tmp3 = tmp10 - tmp13;
    int tmp1 = tmp11 + tmp12;
    int tmp2 = tmp11 - tmp12;

    int z13 = i5 + i3;
    int z10 = i5 - i3;
    int z11 = i1 + i7;
    int z12 = i1 - i7;
    int tmp7 = z11 + z13;
    int tmp11o = mul(z11 - z13, F_1_414);
    int z5 = mul(z10 + z12, F_1_847);
    int tmp10o = mul(z12, F_1_082) - z5;
    int tmp12o = mul(z10, MF_1_613) - z10 + z5;
    int tmp6 = tmp12o - tmp7;
    int tmp5 = tmp11o - tmp6;
    int tmp4 = tmp10o + tmp5;

    ws[at] = tmp0 + tmp7;
    ws[at + 7 * step] = tmp0 - tmp7;
    ws[at + step] = tmp1 + tmp6;
    ws[at + 6 * step] = tmp1 - tmp6;
    ws[at + 2 * step] = tmp2 + tmp5;
    ws[at + 5 * step] = tmp2 - tmp5;
    ws[at + 4 * step] = tmp3 + tmp4;
    ws[at + 3 * step] = tmp3 - tmp4;
  }

  /** psraw 5, packsswb, + 128. */
  private static byte sample(int x) {
    int v = ((short) x) >> 5;
    v = v < -128 ? -128 : Math.min(v, 127);
    return (byte) (v + 128);
  }
}
