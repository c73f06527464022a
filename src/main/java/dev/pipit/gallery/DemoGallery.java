package dev.pipit.gallery;

import dev.pipit.train.data.DatasetSplit;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo gallery of {@code make run}: the first images of a dataset's test split, indexed through
 * the real serving path (PNG bytes → decoder → encoder → index) so the service can be searched at
 * once, plus a few other test images written as PNG files to search with.
 */
public final class DemoGallery {

  private static final Logger log = LoggerFactory.getLogger(DemoGallery.class);
  private static final int IN_FLIGHT = 16;

  private DemoGallery() {}

  /**
   * Indexes images {@code 0 .. size−1} of {@code split} (ids {@code demo-00000…}, labels from
   * {@code classes}, originals kept so a model switch can re-encode them) unless the gallery
   * already holds items, and writes images {@code size .. size+queries−1} to {@code queriesDir} as
   * {@code <class>-<n>.png}.
   *
   * @return the number of items indexed now (0 when the gallery was already there)
   */
  public static int load(
      ActiveModel active,
      GalleryItems items,
      DatasetSplit split,
      List<String> classes,
      int size,
      int queries,
      Path queriesDir)
      throws IOException {
    Files.createDirectories(queriesDir);
    for (int i = size; i < Math.min(split.size(), size + queries); i++) {
      Files.write(
          queriesDir.resolve(
              classes.get(split.label(i)).replaceAll("[^A-Za-z0-9]+", "_") + "-" + i + ".png"),
          png(split.image(i)));
    }
    int present = active.require().index().size();
    if (present > 0) {
      log.info("Demo gallery present: {} items", present);
      return 0;
    }
    int count = Math.min(size, split.size());
    for (int start = 0; start < count; start += IN_FLIGHT) {
      List<GalleryItems.Item> window = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
        window.add(
            new GalleryItems.Item(
                String.format("demo-%05d", i),
                png(split.image(i)),
                null,
                classes.get(split.label(i)),
                Map.of("source", split.id(i))));
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
