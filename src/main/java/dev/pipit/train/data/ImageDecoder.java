package dev.pipit.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns an image file into pixels. All file-backed splits decode through one of these, so the
 * hardened decoder (size limits, colour-space handling) can replace {@link #IMAGE_IO} in one place.
 */
@FunctionalInterface
public interface ImageDecoder {

  /** Decodes {@code file}; never returns null. */
  BufferedImage decode(Path file) throws IOException;

  /** The JDK's {@link ImageIO}; a file no registered reader understands is an error, not null. */
  ImageDecoder IMAGE_IO =
      file -> {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
          throw new DatasetException(file, "not an image format ImageIO can read");
        }
        return image;
      };
}
