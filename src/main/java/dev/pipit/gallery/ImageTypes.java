package dev.pipit.gallery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The media type of a kept original, from its first bytes (originals are stored without one). */
public final class ImageTypes {

  private ImageTypes() {}

  /** {@code image/jpeg}, {@code image/png}, … by magic number, or empty if unrecognised. */
  public static Optional<String> sniff(Path file) {
    byte[] head = new byte[12];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return Optional.empty(); // unreadable now: served as bytes, the read itself will fail
    }
    return sniff(head, n);
  }

  /** The media type of an image's bytes by magic number, or empty if unrecognised. */
  public static Optional<String> sniff(byte[] bytes) {
    return sniff(bytes, bytes.length);
  }

  private static Optional<String> sniff(byte[] head, int n) {
    if (n >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8) {
      return Optional.of("image/jpeg");
    }
    if (n >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
      return Optional.of("image/png");
    }
    if (n >= 3 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
      return Optional.of("image/gif");
    }
    if (n >= 12
        && head[0] == 'R'
        && head[8] == 'W'
        && head[9] == 'E'
        && head[10] == 'B'
        && head[11] == 'P') {
      return Optional.of("image/webp");
    }
    if (n >= 2 && head[0] == 'B' && head[1] == 'M') {
      return Optional.of("image/bmp");
    }
    return Optional.empty();
  }
}
