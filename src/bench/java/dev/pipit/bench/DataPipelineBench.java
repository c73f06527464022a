package dev.pipit.bench;

import dev.pipit.encode.Preprocessing;
import dev.pipit.train.ParallelBatches;
import dev.pipit.train.TrainAugmentation;
import dev.pipit.train.data.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Throughput of training-data preparation: JPEG decode (ImageIO, as file-backed datasets decode) +
 * torchvision-style augmentation (random resized crop to 224, flip, ImageNet mean/std) through
 * {@link ParallelBatches}, per worker count, over the same files as {@code data_bench.py} feeds
 * PyTorch's DataLoader. One line per case:
 *
 * <pre>
 * data-bench impl=pipit workers=W batch=B prefetch=P images=N seconds=S images_per_s=X
 * </pre>
 *
 * Usage: {@code DataPipelineBench [DIR=models/cache/samples] [IMAGES=256] [WORKERS=1,2,4]}
 */
public final class DataPipelineBench {

  static final int BATCH = 32;
  static final int PREFETCH = 4;

  private DataPipelineBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "models/cache/samples");
    int images = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    String workerList = args.length > 2 ? args[2] : "1,2,4";
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    System.out.println(Machine.describe());
    System.out.printf(
        Locale.ROOT,
        "settings dir=%s files=%d images=%d side=224 batch=%d prefetch=%d decode=imageio%n",
        dir,
        files.size(),
        images,
        BATCH,
        PREFETCH);
    TrainAugmentation augmentation = new TrainAugmentation(Preprocessing.torchvisionEval());
    ParallelBatches.ImageTask task =
        (item, seed) ->
            augmentation.apply(
                ImageDecoder.IMAGE_IO.decode(files.get(item % files.size())), new Random(seed));
    for (String w : workerList.split(",")) {
      int workers = Integer.parseInt(w.strip());
      epoch(task, workers, Math.min(images, 64)); // warm-up: JIT, ImageIO's first use
      double seconds = epoch(task, workers, images);
      System.out.printf(
          Locale.ROOT,
          "data-bench impl=pipit workers=%d batch=%d prefetch=%d images=%d seconds=%.2f"
              + " images_per_s=%.1f%n",
          workers,
          BATCH,
          PREFETCH,
          images,
          seconds,
          images / seconds);
    }
    System.out.println(Machine.describe().replace("machine ", "machine-after "));
  }

  /** Seconds to prepare {@code images} images in batches, prefetching up to {@link #PREFETCH}. */
  static double epoch(ParallelBatches.ImageTask task, int workers, int images) throws Exception {
    long start = System.nanoTime();
    Random seeds = new Random(1);
    long checksum = 0;
    try (ParallelBatches pipeline = new ParallelBatches(task, workers, PREFETCH)) {
      int submitted = 0;
      int taken = 0;
      while (taken < images) {
        while (pipeline.hasRoom() && submitted < images) {
          int n = Math.min(BATCH, images - submitted);
          int[] items = new int[n];
          for (int i = 0; i < n; i++) {
            items[i] = submitted + i;
          }
          pipeline.submit(items, seeds.nextLong());
          submitted += n;
        }
        for (float[] image : pipeline.next()) {
          checksum += Float.floatToIntBits(image[0]);
          taken++;
        }
      }
    }
    if (checksum == 42) {
      System.out.print(""); // keeps the work observable
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
