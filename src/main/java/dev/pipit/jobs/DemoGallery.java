package dev.pipit.jobs;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.train.data.DatasetSplit;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo gallery of {@code make run}: the first images of a dataset's test split, indexed through the
 * real serving path (PNG bytes → decoder → encoder → index) so the service can be searched at once, plus a
 * few other test images written as PNG files to search with.
 */
public final class DemoGallery {

  private static final Logger log = LoggerFactory.getLogger(DemoGallery.class);
  private static final int IN_FLIGHT = 16;

  private DemoGallery() {}

  /**
   * Indexes images {@code 0 .. size−1} of {@code split} (ids {@code demo-00000…}, labels from {@code
   * classes}) unless the index already holds items, and writes images {@code size .. size+queries−1} to
   * {@code queriesDir} as {@code <class>-<n>.png}.
   *
   * @return the number of items indexed now (0 when the gallery was already there)
   */
  public static int load(
      ServingModel serving, DatasetSplit split, List<String> classes, int size, int queries, Path queriesDir)
      throws IOException, InterruptedException {
    Files.createDirectories(queriesDir);
    for (int i = size; i < Math.min(split.size(), size + queries); i++) {
      Files.write(queriesDir.resolve(classes.get(split.label(i)).replaceAll("[^A-Za-z0-9]+", "_") + "-" + i + ".png"),
          png(split.image(i)));
    }
    if (serving.index().size() > 0) {
      log.info("Demo gallery present: {} items", serving.index().size());
      return 0;
    }
    GalleryCodec codec = new GalleryCodec();
    int count = Math.min(size, split.size());
    List<CompletableFuture<ImageEncoder.Result>> window = new ArrayList<>();
    for (int start = 0; start < count; start += IN_FLIGHT) {
      int end = Math.min(count, start + IN_FLIGHT);
      window.clear();
      for (int i = start; i < end; i++) {
        window.add(serving.encoder().encode(png(split.image(i))));
      }
      for (int i = start; i < end; i++) {
        try {
          serving.index().upsert(String.format("demo-%05d", i), window.get(i - start).get().code(),
              codec.write(classes.get(split.label(i)), Map.of("source", split.id(i))));
        } catch (ExecutionException e) {
          throw new IOException("encoding demo image " + i + " failed", e.getCause());
        }
      }
    }
    log.info("Demo gallery: indexed {} images; query examples in {}", count, queriesDir.toAbsolutePath());
    return count;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
