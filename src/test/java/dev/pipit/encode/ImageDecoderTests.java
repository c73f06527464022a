package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Hostile and awkward inputs, each generated here (or from the sample photos). */
class ImageDecoderTests {

  private final ImageDecoder decoder = new ImageDecoder(1 << 20, 4_000_000);

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).as("writer for " + format).isTrue();
    return out.toByteArray();
  }

  static BufferedImage rgb(int w, int h, int colour) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, colour);
      }
    }
    return image;
  }

  private static ImageDecodeException.Reason reasonOf(Runnable r) {
    try {
      r.run();
    } catch (ImageDecodeException e) {
      return e.reason();
    }
    throw new AssertionError("no ImageDecodeException");
  }

  @Test
  void emptyInputIsEmpty() {
    assertThat(reasonOf(() -> decoder.decode(new byte[0])))
        .isEqualTo(ImageDecodeException.Reason.EMPTY);
  }

  @Test
  void randomBytesAreAnUnknownFormat() {
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    noise[0] = 0x13;
    assertThat(reasonOf(() -> decoder.decode(noise)))
        .isEqualTo(ImageDecodeException.Reason.UNKNOWN_FORMAT);
  }

  @Test
  void tooManyBytesAreRefusedBeforeReadingTheRest() throws IOException {
    ImageDecoder small = new ImageDecoder(100, 4_000_000);
    byte[] png = encode(rgb(64, 64, 0x123456), "png");
    assertThat(reasonOf(() -> small.decode(png)))
        .isEqualTo(ImageDecodeException.Reason.TOO_LARGE_BYTES);
    var stream = new ByteArrayInputStream(new byte[10_000]);
    assertThatThrownBy(() -> small.decode(stream))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_LARGE_BYTES));
    assertThat(stream.available())
        .as("stream read only up to the limit + 1")
        .isEqualTo(10_000 - 101);
  }

  @Test
  void aPngHeaderClaiming100000By100000IsRefusedBeforeDecoding() throws IOException {
    // Signature + IHDR (100000 × 100000, 8-bit RGB) with a valid CRC, then a tiny IDAT and IEND.
    ByteBuffer ihdr =
        ByteBuffer.allocate(13)
            .putInt(100_000)
            .putInt(100_000)
            .put((byte) 8)
            .put((byte) 2)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(png, "IHDR", ihdr.array());
    chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(png, "IEND", new byte[0]);

    ImageDecodeException e = catchDecode(png.toByteArray());
    assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MANY_PIXELS);
    assertThat(e.getMessage()).contains("100000×100000");
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private ImageDecodeException catchDecode(byte[] bytes) {
    try {
      decoder.decode(bytes);
    } catch (ImageDecodeException e) {
      return e;
    }
    throw new AssertionError("decoded");
  }

  @Test
  void truncatedJpegAndPngAreTruncated() throws IOException {
    BufferedImage noisy = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(3);
    for (int y = 0; y < 128; y++) {
      for (int x = 0; x < 128; x++) {
        noisy.setRGB(x, y, random.nextInt(0xffffff));
      }
    }
    byte[] jpeg = encode(noisy, "jpeg");
    byte[] png = encode(noisy, "png");
    assertThat(catchDecode(Arrays.copyOf(jpeg, jpeg.length / 2)).reason())
        .isEqualTo(ImageDecodeException.Reason.TRUNCATED);
    assertThat(catchDecode(Arrays.copyOf(png, png.length / 2)).reason())
        .isEqualTo(ImageDecodeException.Reason.TRUNCATED);
    assertThat(catchDecode(Arrays.copyOf(jpeg, 10)).reason())
        .isEqualTo(ImageDecodeException.Reason.TRUNCATED);
  }

  @Test
  void garbageAfterAValidSignatureIsCorrupt() {
    byte[] bytes = new byte[2048];
    new Random(5).nextBytes(bytes);
    System.arraycopy(
        new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, 0, bytes, 0, 8);
    ImageDecodeException.Reason reason = catchDecode(bytes).reason();
    assertThat(reason)
        .isIn(ImageDecodeException.Reason.CORRUPT, ImageDecodeException.Reason.TRUNCATED);
  }

  @Test
  void grayscaleIsReplicatedWithoutAGammaShift() throws IOException {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 1, 0, 100);
    var decoded = decoder.decode(encode(gray, "png"));
    assertThat(decoded.image().getRGB(1, 1) & 0xffffff).isEqualTo(100 << 16 | 100 << 8 | 100);
    assertThat(decoded.format()).isEqualTo(ImageFormat.PNG);
  }

  @Test
  void sixteenBitPngIsScaledToEightBits() throws IOException {
    BufferedImage deep = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 0, 0, 65535);
    deep.getRaster().setSample(1, 0, 0, 32896); // 128.0 × 257
    var image = decoder.decode(encode(deep, "png")).image();
    assertThat(image.getRGB(0, 0) & 0xff).isEqualTo(255);
    assertThat(image.getRGB(1, 0) & 0xff).isEqualTo(128);
    assertThat(image.getRGB(0, 1) & 0xff).isEqualTo(0);
  }

  @Test
  void alphaIsCompositedOverWhite() throws IOException {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00ff0000); // fully transparent red
    argb.setRGB(1, 0, 0x80000000 | 0x0000ff); // half-transparent blue
    var image = decoder.decode(encode(argb, "png")).image();
    assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
    int p = image.getRGB(1, 0);
    assertThat(p >> 16 & 0xff).isBetween(126, 128);
    assertThat(p & 0xff).isEqualTo(255);
  }

  @Test
  void gifAndBmpDecode() throws IOException {
    assertThat(decoder.decode(encode(rgb(5, 3, 0xff0000), "gif")).image().getRGB(2, 1) & 0xffffff)
        .isEqualTo(0xff0000);
    var bmp = decoder.decode(encode(rgb(5, 3, 0x00ff00), "bmp"));
    assertThat(bmp.format()).isEqualTo(ImageFormat.BMP);
    assertThat(bmp.image().getRGB(4, 2) & 0xffffff).isEqualTo(0x00ff00);
  }

  @Test
  void animatedGifGivesItsFirstFrame() throws IOException {
    byte[] gif = Files.readAllBytes(Path.of("src/test/resources/images/animated.gif"));
    var image = decoder.decode(gif).image();
    assertThat(image.getWidth()).isEqualTo(8);
    assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000); // frame 1 red, frame 2 blue
  }

  @Test
  void cmykJpegBecomesRgb() throws IOException {
    byte[] cmyk = Files.readAllBytes(Path.of("src/test/resources/images/cmyk.jpg"));
    var image = decoder.decode(cmyk).image();
    int p = image.getRGB(4, 4); // fixture is pure red in CMYK (0, 255, 255, 0)
    assertThat(p >> 16 & 0xff).isGreaterThan(200);
    assertThat(p >> 8 & 0xff).isLessThan(80);
    assertThat(p & 0xff).isLessThan(80);
  }

  @Test
  void webpDecodes() throws IOException {
    byte[] webp = Files.readAllBytes(Path.of("src/test/resources/images/green.webp"));
    var decoded = decoder.decode(webp);
    assertThat(decoded.format()).isEqualTo(ImageFormat.WEBP);
    assertThat(decoded.image().getRGB(2, 2) >> 8 & 0xff).isGreaterThan(200);
  }

  @Test
  void exifOrientationSixIsRotatedUpright() throws IOException {
    // Fixture: 16×8 stored, left half red, right half blue, EXIF orientation 6 (rotate 90°
    // clockwise).
    byte[] jpeg = Files.readAllBytes(Path.of("src/test/resources/images/orientation6.jpg"));
    var decoded = decoder.decode(jpeg);
    assertThat(decoded.orientation()).isEqualTo(6);
    BufferedImage image = decoded.image();
    assertThat(image.getWidth()).isEqualTo(8);
    assertThat(image.getHeight()).isEqualTo(16);
    assertThat(image.getRGB(4, 2) >> 16 & 0xff)
        .as("top is the stored left (red)")
        .isGreaterThan(200);
    assertThat(image.getRGB(4, 13) & 0xff)
        .as("bottom is the stored right (blue)")
        .isGreaterThan(200);
  }

  @Test
  void orientationsMapPixelsAsExifDefines() {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    // stored:  1 2 3
    //          4 5 6
    for (int i = 0; i < 6; i++) {
      image.setRGB(i % 3, i / 3, i + 1);
    }
    assertThat(pixels(ImageDecoder.orient(image, 2))).containsExactly(3, 2, 1, 6, 5, 4);
    assertThat(pixels(ImageDecoder.orient(image, 3))).containsExactly(6, 5, 4, 3, 2, 1);
    assertThat(pixels(ImageDecoder.orient(image, 4))).containsExactly(4, 5, 6, 1, 2, 3);
    assertThat(pixels(ImageDecoder.orient(image, 5))).containsExactly(1, 4, 2, 5, 3, 6);
    assertThat(pixels(ImageDecoder.orient(image, 6))).containsExactly(4, 1, 5, 2, 6, 3);
    assertThat(pixels(ImageDecoder.orient(image, 7))).containsExactly(6, 3, 5, 2, 4, 1);
    assertThat(pixels(ImageDecoder.orient(image, 8))).containsExactly(3, 6, 2, 5, 1, 4);
  }

  private static int[] pixels(BufferedImage image) {
    int[] out = new int[image.getWidth() * image.getHeight()];
    for (int i = 0; i < out.length; i++) {
      out[i] = image.getRGB(i % image.getWidth(), i / image.getWidth()) & 0xffffff;
    }
    return out;
  }

  @Test
  void samplePhotosDecode() throws IOException {
    Path eagle = Path.of("models/cache/samples/eagle.jpg");
    Assumptions.assumeTrue(Files.exists(eagle));
    var decoded = ImageDecoder.withDefaults().decode(Files.readAllBytes(eagle));
    assertThat(decoded.image().getWidth()).isEqualTo(773);
    assertThat(decoded.image().getHeight()).isEqualTo(512);
  }
}
