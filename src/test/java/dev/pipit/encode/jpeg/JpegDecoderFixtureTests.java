package dev.pipit.encode.jpeg;

import static dev.pipit.encode.jpeg.JpegDecoderDjpegTests.assertSameAsDjpeg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sampling, coding mode and awkward size {@code cjpeg} (and the JDK's writer) can produce,
 * generated here from a synthetic picture, decodes to exactly {@code djpeg -dct fast}'s samples.
 */
class JpegDecoderFixtureTests {

  @TempDir Path dir;

  static final int[][] SIZES = {{1, 1}, {2, 9}, {3, 3}, {7, 5}, {17, 33}, {61, 47}, {129, 67}};

  static final List<List<String>> OPTIONS =
      List.of(
          List.of(),
          List.of("-sample", "1x1"),
          List.of("-sample", "2x1"),
          List.of("-sample", "1x2"),
          List.of("-sample", "4x1"),
          List.of("-sample", "2x2,2x1,1x1"),
          List.of("-sample", "1x1,2x2,1x1"),
          List.of("-grayscale"),
          List.of("-rgb"),
          List.of("-progressive"),
          List.of("-progressive", "-sample", "1x1"),
          List.of("-progressive", "-sample", "1x2"),
          List.of("-progressive", "-grayscale"),
          List.of("-progressive", "-restart", "2B"),
          List.of("-restart", "1B"),
          List.of("-restart", "3B", "-sample", "2x1"),
          List.of("-restart", "1", "-grayscale"),
          List.of("-optimize", "-quality", "100"),
          List.of("-quality", "2"),
          List.of("-baseline", "-quality", "100", "-sample", "1x1"));

  static Stream<Arguments> cjpegFixtures() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] size : SIZES) {
      for (List<String> options : OPTIONS) {
        cases.add(Arguments.of(size[0], size[1], options));
      }
    }
    return cases.stream();
  }

  /**
   * Gradients, hard edges and noise: smooth areas, ringing and large high-frequency coefficients.
   */
  static byte[] picture(int w, int h, int channels, long seed) {
    Random random = new Random(seed);
    byte[] samples = new byte[w * h * channels];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < channels; c++) {
          int v = (x * 255 / Math.max(w - 1, 1) + c * 80) % 256;
          if (((x / 5) + (y / 3)) % 4 == c) {
            v = 255 - v;
          }
          v = (v + (y * 7 + c * 31) % 64 + random.nextInt(48) - 24) & 0xff;
          samples[(y * w + x) * channels + c] = (byte) v;
        }
      }
    }
    return samples;
  }

  @ParameterizedTest(name = "{0}×{1} cjpeg {2}")
  @MethodSource("cjpegFixtures")
  void cjpegFixturesEqualDjpeg(int w, int h, List<String> options) throws Exception {
    boolean gray = options.contains("-grayscale");
    Path pnm = dir.resolve("in.pnm");
    Files.write(pnm, Djpeg.writePnm(w, h, gray ? 1 : 3, picture(w, h, gray ? 1 : 3, w * 31L + h)));
    assertSameAsDjpeg(Djpeg.encode(pnm, dir.resolve("out.jpg"), options));
  }

  @ParameterizedTest(name = "{0}×{1} JDK writer")
  @MethodSource("jdkSizes")
  void jdkWriterBaselineAndProgressiveEqualDjpeg(int w, int h) throws Exception {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] rgb = picture(w, h, 3, 7);
    for (int i = 0; i < w * h; i++) {
      image.setRGB(
          i % w,
          i / w,
          (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | rgb[3 * i + 2] & 0xff);
    }
    for (boolean progressive : new boolean[] {false, true}) {
      Path jpeg = dir.resolve("jdk-" + progressive + ".jpg");
      writeWithJdk(image, jpeg, progressive);
      assertSameAsDjpeg(jpeg);
    }
  }

  static Stream<Arguments> jdkSizes() {
    return Stream.of(SIZES).map(s -> Arguments.of(s[0], s[1]));
  }

  private static void writeWithJdk(BufferedImage image, Path file, boolean progressive)
      throws Exception {
    ImageWriter writer = null;
    for (var it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
      ImageWriter candidate = it.next();
      if (candidate.getClass().getName().startsWith("com.sun.imageio")) {
        writer = candidate;
      }
    }
    assertThat(writer).as("the JDK's JPEG writer").isNotNull();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setProgressiveMode(
        progressive ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  @Test
  void adobeCmykEqualsDjpeg() throws Exception {
    Path cmyk = Path.of("src/test/resources/images/cmyk.jpg");
    JpegImage image = JpegDecoder.decode(Files.readAllBytes(cmyk));
    assertThat(image.colors()).isEqualTo(JpegImage.Colors.CMYK);
    assertSameAsDjpeg(cmyk);
  }

  @Test
  void arithmeticCodingIsUnsupportedNotCorrupt() throws Exception {
    Path pnm = dir.resolve("in.ppm");
    Files.write(pnm, Djpeg.writePnm(16, 16, 3, picture(16, 16, 3, 1)));
    Path jpeg = Djpeg.encode(pnm, dir.resolve("arith.jpg"), List.of("-arithmetic"));
    byte[] bytes = Files.readAllBytes(jpeg);
    assertThat(JpegDecoder.readInfo(bytes).supported()).isFalse();
    assertThatThrownBy(() -> JpegDecoder.decode(bytes))
        .isInstanceOfSatisfying(
            JpegException.class,
            e -> assertThat(e.kind()).isEqualTo(JpegException.Kind.UNSUPPORTED));
  }
}
