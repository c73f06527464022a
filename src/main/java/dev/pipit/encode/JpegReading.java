package dev.pipit.encode;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import dev.pipit.encode.jpeg.JpegDecoder;
import dev.pipit.encode.jpeg.JpegException;
import dev.pipit.encode.jpeg.JpegImage;
import dev.pipit.encode.jpeg.JpegInfo;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG through pipit's own decoder ({@link JpegDecoder}, libjpeg-turbo's fast integer IDCT and
 * fancy upsampling, so pixels equal TensorFlow's default decode), with the pixel limit checked on
 * the frame header before anything is decoded.
 *
 * <p>JPEG variants the decoder does not implement (arithmetic coding, lossless, hierarchical,
 * 12-bit, DNL heights, 2 components, non-integral sampling) are left to ImageIO: {@link #decode}
 * returns null and logs why. CMYK/YCCK is decoded here and converted to sRGB with the embedded ICC
 * profile, else TwelveMonkeys' generic CMYK profile, as the TwelveMonkeys reader did before.
 */
final class JpegReading {

  private static final Logger log = LoggerFactory.getLogger(JpegReading.class);

  private JpegReading() {}

  /**
   * Decodes a JPEG into a {@code TYPE_INT_RGB} image, or returns null when ImageIO should try.
   *
   * @throws ImageDecodeException when the header exceeds {@code maxPixels} or the data is truncated
   *     or corrupt
   */
  static BufferedImage decode(byte[] bytes, long maxPixels, JpegDecoder.Limits limits) {
    JpegInfo info;
    try {
      info = JpegDecoder.readInfo(bytes);
    } catch (JpegException e) {
      throw failure(e, "header");
    }
    checkWork(bytes, info, maxPixels, limits);
    if (!info.supported()) {
      log.info(
          "JPEG coding {} is not handled by pipit's decoder; decoding with ImageIO",
          info.process());
      return null;
    }
    JpegImage image;
    try {
      image = JpegDecoder.decode(bytes, limits);
    } catch (JpegException e) {
      if (e.kind() == JpegException.Kind.UNSUPPORTED) {
        log.info("{}; decoding with ImageIO", e.getMessage());
        return null;
      }
      throw failure(e, "data");
    }
    if (image.colors() == JpegImage.Colors.CMYK) {
      return cmykToRgb(image);
    }
    BufferedImage out =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    int[] packed = image.toPackedRgb();
    int[] target = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    System.arraycopy(packed, 0, target, 0, packed.length);
    return out;
  }

  /**
   * Refuses, from the headers and a walk over the markers alone, a JPEG whose pixels or scans
   * exceed the limits. pipit's decoder then charges each scan's exact work as it goes; for the
   * ImageIO fallback, whose decoders have no such limits, the work is bounded up front by the
   * estimate pixels × components × scans.
   */
  private static void checkWork(
      byte[] bytes, JpegInfo info, long maxPixels, JpegDecoder.Limits limits) {
    long width = info.width();
    long height = info.height();
    if (width * height > maxPixels) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.TOO_MANY_PIXELS,
          "JPEG header declares "
              + width
              + "×"
              + height
              + " = "
              + width * height
              + " pixels, more than the limit of "
              + maxPixels);
    }
    int scans = JpegDecoder.countScans(bytes);
    if (scans > limits.maxScans()) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.TOO_MANY_SCANS,
          "JPEG has "
              + scans
              + " scans, more than the limit of "
              + limits.maxScans()
              + " (progressive files from common encoders have about 10)");
    }
    long work = width * height * Math.max(1, info.components()) * scans;
    if (!info.supported() && work > limits.maxWork()) {
      throw new ImageDecodeException(
          ImageDecodeException.Reason.TOO_MUCH_WORK,
          "JPEG of "
              + width
              + "×"
              + height
              + " pixels, "
              + info.components()
              + " components and "
              + scans
              + " scans would decode about "
              + work
              + " samples (pixels × components × scans), more than the limit of "
              + limits.maxWork());
    }
  }

  private static ImageDecodeException failure(JpegException e, String part) {
    ImageDecodeException.Reason reason =
        switch (e.kind()) {
          case TRUNCATED -> ImageDecodeException.Reason.TRUNCATED;
          case CORRUPT, UNSUPPORTED -> ImageDecodeException.Reason.CORRUPT;
          case LIMIT -> ImageDecodeException.Reason.TOO_MUCH_WORK;
        };
    return new ImageDecodeException(reason, "JPEG " + part + ": " + e.getMessage(), e);
  }

  /**
   * CMYK samples (inverted when Adobe-written) through the embedded or a generic CMYK profile to
   * sRGB.
   */
  private static BufferedImage cmykToRgb(JpegImage image) {
    byte[] cmyk = image.samples();
    if (image.adobe()) {
      for (int i = 0; i < cmyk.length; i++) {
        cmyk[i] = (byte) ~cmyk[i];
      }
    }
    ColorSpace space = profileSpace(image.iccProfile());
    int w = image.width();
    int h = image.height();
    WritableRaster raster =
        Raster.createWritableRaster(
            new PixelInterleavedSampleModel(
                DataBuffer.TYPE_BYTE, w, h, 4, 4 * w, new int[] {0, 1, 2, 3}),
            new DataBufferByte(cmyk, cmyk.length),
            null);
    ComponentColorModel model =
        new ComponentColorModel(space, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    BufferedImage source = new BufferedImage(model, raster, false, null);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    new ColorConvertOp(null).filter(source, out);
    return out;
  }

  private static ColorSpace profileSpace(byte[] icc) {
    if (icc != null) {
      try {
        ColorSpace embedded = ColorSpaces.createColorSpace(ICC_Profile.getInstance(icc));
        if (embedded.getType() == ColorSpace.TYPE_CMYK) {
          return embedded;
        }
      } catch (IllegalArgumentException unusable) {
        log.debug("ignoring unusable embedded ICC profile: {}", unusable.getMessage());
      }
    }
    return ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
  }
}
