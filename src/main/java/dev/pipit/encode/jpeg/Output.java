package dev.pipit.encode.jpeg;

/**
 * Turns decoded components into the output image: IDCT of progressive coefficients, upsampling,
 * colour.
 */
final class Output {

  private Output() {}

  /**
   * @param transformed whether the components are YCbCr/YCCK (to be converted) rather than the
   *     output colours themselves
   */
  static JpegImage assemble(
      Frame frame, JpegImage.Colors colors, boolean transformed, boolean adobe, byte[] icc) {
    int n = frame.components.size();
    Upsampler[] upsamplers = new Upsampler[n];
    int[][] rows = new int[n][];
    for (int i = 0; i < n; i++) {
      Component c = frame.components.get(i);
      if (c.plane == null) {
        throw JpegException.truncated("JPEG has no scan for component " + c.id);
      }
      if (frame.progressive) {
        transformCoefficients(c);
      }
      upsamplers[i] = new Upsampler(c, frame);
      rows[i] = new int[Math.max(upsamplers[i].rowLength(), frame.width)];
    }
    int w = frame.width;
    int channels = colors.channels();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, frame.height), channels)];
    for (int y = 0, o = 0; y < frame.height; y++, o += w * channels) {
      for (int i = 0; i < n; i++) {
        upsamplers[i].row(y, rows[i]);
      }
      if (!transformed) {
        interleave(rows, w, out, o);
      } else if (n == 3) {
        ColorConverter.yccToRgb(rows[0], rows[1], rows[2], w, out, o);
      } else {
        ColorConverter.ycckToCmyk(rows[0], rows[1], rows[2], rows[3], w, out, o);
      }
    }
    return new JpegImage(w, frame.height, colors, out, adobe, icc);
  }

  private static void transformCoefficients(Component c) {
    int[] workspace = new int[FastIdct.WORKSPACE];
    int stride = c.stride();
    short[] coef = c.coefficients;
    for (int by = 0; by < c.paddedBlocksPerColumn; by++) {
      for (int bx = 0; bx < c.paddedBlocksPerLine; bx++) {
        int at = (by * c.paddedBlocksPerLine + bx) * 64;
        FastIdct.transform(
            coef, at, c.multipliers, workspace, c.plane, by * 8 * stride + bx * 8, stride);
      }
    }
    c.coefficients = null;
  }

  private static void interleave(int[][] rows, int w, byte[] out, int o) {
    int n = rows.length;
    for (int x = 0; x < w; x++) {
      for (int i = 0; i < n; i++) {
        out[o++] = (byte) rows[i][x];
      }
    }
  }
}
