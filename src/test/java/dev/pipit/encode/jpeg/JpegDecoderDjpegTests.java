package dev.pipit.encode.jpeg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.encode.ImageDecoder;
import java.awt.image.DataBufferInt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decoder's samples equal {@code djpeg -dct fast}'s, byte for byte. */
class JpegDecoderDjpegTests {

  static Stream<Path> samplePhotos() throws Exception {
    Path dir = Path.of("models/cache/samples");
    assertThat(dir).as("assets: run bin/fetch-assets").isDirectory();
    try (Stream<Path> files = Files.list(dir)) {
      var list = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
      assertThat(list).as("sample photos in " + dir).isNotEmpty();
      return list.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samplePhotos")
  void samplePhotosEqualDjpeg(Path photo) throws Exception {
    assertSameAsDjpeg(photo);
  }

  @ParameterizedTest
  @MethodSource("samplePhotos")
  void theProductDecoderGivesDjpegsPixels(Path photo) throws Exception {
    Djpeg.Pnm expected = Djpeg.decode(photo);
    var image = ImageDecoder.withDefaults().decode(Files.readAllBytes(photo)).image();
    int[] rgb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    byte[] actual = new byte[rgb.length * 3];
    for (int i = 0; i < rgb.length; i++) {
      actual[3 * i] = (byte) (rgb[i] >> 16);
      actual[3 * i + 1] = (byte) (rgb[i] >> 8);
      actual[3 * i + 2] = (byte) rgb[i];
    }
    assertThat(image.getWidth()).isEqualTo(expected.width());
    assertThat(firstDifference(actual, expected.samples())).isEqualTo(-1);
  }

  static void assertSameAsDjpeg(Path jpeg) throws Exception {
    Djpeg.Pnm expected = Djpeg.decode(jpeg);
    JpegImage actual = JpegDecoder.decode(Files.readAllBytes(jpeg));
    assertThat(actual.width()).isEqualTo(expected.width());
    assertThat(actual.height()).isEqualTo(expected.height());
    byte[] samples =
        actual.colors() == JpegImage.Colors.CMYK
            ? cmykAsDjpegWritesIt(actual.samples())
            : actual.samples();
    assertThat(actual.colors().channels() == 4 ? 3 : actual.colors().channels())
        .isEqualTo(expected.channels());
    int first = firstDifference(samples, expected.samples());
    assertThat(first)
        .as(
            "first differing sample of %s (pixel %d, %d)",
            jpeg,
            first / expected.channels() % expected.width(),
            first / expected.channels() / expected.width())
        .isEqualTo(-1);
  }

  /**
   * djpeg's PPM writer turns CMYK into RGB as {@code r = c·k/255} rounded (libjpeg-turbo cmyk.h).
   */
  static byte[] cmykAsDjpegWritesIt(byte[] cmyk) {
    byte[] rgb = new byte[cmyk.length / 4 * 3];
    for (int i = 0, o = 0; i < cmyk.length; i += 4, o += 3) {
      double k = cmyk[i + 3] & 0xff;
      for (int j = 0; j < 3; j++) {
        rgb[o + j] = (byte) (int) ((cmyk[i + j] & 0xff) * k / 255.0 + 0.5);
      }
    }
    return rgb;
  }

  static int firstDifference(byte[] a, byte[] b) {
    assertThat(a.length).isEqualTo(b.length);
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return i;
      }
    }
    return -1;
  }
}
