package dev.pipit.encode;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import dev.pipit.encode.jpeg.JpegDecoder;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns untrusted bytes into an upright 8-bit RGB image, refusing hostile input before it costs
 * memory.
 *
 * <p>Order of checks: byte limit (a stream is read only up to the limit + 1 byte) → empty → format
 * by leading bytes ({@link ImageFormat}) → header dimensions (JPEG: the frame header as pipit's
 * decoder reads it; others: the format's {@link ImageReader}), checked against the pixel limit
 * <em>before</em> any pixel is decoded → JPEG: the scan count (a marker walk) against the scan
 * limit, and each scan's work against the work limit before it is decoded → decode of the first
 * image (first frame of a GIF) → conversion to {@code TYPE_INT_RGB} → EXIF orientation (JPEG).
 * Failures are {@link ImageDecodeException}s with a {@link ImageDecodeException.Reason}.
 *
 * <p>JPEG is decoded by {@link JpegReading} (libjpeg-turbo's fast integer IDCT and fancy
 * upsampling, byte-identical to TensorFlow's default decoding, which pretrained TF/Keras weights
 * saw); the few variants it does not implement (arithmetic, lossless, 12-bit, ...) go to ImageIO,
 * logged.
 *
 * <p>Conversion: grayscale is replicated to R=G=B; 16-bit samples are scaled to 8 bits with
 * rounding; alpha is composited over white; CMYK/YCCK JPEGs are converted through their embedded
 * ICC profile, else a generic CMYK profile; palettes are looked up. Samples are used as they are,
 * without colour management — Java's own gray→sRGB conversion would apply a gamma curve and
 * brighten grayscale images.
 *
 * <p>Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {

  /** Default byte limit: 20 MiB. */
  public static final long DEFAULT_MAX_BYTES = 20L << 20;

  /** Default pixel limit: 40 megapixels (160 MB as packed RGB). */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  /**
   * Default scan limit: 64. libjpeg's default progressive script writes 10 scans (6 for gray) and
   * scan-optimising encoders a few dozen at most; djpeg's {@code -maxscans} leaves the number to
   * the application.
   */
  public static final int DEFAULT_MAX_SCANS = 64;

  /**
   * Default work limit: 10⁹ coefficients decoded (pixels × components × scans), enough for a 40 MP
   * progressive colour JPEG with a usual scan script (about 8–16 × its pixels).
   */
  public static final long DEFAULT_MAX_WORK = 1_000_000_000L;

  static {
    // Picks up the TwelveMonkeys readers also when the first ImageIO use came from another class
    // loader
    // (e.g. a Spring Boot fat jar).
    ImageIO.scanForPlugins();
    ImageIO.setUseCache(false);
  }

  private final long maxBytes;
  private final long maxPixels;
  private final JpegDecoder.Limits jpegLimits;

  /**
   * Creates a decoder.
   *
   * @param maxBytes largest accepted input, in bytes
   * @param maxPixels largest accepted width × height declared by the header
   */
  public ImageDecoder(long maxBytes, long maxPixels) {
    this(maxBytes, maxPixels, DEFAULT_MAX_SCANS, DEFAULT_MAX_WORK);
  }

  /**
   * Creates a decoder that also bounds a JPEG's decode work.
   *
   * @param maxBytes largest accepted input, in bytes
   * @param maxPixels largest accepted width × height declared by the header
   * @param maxScans most scans of a JPEG (progressive files have several)
   * @param maxWork most coefficients a JPEG decode may produce (pixels × components × scans)
   */
  public ImageDecoder(long maxBytes, long maxPixels, int maxScans, long maxWork) {
    if (maxBytes < 1 || maxPixels < 1) {
      throw new IllegalArgumentException("limits must be positive: " + maxBytes + ", " + maxPixels);
    }
    this.maxBytes = maxBytes;
    this.maxPixels = maxPixels;
    this.jpegLimits = new JpegDecoder.Limits(maxScans, maxWork);
  }

  /** A decoder with the default limits. */
  public static ImageDecoder withDefaults() {
    return new ImageDecoder(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
  }

  /**
   * A decoded image.
   *
   * @param image upright {@code TYPE_INT_RGB} pixels
   * @param format the format the bytes were in
   * @param orientation the EXIF orientation applied (1 = none)
   */
  public record Decoded(BufferedImage image, ImageFormat format, int orientation) {}

  /** Reads at most the byte limit + 1 from {@code in} (not closed) and decodes. */
  public Decoded decode(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    return decode(bytes);
  }

  /** Decodes {@code bytes}. */
  public Decoded decode(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.TOO_LARGE_BYTES,
          "image is larger than the limit of " + maxBytes + " bytes");
    }
    if (bytes.length == 0) {
      throw new ImageDecodeException(ImageDecodeException.Reason.EMPTY, "image is empty (0 bytes)");
    }
    ImageFormat format = ImageFormat.sniff(bytes, bytes.length);
    if (format == null) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.UNKNOWN_FORMAT,
          "not a JPEG, PNG, GIF, BMP or WebP image (unrecognised leading bytes)");
    }
    BufferedImage decoded;
    try {
      decoded = read(bytes, format);
    } catch (ImageDecodeException e) {
      // Readers report a cut-off stream as a generic read error; the missing end marker tells.
      if (e.reason() == ImageDecodeException.Reason.CORRUPT
          && ((format == ImageFormat.PNG && !endsWithIend(bytes))
              || (format == ImageFormat.JPEG && !endsWithEoi(bytes)))) {
        throw new ImageDecodeException(
            ImageDecodeException.Reason.TRUNCATED, format + " data ends early (no end marker)", e);
      }
      throw e;
    }
    BufferedImage rgb = toIntRgb(decoded);
    int orientation = format == ImageFormat.JPEG ? exifOrientation(bytes) : 1;
    return new Decoded(orient(rgb, orientation), format, orientation);
  }

  private BufferedImage read(byte[] bytes, ImageFormat format) {
    if (format == ImageFormat.JPEG) {
      BufferedImage jpeg = JpegReading.decode(bytes, maxPixels, jpegLimits);
      if (jpeg != null) {
        return jpeg;
      }
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
    if (!readers.hasNext()) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.UNKNOWN_FORMAT, "no decoder installed for " + format);
    }
    ImageReader reader = readers.next();
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream stream =
        new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(stream, true, true);
      reader.addIIOReadWarningListener(collect(warnings));
      long width;
      long height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw failure(format, "header", e);
      }
      if (width < 1 || height < 1) {
        throw new ImageDecodeException(
            ImageDecodeException.Reason.CORRUPT,
            format + " header declares " + width + "×" + height);
      }
      if (width * height > maxPixels) {
        throw new ImageDecodeException(
            ImageDecodeException.Reason.TOO_MANY_PIXELS,
            format
                + " header declares "
                + width
                + "×"
                + height
                + " = "
                + width * height
                + " pixels, more than the limit of "
                + maxPixels);
      }
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw failure(format, "data", e);
      }
      for (String warning : warnings) {
        if (looksTruncated(warning)) {
          throw new ImageDecodeException(
              ImageDecodeException.Reason.TRUNCATED, format + " data ends early: " + warning);
        }
      }
      return image;
    } catch (IOException e) {
      throw failure(format, "stream", e);
    } finally {
      reader.dispose();
    }
  }

  /** Whether a PNG ends with its IEND chunk (length 0, "IEND", fixed CRC). */
  private static boolean endsWithIend(byte[] b) {
    int n = b.length;
    return n >= 12 && b[n - 8] == 'I' && b[n - 7] == 'E' && b[n - 6] == 'N' && b[n - 5] == 'D';
  }

  /**
   * Whether a JPEG's EOI marker (FF D9) is among its last 64 bytes (tolerating trailing padding).
   */
  private static boolean endsWithEoi(byte[] b) {
    for (int i = b.length - 2; i >= Math.max(2, b.length - 64); i--) {
      if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static IIOReadWarningListener collect(List<String> warnings) {
    return (source, warning) -> warnings.add(warning);
  }

  private static boolean looksTruncated(String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    return m.contains("premature end")
        || m.contains("unexpected end")
        || m.contains("eof")
        || m.contains("truncated");
  }

  private static ImageDecodeException failure(ImageFormat format, String part, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EOFException
          || t instanceof IndexOutOfBoundsException
          || looksTruncated(t.getMessage())) {
        return new ImageDecodeException(
            ImageDecodeException.Reason.TRUNCATED, format + " " + part + " ends early", e);
      }
    }
    return new ImageDecodeException(
        ImageDecodeException.Reason.CORRUPT,
        format + " " + part + " is malformed: " + e.getMessage(),
        e);
  }

  /** The EXIF orientation tag (1–8) of a JPEG, 1 when absent or unreadable. */
  static int exifOrientation(byte[] jpeg) {
    try (ImageInputStream stream =
        new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(stream, JPEG.APP1, "Exif");
      for (JPEGSegment segment : segments) {
        byte[] payload;
        try (InputStream data = segment.data()) {
          payload = data.readAllBytes();
        }
        // The payload after the "Exif" identifier starts, after padding, with a TIFF header: II*\0
        // or MM\0*.
        int start = tiffHeader(payload);
        if (start < 0) {
          continue;
        }
        try (ImageInputStream tiff =
            new MemoryCacheImageInputStream(
                new ByteArrayInputStream(payload, start, payload.length - start))) {
          Directory directory = new TIFFReader().read(tiff);
          Entry entry = directory.getEntryById(TIFF.TAG_ORIENTATION);
          if (entry != null && entry.getValue() instanceof Number n) {
            int orientation = n.intValue();
            return orientation >= 1 && orientation <= 8 ? orientation : 1;
          }
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // Malformed metadata must not make a decodable image fail: treat as upright.
    }
    return 1;
  }

  private static int tiffHeader(byte[] b) {
    for (int i = 0; i + 4 <= b.length && i <= 8; i++) {
      if ((b[i] == 'I' && b[i + 1] == 'I' && b[i + 2] == 42 && b[i + 3] == 0)
          || (b[i] == 'M' && b[i + 1] == 'M' && b[i + 2] == 0 && b[i + 3] == 42)) {
        return i;
      }
    }
    return -1;
  }

  /** Applies an EXIF orientation (1–8) so the image is upright. */
  static BufferedImage orient(BufferedImage rgb, int orientation) {
    if (orientation == 1) {
      return rgb;
    }
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    int[] src = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> {
            sx = w - 1 - x;
            sy = y;
          } // mirror horizontal
          case 3 -> {
            sx = w - 1 - x;
            sy = h - 1 - y;
          } // rotate 180
          case 4 -> {
            sx = x;
            sy = h - 1 - y;
          } // mirror vertical
          case 5 -> {
            sx = y;
            sy = x;
          } // transpose
          case 6 -> {
            sx = y;
            sy = h - 1 - x;
          } // rotate 90 clockwise
          case 7 -> {
            sx = w - 1 - y;
            sy = h - 1 - x;
          } // transverse
          case 8 -> {
            sx = w - 1 - y;
            sy = x;
          } // rotate 90 counter-clockwise
          default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
        }
        dst[y * ow + x] = src[sy * w + sx];
      }
    }
    return out;
  }

  /**
   * Converts any decoded image to a fresh-rastered {@code TYPE_INT_RGB} image (returned as is when
   * it already is one): gray replicated, 16-bit scaled, alpha composited over white.
   */
  public static BufferedImage toIntRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    if (image.getType() == BufferedImage.TYPE_INT_RGB
        && image.getRaster().getDataBuffer() instanceof DataBufferInt buffer
        && buffer.getData().length == w * h
        && image.getRaster().getSampleModelTranslateX() == 0
        && image.getRaster().getSampleModelTranslateY() == 0) {
      return image;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    ColorModel cm = image.getColorModel();
    int csType = cm.getColorSpace().getType();
    Raster raster = image.getRaster();
    boolean integral =
        raster.getTransferType() == DataBuffer.TYPE_BYTE
            || raster.getTransferType() == DataBuffer.TYPE_USHORT
            || raster.getTransferType() == DataBuffer.TYPE_INT;
    if (cm instanceof ComponentColorModel
        && integral
        && (csType == ColorSpace.TYPE_GRAY || csType == ColorSpace.TYPE_RGB)) {
      fromComponents(raster, cm, csType == ColorSpace.TYPE_GRAY, dst);
    } else {
      // Palettes, packed ints and other colour spaces (e.g. CMYK): the colour model's own sRGB
      // mapping.
      int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < argb.length; i++) {
        int p = argb[i];
        int a = p >>> 24;
        dst[i] =
            a == 255
                ? p & 0xffffff
                : overWhite(p >> 16 & 0xff, p >> 8 & 0xff, p & 0xff, a / 255f, false);
      }
    }
    return out;
  }

  private static void fromComponents(Raster raster, ColorModel cm, boolean gray, int[] dst) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int colours = gray ? 1 : 3;
    boolean alpha = cm.hasAlpha();
    boolean premultiplied = cm.isAlphaPremultiplied();
    float[] scale = new float[raster.getNumBands()];
    for (int b = 0; b < scale.length; b++) {
      scale[b] = 255f / ((1L << cm.getComponentSize(b)) - 1);
    }
    int[] row = new int[w * raster.getNumBands()];
    int bands = raster.getNumBands();
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int o = x * bands;
        float r = row[o] * scale[0];
        float g = gray ? r : row[o + 1] * scale[1];
        float b = gray ? r : row[o + 2] * scale[2];
        int value;
        if (alpha) {
          float a = row[o + colours] * scale[colours] / 255f;
          value = overWhite(r, g, b, a, premultiplied);
        } else {
          value = Math.round(r) << 16 | Math.round(g) << 8 | Math.round(b);
        }
        dst[y * w + x] = value;
      }
    }
  }

  private static int overWhite(float r, float g, float b, float a, boolean premultiplied) {
    float k = premultiplied ? 1f : a;
    float white = 255f * (1f - a);
    return clamp(r * k + white) << 16 | clamp(g * k + white) << 8 | clamp(b * k + white);
  }

  private static int clamp(float v) {
    int i = Math.round(v);
    return i < 0 ? 0 : Math.min(i, 255);
  }
}
