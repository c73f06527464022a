package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Cut and mutated JPEGs give an {@link ImageDecodeException} with the right reason, never anything
 * else.
 */
class JpegHostileInputTests {

  private final ImageDecoder decoder = new ImageDecoder(4 << 20, 4_000_000);

  static byte[] sample() throws Exception {
    Path photo = Path.of("models/cache/samples/scream.jpg");
    assertThat(photo).as("assets: run bin/fetch-assets").exists();
    return Files.readAllBytes(photo);
  }

  /** The sample re-encoded progressively by the JDK's writer (restart-free, several scans). */
  static byte[] progressiveSample() throws Exception {
    var image = ImageIO.read(new ByteArrayInputStream(sample()));
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Start of the entropy-coded data of the first scan (after the SOS segment). */
  static int firstScanData(byte[] jpeg) {
    for (int i = 2; i + 3 < jpeg.length; ) {
      int length = (jpeg[i + 2] & 0xff) << 8 | jpeg[i + 3] & 0xff;
      if ((jpeg[i + 1] & 0xff) == 0xDA) {
        return i + 2 + length;
      }
      i += 2 + length;
    }
    throw new AssertionError("no SOS");
  }

  private ImageDecodeException.Reason outcome(byte[] bytes) {
    try {
      decoder.decode(bytes);
      return null;
    } catch (ImageDecodeException e) {
      return e.reason();
    }
  }

  @Test
  void everyCutInsideTheImageDataIsTruncated() throws Exception {
    for (byte[] jpeg : new byte[][] {sample(), progressiveSample()}) {
      int data = firstScanData(jpeg);
      Random random = new Random(11);
      for (int i = 0; i < 100; i++) {
        int cut = data + random.nextInt(jpeg.length - 2 - data);
        assertThat(outcome(Arrays.copyOf(jpeg, cut)))
            .as("cut at %d of %d", cut, jpeg.length)
            .isEqualTo(ImageDecodeException.Reason.TRUNCATED);
      }
    }
  }

  @Test
  void cutsInsideTheHeadersAreTruncated() throws Exception {
    byte[] jpeg = sample();
    for (int cut = 3; cut < firstScanData(jpeg); cut += 7) {
      assertThat(outcome(Arrays.copyOf(jpeg, cut)))
          .as("cut at %d", cut)
          .isEqualTo(ImageDecodeException.Reason.TRUNCATED);
    }
  }

  @Test
  void mutatedStreamsFailOnlyWithImageDecodeExceptions() throws Exception {
    Map<ImageDecodeException.Reason, Integer> seen =
        new EnumMap<>(ImageDecodeException.Reason.class);
    int decoded = 0;
    Random random = new Random(42);
    for (byte[] original : new byte[][] {sample(), progressiveSample()}) {
      for (int i = 0; i < 200; i++) {
        byte[] mutant = mutate(original, random);
        try {
          decoder.decode(mutant);
          decoded++;
        } catch (ImageDecodeException e) {
          seen.merge(e.reason(), 1, Integer::sum);
        }
        // Anything else propagates and fails the test.
      }
    }
    System.out.printf("jpeg fuzz: %d decoded, failures %s%n", decoded, seen);
    assertThat(seen).containsKey(ImageDecodeException.Reason.CORRUPT);
  }

  /** Flips, overwrites with marker bytes, or cuts and splices: the damage real uploads show. */
  private static byte[] mutate(byte[] original, Random random) {
    byte[] b = original.clone();
    switch (random.nextInt(4)) {
      case 0 -> {
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
          b[2 + random.nextInt(b.length - 2)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> {
        int at = 2 + random.nextInt(b.length - 4);
        b[at] = (byte) 0xFF;
        b[at + 1] = (byte) random.nextInt(256);
      }
      case 2 -> {
        // A byte in the headers (first 700 bytes: tables, frame and scan headers) set at random.
        b[2 + random.nextInt(Math.min(700, b.length - 2))] = (byte) random.nextInt(256);
      }
      default -> {
        int from = 2 + random.nextInt(b.length - 2);
        int to = 2 + random.nextInt(b.length - 2);
        byte[] spliced = Arrays.copyOf(b, from + b.length - to);
        System.arraycopy(b, to, spliced, from, b.length - to);
        return spliced;
      }
    }
    return b;
  }

  @Test
  void aFrameHeaderDeclaringTooManyPixelsIsRefusedBeforeDecoding() throws Exception {
    byte[] jpeg = sample();
    for (int i = 2; i + 3 < jpeg.length; ) {
      if ((jpeg[i + 1] & 0xff) == 0xC0) {
        jpeg[i + 5] = jpeg[i + 7] = (byte) 0xEA; // 60000 × 60000
        jpeg[i + 6] = jpeg[i + 8] = (byte) 0x60;
        break;
      }
      i += 2 + ((jpeg[i + 2] & 0xff) << 8 | jpeg[i + 3] & 0xff);
    }
    assertThat(outcome(jpeg)).isEqualTo(ImageDecodeException.Reason.TOO_MANY_PIXELS);
  }
}
