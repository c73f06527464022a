package dev.pipit.encode;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Hostile JPEGs for tests: scan bombs (a valid progressive file whose first scan, the DC scan of
 * every component, is repeated many times: each copy is tiny and decodes the whole image again) and
 * pixel bombs (a header declaring far more pixels than the data holds).
 */
public final class ScanBombs {

  private ScanBombs() {}

  /** A {@code width}×{@code height} colour gradient written as a progressive JPEG. */
  public static byte[] progressive(int width, int height) {
    return jpeg(noise(width, height), true);
  }

  /** A {@code width}×{@code height} colour gradient written as a baseline JPEG. */
  public static byte[] baseline(int width, int height) {
    return jpeg(noise(width, height), false);
  }

  /** {@code jpeg} with its first scan repeated {@code copies} more times right after itself. */
  public static byte[] repeatFirstScan(byte[] jpeg, int copies) {
    int sos = segmentOffset(jpeg, 0xDA);
    int end = entropyEnd(jpeg, sos + 2 + length(jpeg, sos));
    ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + copies * (end - sos));
    out.write(jpeg, 0, end);
    for (int i = 0; i < copies; i++) {
      out.write(jpeg, sos, end - sos);
    }
    out.write(jpeg, end, jpeg.length - end);
    return out.toByteArray();
  }

  /** {@code jpeg} with its frame header patched to declare {@code width}×{@code height}. */
  public static byte[] declaring(byte[] jpeg, int width, int height) {
    byte[] bomb = jpeg.clone();
    int sof = segmentOffset(bomb, 0xC0);
    if (sof < 0) {
      sof = segmentOffset(bomb, 0xC2);
    }
    bomb[sof + 5] = (byte) (height >> 8);
    bomb[sof + 6] = (byte) height;
    bomb[sof + 7] = (byte) (width >> 8);
    bomb[sof + 8] = (byte) width;
    return bomb;
  }

  private static BufferedImage noise(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    // Smooth gradients with a little noise: AC data to decode, and DC differences (hence the DC
    // scan a bomb repeats) small.
    Random random = new Random(width * 31L + height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = x * 255 / width;
        int g = y * 255 / height;
        int b = Math.min(255, (x + y) * 128 / (width + height) + random.nextInt(32));
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return image;
  }

  private static byte[] jpeg(BufferedImage image, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    if (progressive) {
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Offset of the FF of the first marker {@code code}, walking segments from SOI; -1 if none. */
  private static int segmentOffset(byte[] jpeg, int code) {
    int i = 2;
    while (i + 3 < jpeg.length) {
      int marker = jpeg[i + 1] & 0xff;
      if (marker == code) {
        return i;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return -1;
      }
      i += 2 + length(jpeg, i);
    }
    return -1;
  }

  private static int length(byte[] jpeg, int marker) {
    return (jpeg[marker + 2] & 0xff) << 8 | jpeg[marker + 3] & 0xff;
  }

  /** Offset of the first marker after entropy-coded data (not a stuffed FF00 or an RSTn). */
  private static int entropyEnd(byte[] jpeg, int from) {
    for (int i = from; i + 1 < jpeg.length; i++) {
      int next = jpeg[i + 1] & 0xff;
      if ((jpeg[i] & 0xff) == 0xFF && next != 0 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
        return i;
      }
    }
    throw new IllegalArgumentException("scan data does not end");
  }
}
