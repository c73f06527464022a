package dev.pipit.train.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes tiny dataset trees in the official layouts for the loader tests. */
final class Fixtures {

  private Fixtures() {}

  /**
   * A small image whose format follows the extension (jpg or png), with a colour derived from
   * {@code seed}.
   */
  static Path image(Path file, int seed) {
    try {
      Files.createDirectories(file.getParent());
      BufferedImage image = new BufferedImage(6 + seed % 3, 5, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = image.createGraphics();
      g.setColor(new Color((seed * 70) % 256, (seed * 130) % 256, (seed * 40) % 256));
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.dispose();
      String name = file.getFileName().toString();
      String format = name.endsWith(".png") ? "png" : "jpg";
      if (!ImageIO.write(image, format, file.toFile())) {
        throw new IllegalStateException("no writer for " + format);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overwrites {@code file} with bytes no image reader accepts (an HTML error page, say). */
  static void corrupt(Path file) {
    write(file, "<html>404 Not Found</html>");
  }

  /** Writes a text file, creating folders. */
  static Path write(Path file, String... lines) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * CUB-200-2011 with classes {@code 001.Albatross} and {@code 002.Auklet}: images 1..5, where 1, 2
   * and 4 are training images, labels 1, 2, 1, 2, 1 (so test holds ids 3 and 5).
   */
  static Path cub(Path root) {
    write(root.resolve("classes.txt"), "1 001.Albatross", "2 002.Auklet");
    String[] paths = {
      "001.Albatross/a_1.jpg",
      "002.Auklet/b_2.jpg",
      "001.Albatross/a_3.jpg",
      "002.Auklet/b_4.jpg",
      "001.Albatross/a_5.jpg"
    };
    StringBuilder images = new StringBuilder();
    for (int i = 0; i < paths.length; i++) {
      images.append(i + 1).append(' ').append(paths[i]).append('\n');
      image(root.resolve("images").resolve(paths[i]), i);
    }
    write(root.resolve("images.txt"), images.toString().strip());
    write(root.resolve("image_class_labels.txt"), "1 1", "2 2", "3 1", "4 2", "5 1");
    write(root.resolve("train_test_split.txt"), "1 1", "2 1", "3 0", "4 1", "5 0");
    return root;
  }
}
