package dev.pipit.encode.jpeg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libjpeg-turbo's command-line tools (Debian {@code libjpeg-turbo-progs}), the reference the
 * decoder is checked against. A missing tool fails the test with the command that installs it.
 */
final class Djpeg {

  static final String INSTALL =
      "djpeg/cjpeg missing: run bin/fetch-assets --test (installs libjpeg-turbo-progs)";

  private Djpeg() {}

  /** A PNM image: P5 (1 channel) or P6 (3 channels), 8-bit. */
  record Pnm(int width, int height, int channels, byte[] samples) {}

  /** {@code djpeg -dct fast -ppm} of a JPEG file. */
  static Pnm decode(Path jpeg) throws IOException, InterruptedException {
    Path out = Files.createTempFile("djpeg", ".pnm");
    try {
      run(List.of("djpeg", "-dct", "fast", "-ppm", "-outfile", out.toString(), jpeg.toString()));
      return readPnm(Files.readAllBytes(out));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** {@code cjpeg <options>} of a PPM/PGM file into a JPEG file. */
  static Path encode(Path pnm, Path jpeg, List<String> options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("cjpeg"));
    command.addAll(options);
    command.addAll(List.of("-outfile", jpeg.toString(), pnm.toString()));
    run(command);
    return jpeg;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      throw new AssertionError(INSTALL + " (" + notInstalled.getMessage() + ")", notInstalled);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }

  static Pnm readPnm(byte[] bytes) {
    assertThat(bytes[0]).isEqualTo((byte) 'P');
    int channels = bytes[1] == '5' ? 1 : bytes[1] == '6' ? 3 : -1;
    assertThat(channels).as("PNM type P" + (char) bytes[1]).isPositive();
    int[] header = new int[3];
    int pos = 2;
    for (int field = 0; field < 3; field++) {
      while (Character.isWhitespace(bytes[pos])) {
        pos++;
      }
      int value = 0;
      while (!Character.isWhitespace(bytes[pos])) {
        value = value * 10 + (bytes[pos++] - '0');
      }
      header[field] = value;
    }
    pos++;
    assertThat(header[2]).isEqualTo(255);
    byte[] samples = new byte[header[0] * header[1] * channels];
    System.arraycopy(bytes, pos, samples, 0, samples.length);
    return new Pnm(header[0], header[1], channels, samples);
  }

  static byte[] writePnm(int width, int height, int channels, byte[] samples) {
    byte[] header =
        ((channels == 1 ? "P5" : "P6") + "\n" + width + " " + height + "\n255\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[header.length + samples.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(samples, 0, out, header.length, samples.length);
    return out;
  }
}
