package dev.pipit.encode.jpeg;

/**
 * Decoded JPEG samples, interleaved, row by row, as libjpeg-turbo's default output colour space for
 * the file gives them.
 *
 * @param width pixels per row
 * @param height rows
 * @param colors what the channels are
 * @param samples {@code width · height · colors.channels()} bytes
 * @param adobe whether the file has an Adobe APP14 marker (its CMYK is then stored inverted, as
 *     Photoshop writes it)
 * @param iccProfile the embedded ICC profile (APP2 {@code ICC_PROFILE} chunks joined), or null
 */
public record JpegImage(
    int width, int height, Colors colors, byte[] samples, boolean adobe, byte[] iccProfile) {

  /** The channels of {@link #samples}. */
  public enum Colors {
    /** One channel. */
    GRAY(1),
    /** R, G, B (converted from YCbCr, or stored as RGB). */
    RGB(3),
    /** C, M, Y, K as stored (converted from YCCK when so coded). */
    CMYK(4);

    private final int channels;

    Colors(int channels) {
      this.channels = channels;
    }

    /** Samples per pixel. */
    public int channels() {
      return channels;
    }
  }

  /** Packs gray or RGB samples as {@code 0xRRGGBB} ints ({@code TYPE_INT_RGB} data). */
  public int[] toPackedRgb() {
    int[] out = new int[width * height];
    switch (colors) {
      case GRAY -> {
        for (int i = 0; i < out.length; i++) {
          int g = samples[i] & 0xff;
          out[i] = g << 16 | g << 8 | g;
        }
      }
      case RGB -> {
        for (int i = 0, o = 0; i < out.length; i++, o += 3) {
          out[i] = (samples[o] & 0xff) << 16 | (samples[o + 1] & 0xff) << 8 | samples[o + 2] & 0xff;
        }
      }
      default -> throw new IllegalStateException("CMYK needs colour management: " + colors);
    }
    return out;
  }
}
