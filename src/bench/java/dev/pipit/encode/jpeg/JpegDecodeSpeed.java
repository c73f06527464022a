package dev.pipit.encode.jpeg;

import dev.pipit.encode.ImageDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * Decode speed of pipit's JPEG decoder against ImageIO (not a test; a repeated-run main): {@code
 * mvn -Pbench test-compile; java -cp target/test-classes:target/classes:<deps>
 * dev.pipit.encode.jpeg.JpegDecodeSpeed [file] [runs]}. Prints the median and best milliseconds per
 * decode of each path after a warm-up.
 */
public final class JpegDecodeSpeed {

  private JpegDecodeSpeed() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "models/cache/samples/eagle.jpg");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    byte[] bytes = Files.readAllBytes(file);
    ImageIO.setUseCache(false);
    measure("pipit JpegDecoder (samples)", runs, () -> JpegDecoder.decode(bytes));
    measure(
        "pipit ImageDecoder (TYPE_INT_RGB, product path)",
        runs,
        () -> ImageDecoder.withDefaults().decode(bytes));
    measure(
        "ImageIO.read (TwelveMonkeys over the JDK reader)",
        runs,
        () -> {
          try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static void measure(String name, int runs, Supplier<Object> decode) {
    for (int i = 0; i < runs / 2; i++) {
      decode.get();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      decode.get();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    System.out.printf(
        "jpeg-decode %-50s median %.2f ms, best %.2f ms (%d runs)%n",
        name, ms[runs / 2], ms[0], runs);
  }
}
