package dev.pipit.gallery;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo gallery of {@code make run}: the first images of a dataset's test split, indexed through
 * the real serving path (PNG bytes → decoder → encoder → index) so the service can be searched at
 * once, plus a few other test images written as PNG files to search with. The images come through
 * {@link Images}, which the wiring adapts from a dataset split, so that serving does not depend on
 * the training code.
 */
public final class DemoGallery {

  private static final Logger log = LoggerFactory.getLogger(DemoGallery.class);
  private static final int IN_FLIGHT = 16;

  private DemoGallery() {}

  /** The labelled images the demo gallery draws from, in a fixed order. */
  public interface Images {
    /** Number of images. */
    int size();

    /** Class name of image {@code i}. */
    String label(int i);

    /** Where image {@code i} comes from, kept as its metadata (e.g. {@code test/17}). */
    String source(int i);

    /**
     * Image {@code i}, decoded.
     *
     * @throws IOException if it cannot be read
     */
    BufferedImage image(int i) throws IOException;

    /**
     * Images from a dataset split's accessors: {@code classIndex} and {@code image} by position,
     * the class names by index, and where each image comes from.
     */
    static Images of(
        int size,
        IntUnaryOperator classIndex,
        List<String> classes,
        IntFunction<String> source,
        ImageAt image) {
      return new Images() {
        @Override
        public int size() {
          return size;
        }

        @Override
        public String label(int i) {
          return classes.get(classIndex.applyAsInt(i));
        }

        @Override
        public String source(int i) {
          return source.apply(i);
        }

        @Override
        public BufferedImage image(int i) throws IOException {
          return image.image(i);
        }
      };
    }
  }

  /** Decodes the image at a position. */
  @FunctionalInterface
  public interface ImageAt {
    BufferedImage image(int i) throws IOException;
  }

  /**
   * Indexes images {@code 0 .. size−1} of {@code images} (ids {@code demo-00000…}, originals kept
   * so a model switch can re-encode them) unless the gallery already holds items, and writes images
   * {@code size .. size+queries−1} to {@code queriesDir} as {@code <class>-<n>.png}.
   *
   * @return the number of items indexed now (0 when the gallery was already there)
   */
  public static int load(
      ActiveModel active, GalleryItems items, Images images, int size, int queries, Path queriesDir)
      throws IOException {
    Files.createDirectories(queriesDir);
    for (int i = size; i < Math.min(images.size(), size + queries); i++) {
      Files.write(
          queriesDir.resolve(images.label(i).replaceAll("[^A-Za-z0-9]+", "_") + "-" + i + ".png"),
          png(images.image(i)));
    }
    int present = active.require().index().size();
    if (present > 0) {
      log.info("Demo gallery present: {} items", present);
      return 0;
    }
    int count = Math.min(size, images.size());
    for (int start = 0; start < count; start += IN_FLIGHT) {
      List<GalleryItems.Item> window = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
        window.add(
            new GalleryItems.Item(
                String.format("demo-%05d", i),
                png(images.image(i)),
                null,
                images.label(i),
                Map.of("source", images.source(i))));
      }
      for (GalleryItems.Outcome outcome : items.index(window).outcomes()) {
        if (!outcome.indexed()) {
          throw new IOException(
              "indexing demo image " + outcome.id() + " failed: " + outcome.reason());
        }
      }
    }
    log.info(
        "Demo gallery: indexed {} images; query examples in {}",
        count,
        queriesDir.toAbsolutePath());
    return count;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
